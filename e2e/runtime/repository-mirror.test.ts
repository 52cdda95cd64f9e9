// Repository mirroring end to end (issue 16 acceptance) on the real entry point, its pg-boss job
// doing the syncs: CNCF distribution with htpasswd as the upstream (filled by skopeo with three
// image tags and a multi-arch index), reached through a loopback front door that logs every
// request and can hold one blob's answer. A mirror with glob `1-*` gets exactly those tags; the
// server is killed (SIGKILL) while a blob of the index is being fetched, a second server on the
// same database and storage resumes once the dead worker's claim lapses, and fetches none of the
// blobs stored before; a new upstream tag arrives after sync-now; a deleted one disappears; a
// user's push to the mirror is refused.
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type Database } from "../../db/client.ts";
import { createAccessToken } from "../../server/domain/accounts/oauth-tokens.ts";
import { createUser } from "../../server/domain/accounts/users.ts";
import { freshDatabaseUrl } from "../support/test-app.ts";
import { LayoutWriter, mirrorRequest, OCI_IMAGE, OCI_INDEX, randomLayer, startUpstreamRegistry, type UpstreamRegistry } from "../support/upstream-registry.ts";
import { type ServerNode, startNode, stopNodes } from "./process.ts";
import { callApi } from "../support/api-client.ts";

const run = promisify(execFile);
const MB = 1024 * 1024;

/** A loopback door in front of the upstream: logs requests, and holds the answer for `hold` (a digest) until released. */
async function frontDoor(target: string) {
  const [host, port] = target.split(":");
  const door = {
    requests: [] as string[],
    hold: null as string | null,
    held: null as Promise<void> | null,
    heldSeen: () => {},
    server: null as unknown as Server,
    host: "",
  };
  door.server = createServer((req, res) => {
    door.requests.push(`${req.method} ${req.url}`);
    if (door.hold && req.url?.includes(door.hold)) {
      door.heldSeen();
      return; // never answered: the sync hangs here until the server is killed
    }
    const forward = request({ host, port: Number(port), method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forward.on("error", () => res.writeHead(502).end());
    req.pipe(forward);
  });
  await new Promise<void>((r) => door.server.listen(0, "127.0.0.1", r));
  door.host = `127.0.0.1:${(door.server.address() as AddressInfo).port}`;
  return door;
}

let upstream: UpstreamRegistry;
let door: Awaited<ReturnType<typeof frontDoor>>;
let database: Database;
let databaseUrl: string;
let storage: string;
let token: string;
const nodes: ServerNode[] = [];
let node: ServerNode;
let layout: LayoutWriter;
let heldLayer: string;

const api = <T = Record<string, unknown>>(method: string, path: string, body?: unknown) => callApi<T>(node.url, token, method, path, body);

/** A server on the shared database and storage, its public URL its own address (so skopeo can log in). */
const startServer = () =>
  startNode(
    { DATABASE_URL: databaseUrl, STORAGE: storage, QUAYSIDE_SSRF_ALLOWED_HOSTS: "127.0.0.1", QUAYSIDE_MIRROR_CLAIM: "4s", QUAYSIDE_SECURITY_SCANNER: "false" },
    nodes,
    { ownPublicUrl: true },
  );

const MIRROR = "/repository/alice/app/mirror";

async function waitForSync(after: string | null, timeoutMs = 150_000): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await api(`GET`, MIRROR);
    if ((body.sync_status === "SUCCESS" || body.sync_status === "FAIL") && body.last_sync !== after) return body;
    if (Date.now() > deadline) throw new Error(`no sync finished: ${JSON.stringify(body)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

const liveTags = async () =>
  (await api<{ tags: { name: string }[] }>("GET", "/repository/alice/app/tag/?onlyActiveTags=true&limit=100")).body.tags.map((t) => t.name).sort();

const storedBlobs = async () =>
  (await database.sql<{ digest: string }[]>`select l.digest from repo_blobs l join repositories r on r.id = l.repository_id where r.name = 'app'`).map((r) => r.digest);

const lastSuccess = async () =>
  (await database.sql<{ metadata: Record<string, unknown> }[]>`select metadata from audit_log where kind = 'repo_mirror_sync_success' order by id desc limit 1`)[0]!.metadata;

beforeAll(async () => {
  upstream = await startUpstreamRegistry();
  door = await frontDoor(upstream.host);
  layout = new LayoutWriter(await mkdtemp(join(tmpdir(), "quayside-layout-")));
  const base = randomLayer(2 * MB);
  const a = await layout.image([base, randomLayer(2 * MB)], undefined, "1-a");
  const amd = await layout.image([base, randomLayer(2 * MB), randomLayer(MB)], { architecture: "amd64", os: "linux" }, "amd64");
  const arm = await layout.image([base, randomLayer(2 * MB), randomLayer(MB)], { architecture: "arm64", os: "linux" }, "arm64");
  heldLayer = arm.blobs[2]!.digest;
  const index = await layout.index([
    { image: amd, platform: { architecture: "amd64", os: "linux" } },
    { image: arm, platform: { architecture: "arm64", os: "linux" } },
  ]);
  const other = await layout.image([randomLayer(MB)], undefined, "2-x");
  await upstream.push(await layout.tag("a", a, OCI_IMAGE), "team/app", "1-a");
  await upstream.push(await layout.tag("b", index, OCI_INDEX), "team/app", "1-b");
  await upstream.push(await layout.tag("x", other, OCI_IMAGE), "team/app", "2-x");
  await upstream.push(await layout.tag("x", other, OCI_IMAGE), "team/app", "latest");

  databaseUrl = await freshDatabaseUrl();
  storage = await mkdtemp(join(tmpdir(), "quayside-mirror-blobs-"));
  node = await startServer();
  database = connect(databaseUrl, { max: 2 });
  const alice = await createUser(database.db, { username: "alice", password: "password-alice" }, { principal: { kind: "anonymous" } });
  token = await createAccessToken(database.db, alice.id, null, ["repo:admin", "repo:create", "user:admin"]);
}, 180_000);

afterAll(async () => {
  await stopNodes(nodes);
  if (storage) await rm(storage, { recursive: true, force: true });
  await database?.close();
  door?.server.closeAllConnections();
  door?.server.close();
  await upstream?.close();
});

describe("repository mirroring against distribution", () => {
  it("syncs exactly the 1-* tags, resuming after a SIGKILL without fetching stored blobs again", async () => {
    expect((await api("POST", "/repository", { namespace: "alice", repository: "app", visibility: "private", description: "" })).status).toBe(201);
    expect((await api("PUT", "/user/robots/mirror", {})).status).toBe(201);
    expect((await api("PUT", "/repository/alice/app/changestate", { state: "MIRROR" })).status).toBe(200);
    door.hold = heldLayer.slice("sha256:".length);
    const reached = new Promise<void>((r) => (door.heldSeen = r));
    const created = await api("POST", MIRROR, mirrorRequest(upstream, door.host));
    expect(created.status).toBe(201);
    await reached;
    expect((await api("GET", MIRROR)).body.sync_status).toBe("SYNCING");
    const storedBeforeKill = await storedBlobs();
    expect(storedBeforeKill.length).toBeGreaterThan(3);
    await node.proc.stop("SIGKILL");

    door.hold = null;
    const resumeFrom = door.requests.length;
    node = await startServer();
    const done = await waitForSync(null);
    expect(done.sync_status).toBe("SUCCESS");
    expect(await liveTags()).toEqual(["1-a", "1-b"]);
    const refetched = door.requests.slice(resumeFrom).filter((r) => r.startsWith("GET") && storedBeforeKill.some((d) => r.endsWith(`/blobs/${d}`)));
    expect(refetched).toEqual([]);
    // 9 distinct blobs upstream (3 configs, the shared layer, 5 own layers): each fetched once in all.
    expect(storedBeforeKill.length + Number((await lastSuccess()).blobs_fetched)).toBe(9);
  }, 300_000);

  it("gets a new upstream tag after sync-now and drops one deleted upstream", async () => {
    const c = await layout.image([randomLayer(MB)], undefined, "1-c");
    await upstream.push(await layout.tag("c", c, OCI_IMAGE), "team/app", "1-c");
    let before = (await api("GET", MIRROR)).body.last_sync as string;
    expect((await api("POST", `${MIRROR}/sync-now`)).status).toBe(204);
    await waitForSync(before);
    expect(await liveTags()).toEqual(["1-a", "1-b", "1-c"]);

    await upstream.delete("team/app", "1-a");
    before = (await api("GET", MIRROR)).body.last_sync as string;
    expect((await api("POST", `${MIRROR}/sync-now`)).status).toBe(204);
    await waitForSync(before);
    expect(await liveTags()).toEqual(["1-b", "1-c"]);
  }, 300_000);

  it("refuses a user's push to the mirror", async () => {
    const pushed = await run("skopeo", [
      "copy",
      "--insecure-policy",
      "--dest-tls-verify=false",
      "--dest-creds",
      "alice:password-alice",
      `oci:${layout.dir}:c`,
      `docker://${new URL(node.url).host}/alice/app:mine`,
    ]).then(
      () => "",
      (err: { stderr: string }) => err.stderr,
    );
    expect(pushed).toMatch(/denied|unauthorized/i);
    expect(await liveTags()).not.toContain("mine");
  }, 120_000);
});

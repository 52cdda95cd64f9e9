// Issue 11's lifecycle end to end with real clients and a hand-moved clock: buildah builds an
// image labelled `quay.expires-after=2s` and pushes it; the tag vanishes at its expiry (no job in
// between), comes back from the time machine, and once deleted and past the namespace's window
// the garbage collector takes its blobs out of storage.
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createUser } from "../../server/domain/accounts/users.ts";
import { createAccessToken } from "../../server/domain/accounts/oauth-tokens.ts";
import { collectGarbage } from "../../server/domain/content/garbage-collection.ts";
import { ManualClock, type TestServer, testServer } from "../support/test-app.ts";
import { ClientSandbox, ok, registryToken, requireTools, staticBusybox, v2 } from "./tools.ts";

const ALICE = { username: "alice", password: "alice-password-1" };
const REPO = "alice/expiring";
const TWO_WEEKS_MS = 14 * 24 * 3600 * 1000;
const HOUR_MS = 3600 * 1000;

const clock = new ManualClock();
let server: TestServer;
let sandbox: ClientSandbox;
let work: string;
let apiToken: string;

beforeAll(async () => {
  requireTools("buildah", "skopeo");
  staticBusybox();
  server = await testServer({}, { clock });
  const alice = await createUser(server.deps.db, ALICE, { principal: { kind: "anonymous" } });
  apiToken = await createAccessToken(server.deps.db, alice.id, null, ["repo:read", "repo:write", "repo:admin", "repo:create"]);
  sandbox = await ClientSandbox.create();
  work = await mkdtemp(join(tmpdir(), "quayside-expiring-"));
});

afterAll(async () => {
  await sandbox?.close();
  if (work) await rm(work, { recursive: true, force: true });
  await server?.close();
});

function api(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`http://${server.host}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${apiToken}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function manifestStatus(reference: string): Promise<number> {
  const token = await registryToken(server, ALICE, `repository:${REPO}:pull`);
  const res = await v2(server, `/v2/${REPO}/manifests/${reference}`, token, {
    headers: { accept: "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json" },
  });
  await res.arrayBuffer();
  return res.status;
}

async function tagNames(): Promise<string[]> {
  const token = await registryToken(server, ALICE, `repository:${REPO}:pull`);
  const res = await v2(server, `/v2/${REPO}/tags/list`, token);
  return ((await res.json()) as { tags: string[] | null }).tags ?? [];
}

/** Where the filesystem store keeps a blob's bytes (sha256/<first two hex>/<hex>), if anywhere. */
async function blobStored(digest: string): Promise<boolean> {
  const path = server.deps.store.localPath?.(digest);
  if (!path) throw new Error("the test expects the filesystem blob store");
  return stat(path).then(
    () => true,
    () => false,
  );
}

it("expires at its label's time, is restored from the time machine, and is collected after the window", async () => {
  const ctx = join(work, "ctx");
  await mkdir(ctx);
  await writeFile(join(ctx, "data.txt"), "short-lived layer\n");
  await writeFile(join(ctx, "Containerfile"), "FROM scratch\nCOPY data.txt /data.txt\nLABEL quay.expires-after=2s\n");
  const ref = `${server.host}/${REPO}:v1`;
  ok(await sandbox.buildah(["bud", "--isolation", "chroot", "-t", ref, ctx], { timeout: 60_000 }), "buildah bud");
  const digestFile = join(sandbox.dir, "digest");
  ok(
    await sandbox.buildah(["push", "--tls-verify=false", "--creds", `${ALICE.username}:${ALICE.password}`, "--digestfile", digestFile, ref], {
      timeout: 60_000,
    }),
    "buildah push",
  );
  const digest = (await readFile(digestFile, "utf8")).trim();

  // The label set the tag's expiry at push; the layers are stored.
  const listed = (await (await api("GET", `/repository/${REPO}/tag/?specificTag=v1&onlyActiveTags=true`)).json()) as {
    tags: { name: string; expiration?: string; end_ts?: number }[];
  };
  expect(listed.tags).toHaveLength(1);
  expect(listed.tags[0]!.end_ts).toBeTypeOf("number");
  const manifest = JSON.parse(
    ok(await sandbox.skopeo(["inspect", "--raw", "--tls-verify=false", "--creds", `${ALICE.username}:${ALICE.password}`, `docker://${ref}`]), "skopeo inspect")
      .stdout,
  ) as { config: { digest: string }; layers: { digest: string }[] };
  const blobDigests = [manifest.config.digest, ...manifest.layers.map((l) => l.digest)];
  for (const d of blobDigests) expect(await blobStored(d)).toBe(true);
  expect(await manifestStatus("v1")).toBe(200);

  // Three seconds on: gone from pulls by tag and from the list at once, still there by digest.
  clock.advance(3000);
  expect(await manifestStatus("v1")).toBe(404);
  expect(await tagNames()).not.toContain("v1");
  expect(await manifestStatus(digest)).toBe(200);

  // Restored from the time machine, it pulls again.
  const restored = await api("POST", `/repository/${REPO}/tag/v1/restore`, { manifest_digest: digest });
  expect(restored.status).toBe(200);
  expect(await manifestStatus("v1")).toBe(200);

  // Deleted, it stays (time machine) until the namespace's window (two weeks) and the push grace
  // have passed; then collection removes its manifest and its blobs' bytes.
  expect((await api("DELETE", `/repository/${REPO}/tag/v1`)).status).toBe(204);
  const gc = { graceSeconds: 3600, pace: 0 };
  await collectGarbage(server.deps, gc);
  for (const d of blobDigests) expect(await blobStored(d)).toBe(true);

  clock.advance(TWO_WEEKS_MS + HOUR_MS + 60_000);
  const run = await collectGarbage(server.deps, gc);
  expect(run?.phase).toBe("done");
  expect(run?.manifestsDeleted).toBeGreaterThanOrEqual(1);
  for (const d of blobDigests) expect(await blobStored(d)).toBe(false);
  expect(await manifestStatus(digest)).toBe(404);
}, 180_000);

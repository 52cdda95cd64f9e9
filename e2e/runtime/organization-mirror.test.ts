// Organization mirroring end to end on the real entry point, its pg-boss job doing the sync:
// CNCF distribution with htpasswd as the upstream, two repositories under its namespace `team`
// (filled by skopeo) and one under another namespace. The organization mirrors `team` with the
// filter `app*`: after sync-now `mirrors/app` exists in state ORG_MIRROR with the upstream's tags
// at the upstream's digests, `mirrors/tools` does not, and the repositories endpoint reports
// `app` synced.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type Database } from "../../db/client.ts";
import { createAccessToken } from "../../server/domain/accounts/oauth-tokens.ts";
import { createUser } from "../../server/domain/accounts/users.ts";
import { freshDatabaseUrl } from "../support/test-app.ts";
import { LayoutWriter, OCI_IMAGE, randomLayer, startUpstreamRegistry, type UpstreamRegistry } from "../support/upstream-registry.ts";
import { type ServerNode, startNode, stopNodes } from "./process.ts";
import { callApi } from "../support/api-client.ts";

let upstream: UpstreamRegistry;
let database: Database;
const nodes: ServerNode[] = [];
let storage: string | undefined;
let node: ServerNode;
let token: string;
const digests: Record<string, string> = {};

const api = <T = Record<string, unknown>>(method: string, path: string, body?: unknown) => callApi<T>(node.url, token, method, path, body);

const MIRROR = "/organization/mirrors/mirror";

beforeAll(async () => {
  upstream = await startUpstreamRegistry();
  const layout = new LayoutWriter(await mkdtemp(join(tmpdir(), "quayside-layout-")));
  const base = randomLayer(64 * 1024);
  const v1 = await layout.image([base, randomLayer(32 * 1024)], undefined, "v1");
  const v2 = await layout.image([base, randomLayer(32 * 1024)], undefined, "v2");
  await upstream.push(await layout.tag("v1", v1, OCI_IMAGE), "team/app", "v1");
  await upstream.push(await layout.tag("v2", v2, OCI_IMAGE), "team/app", "v2");
  await upstream.push(await layout.tag("v1", v1, OCI_IMAGE), "team/tools", "v1");
  await upstream.push(await layout.tag("v2", v2, OCI_IMAGE), "elsewhere/app", "v1");
  Object.assign(digests, { v1: v1.digest, v2: v2.digest });

  const databaseUrl = await freshDatabaseUrl();
  storage = await mkdtemp(join(tmpdir(), "quayside-org-mirror-blobs-"));
  node = await startNode(
    { DATABASE_URL: databaseUrl, STORAGE: storage, QUAYSIDE_SSRF_ALLOWED_HOSTS: "127.0.0.1", QUAYSIDE_SECURITY_SCANNER: "false" },
    nodes,
    { ownPublicUrl: true },
  );
  database = connect(databaseUrl, { max: 2 });
  const alice = await createUser(database.db, { username: "alice", password: "password-alice" }, { principal: { kind: "anonymous" } });
  token = await createAccessToken(database.db, alice.id, null, ["org:admin", "repo:admin", "repo:create", "user:admin"]);
}, 180_000);

afterAll(async () => {
  await stopNodes(nodes);
  if (storage) await rm(storage, { recursive: true, force: true });
  await database?.close();
  await upstream?.close();
});

async function waitForSync(timeoutMs = 150_000): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await api("GET", MIRROR);
    if (body.sync_status === "SUCCESS" || body.sync_status === "FAIL") return body;
    if (Date.now() > deadline) throw new Error(`no sync finished: ${JSON.stringify(body)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe("organization mirroring against distribution", () => {
  it("mirrors the namespace's matching repositories after sync-now, and only those", async () => {
    expect((await api("POST", "/organization/", { name: "mirrors", email: "mirrors@example.test" })).status).toBe(201);
    expect((await api("PUT", "/organization/mirrors/robots/sync", {})).status).toBe(201);
    const created = await api("POST", MIRROR, {
      external_registry_type: "harbor",
      external_registry_url: `http://${upstream.host}`,
      external_namespace: "team",
      external_registry_username: upstream.username,
      external_registry_password: upstream.password,
      repository_filters: ["app*"],
      robot_username: "mirrors+sync",
      visibility: "private",
      sync_interval: 86_400,
      // Not due by schedule: only sync-now starts it.
      sync_start_date: "2099-01-01T00:00:00Z",
    });
    expect(created.status).toBe(201);
    expect((await api("GET", MIRROR)).body.sync_status).toBe("NEVER_RUN");

    expect((await api("POST", `${MIRROR}/sync-now`)).status).toBe(204);
    expect(await waitForSync()).toMatchObject({ sync_status: "SUCCESS", repo_sync_status_counts: expect.objectContaining({ SUCCESS: 1 }) });

    const app = await api<Record<string, unknown>>("GET", "/repository/mirrors/app");
    expect(app.body).toMatchObject({ state: "ORG_MIRROR", is_public: false });
    const tags = await api<{ tags: { name: string; manifest_digest: string }[] }>("GET", "/repository/mirrors/app/tag/?onlyActiveTags=true");
    expect(Object.fromEntries(tags.body.tags.map((t) => [t.name, t.manifest_digest]))).toEqual({ v1: digests.v1, v2: digests.v2 });
    expect((await api("GET", "/repository/mirrors/tools")).status).toBe(404);

    const listed = await api<Record<string, unknown>>("GET", `${MIRROR}/repositories`);
    expect(listed.body).toMatchObject({
      repositories: [{ name: "app", sync_status: "SUCCESS", status_message: null, quay_repository: "mirrors/app" }],
      total: 1,
      has_next: false,
    });
  }, 300_000);
});

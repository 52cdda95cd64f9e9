// Repository mirroring through Quay's API (§16) against a real upstream (CNCF distribution with
// htpasswd): settings and refusals, changestate, the sync (globs, multi-arch index, new and
// deleted upstream tags, blobs fetched once), the claim's transaction id, the usage log, and
// pushes to a MIRROR repository (only the mirror robot).
import { and, eq } from "drizzle-orm";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog, manifestScans, repositoryMirrors } from "../../db/schema.ts";
import { ApiClient, sessionClient } from "../../e2e/support/api-client.ts";
import { RegistryClient } from "../../e2e/support/registry-client.ts";
import { ManualClock, type TestEnv, testEnv } from "../../e2e/support/test-app.ts";
import { LayoutWriter, mirrorRequest, OCI_IMAGE, OCI_INDEX, randomLayer, startUpstreamRegistry, type UpstreamRegistry } from "../../e2e/support/upstream-registry.ts";
import type { User } from "../domain/accounts/users.ts";
import { claimDueMirror, runMirrorSync, syncDueMirrors } from "../domain/mirroring/repository-sync.ts";

let env: TestEnv;
let api: ApiClient;
let upstream: UpstreamRegistry;
let layout: LayoutWriter;
let robotToken: string;
let bob: User;
const clock = new ManualClock();
const REPO = "/repository/alice/mirrored";

beforeAll(async () => {
  upstream = await startUpstreamRegistry();
  layout = new LayoutWriter(await mkdtemp(join(tmpdir(), "quayside-layout-")));
  const shared = randomLayer(4096);
  const a = await layout.image([shared, randomLayer(1000)], undefined, "1-a");
  const amd = await layout.image([shared, randomLayer(1200)], { architecture: "amd64", os: "linux" }, "1-b amd64");
  const arm = await layout.image([shared, randomLayer(1300)], { architecture: "arm64", os: "linux" }, "1-b arm64");
  const index = await layout.index([
    { image: amd, platform: { architecture: "amd64", os: "linux" } },
    { image: arm, platform: { architecture: "arm64", os: "linux" } },
  ]);
  const other = await layout.image([randomLayer(900)], undefined, "2-x");
  await upstream.push(await layout.tag("a", a, OCI_IMAGE), "team/app", "1-a");
  await upstream.push(await layout.tag("b", index, OCI_INDEX), "team/app", "1-b");
  await upstream.push(await layout.tag("x", other, OCI_IMAGE), "team/app", "2-x");
  await upstream.push(await layout.tag("x", other, OCI_IMAGE), "team/app", "latest");

  env = await testEnv({ QUAYSIDE_SSRF_ALLOWED_HOSTS: "127.0.0.1" }, { clock });
  const alice = await env.user("alice");
  bob = await env.user("bob");
  api = await sessionClient(env, alice);
  await api.post("/repository", { namespace: "alice", repository: "mirrored", visibility: "private", description: "" });
  robotToken = (await api.put<{ token: string }>("/user/robots/mirror", {})).body.token;
});
afterAll(async () => {
  await env?.close();
  await upstream?.close();
});

const settings = (over: Record<string, unknown> = {}) => mirrorRequest(upstream, upstream.host, over);

const liveTags = async () =>
  (await api.get<{ tags: { name: string; manifest_digest: string; is_manifest_list: boolean }[] }>(`${REPO}/tag/?onlyActiveTags=true&limit=100`)).body.tags
    .map((t) => t.name)
    .sort();
const logged = async (kind: string) => (await env.deps.db.select().from(auditLog).where(eq(auditLog.kind, kind))).map((r) => r.metadata as Record<string, unknown>);

describe("repository mirror API", () => {
  it("refuses bad settings with Quay's {detail}", async () => {
    expect((await api.get(`${REPO}/mirror`)).status).toBe(404);
    const bad = await api.post(`${REPO}/mirror`, settings({ sync_start_date: "tomorrow" }));
    expect(bad).toMatchObject({ status: 400, body: { detail: "Incorrect DateTime format for sync_start_date." } });
    expect((await api.post(`${REPO}/mirror`, settings({ skopeo_timeout_interval: 10 }))).status).toBe(400);
    expect((await api.post(`${REPO}/mirror`, settings({ external_reference: "10.1.2.3/ns/repo" }))).body).toEqual({ detail: "External reference is not allowed" });
    expect((await api.post(`${REPO}/mirror`, settings({ robot_username: "bob" }))).status).toBe(400);
    expect((await api.post(`${REPO}/mirror`, settings({ architecture_filter: ["arm64"] }))).status).toBe(400);
    const bobApi = await sessionClient(env, bob);
    expect((await bobApi.post(`${REPO}/mirror`, settings())).status).toBe(403);
  });

  it("creates the mirror, shows it without the password, and refuses a second one", async () => {
    expect((await api.post(`${REPO}/mirror`, settings())).status).toBe(201);
    expect((await api.post(`${REPO}/mirror`, settings())).status).toBe(409);
    const view = await api.get(`${REPO}/mirror`);
    expect(view.body).toMatchObject({
      is_enabled: true,
      mirror_type: "PULL",
      external_reference: `${upstream.host}/team/app`,
      external_registry_username: upstream.username,
      external_registry_config: { verify_tls: false, proxy: { http_proxy: null, https_proxy: null, no_proxy: null } },
      sync_interval: 86_400,
      sync_start_date: "2020-01-01T00:00:00Z",
      sync_status: "NEVER_RUN",
      root_rule: { rule_kind: "tag_glob_csv", rule_value: ["1-*"] },
      robot_username: "alice+mirror",
      skopeo_timeout_interval: 300,
    });
    expect(JSON.stringify(view.body)).not.toContain(upstream.password);
    expect(await logged("repo_mirror_enabled")).toHaveLength(1);
    const [row] = await env.deps.db.select().from(repositoryMirrors);
    expect(row!.passwordSealed).not.toContain(upstream.password);
  });

  it("syncs only once the repository is in state MIRROR", async () => {
    expect(await claimDueMirror(env.deps)).toBeNull();
    expect((await api.put(`${REPO}/changestate`, { state: "BOGUS" })).body).toEqual({ detail: "BOGUS is not a valid Repository state." });
    expect((await api.put(`${REPO}/changestate`, { state: "MIRROR" })).body).toEqual({ success: true });
  });

  it("copies exactly the tags matching the globs, every platform of an index", async () => {
    expect(await syncDueMirrors(env.deps)).toBe(1);
    expect(await liveTags()).toEqual(["1-a", "1-b"]);
    const view = (await api.get<Record<string, unknown>>(`${REPO}/mirror`)).body;
    expect(view.sync_status).toBe("SUCCESS");
    // Next start keeps the schedule's phase: midnight after now.
    expect(new Date(view.sync_start_date as string).getTime()).toBeGreaterThan(clock.now().getTime());
    const registry = new RegistryClient(env, { username: "alice", password: "password-alice" });
    const index = await registry.request("/v2/alice/mirrored/manifests/1-b", { headers: { accept: OCI_INDEX } });
    const children = ((await index.json()) as { manifests: { digest: string }[] }).manifests;
    for (const child of children) expect((await registry.request(`/v2/alice/mirrored/manifests/${child.digest}`, { method: "HEAD", headers: { accept: OCI_IMAGE } })).status).toBe(200);
    const [success] = await logged("repo_mirror_sync_success");
    // 1 shared layer + 3 own layers + 3 configs; the shared one fetched once.
    expect(success).toMatchObject({ blobs_fetched: 7, tags_updated: ["1-a", "1-b"] });
    expect(await logged("repo_mirror_sync_started")).toHaveLength(1);
  });

  it("queues a security scan of every manifest the sync stored, as a push would", async () => {
    const registry = new RegistryClient(env, { username: "alice", password: "password-alice" });
    const digestOf = async (reference: string, accept: string) =>
      (await registry.request(`/v2/alice/mirrored/manifests/${reference}`, { method: "HEAD", headers: { accept } })).headers.get("docker-content-digest")!;
    const index = await registry.request("/v2/alice/mirrored/manifests/1-b", { headers: { accept: OCI_INDEX } });
    const children = ((await index.json()) as { manifests: { digest: string }[] }).manifests.map((m) => m.digest);
    const synced = [await digestOf("1-a", OCI_IMAGE), await digestOf("1-b", OCI_INDEX), ...children];
    const queued = (await env.deps.db.select({ digest: manifestScans.digest }).from(manifestScans)).map((r) => r.digest);
    expect(queued.sort()).toEqual(synced.sort());
  });

  it("picks up a new upstream tag after sync-now, fetching only its new blobs", async () => {
    const c = await layout.image([randomLayer(700)], undefined, "1-c");
    await upstream.push(await layout.tag("c", c, OCI_IMAGE), "team/app", "1-c");
    expect((await api.post(`${REPO}/mirror/sync-now`)).status).toBe(204);
    expect((await api.get<{ sync_status: string }>(`${REPO}/mirror`)).body.sync_status).toBe("SYNC_NOW");
    expect(await logged("repo_mirror_sync_now_requested")).toHaveLength(1);
    await syncDueMirrors(env.deps);
    expect(await liveTags()).toEqual(["1-a", "1-b", "1-c"]);
    expect((await logged("repo_mirror_sync_success")).at(-1)).toMatchObject({ tags_updated: ["1-c"], blobs_fetched: 2 });
  });

  it("removes a tag deleted upstream", async () => {
    await upstream.delete("team/app", "1-a");
    await api.post(`${REPO}/mirror/sync-now`);
    await syncDueMirrors(env.deps);
    expect(await liveTags()).toEqual(["1-b", "1-c"]);
    expect((await logged("repo_mirror_sync_success")).at(-1)).toMatchObject({ tags_removed: ["1-a"], blobs_fetched: 0 });
  });

  it("lets a lapsed claim be taken over, and the old worker's outcome is dropped", async () => {
    await api.post(`${REPO}/mirror/sync-now`);
    const first = (await claimDueMirror(env.deps))!;
    expect(first).not.toBeNull();
    expect(await claimDueMirror(env.deps)).toBeNull(); // held
    expect((await api.post(`${REPO}/mirror/sync-now`)).status).toBe(404); // Quay: not while syncing
    clock.advance(env.config.mirror.claimSeconds * 1000 + 1000);
    const second = (await claimDueMirror(env.deps))!;
    expect(second.repositoryId).toBe(first.repositoryId);
    expect(second.transactionId).not.toBe(first.transactionId);
    await runMirrorSync(env.deps, second);
    const before = (await api.get<{ sync_start_date: string }>(`${REPO}/mirror`)).body;
    await runMirrorSync(env.deps, first); // the stale worker comes back
    expect((await api.get<{ sync_start_date: string; sync_status: string }>(`${REPO}/mirror`)).body).toMatchObject({ ...before, sync_status: "SUCCESS" });
  });

  it("cancels a requested sync, and records config changes", async () => {
    await api.post(`${REPO}/mirror/sync-now`);
    expect((await api.post(`${REPO}/mirror/sync-cancel`)).status).toBe(204);
    expect((await api.get<{ sync_status: string }>(`${REPO}/mirror`)).body.sync_status).toBe("CANCEL");
    expect(await claimDueMirror(env.deps)).toBeNull();
    expect((await api.post(`${REPO}/mirror/sync-cancel`)).status).toBe(404);
    expect((await api.put(`${REPO}/mirror`, { external_registry_password: "x" })).status).toBe(400);
    expect((await api.put(`${REPO}/mirror`, { root_rule: { rule_kind: "tag_glob_csv", rule_value: ["1-*", "latest"] }, is_enabled: false })).status).toBe(201);
    expect(await logged("repo_mirror_config_changed")).toEqual([expect.objectContaining({ changed: "root_rule", to: ["1-*", "latest"] })]);
    expect(await logged("repo_mirror_disabled")).toHaveLength(1);
    await api.put(`${REPO}/mirror`, { is_enabled: true });
  });

  it("refuses pushes to the mirror from users, accepts them from the mirror robot", async () => {
    const alice = new RegistryClient(env, { username: "alice", password: "password-alice" });
    const refused = await alice.request("/v2/alice/mirrored/blobs/uploads/", { method: "POST" });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { errors: { code: string }[] }).errors[0]!.code).toBe("DENIED");
    const robot = new RegistryClient(env, { username: "alice+mirror", password: robotToken });
    expect((await robot.pushImage("alice/mirrored", "pushed-by-robot")).digest).toMatch(/^sha256:/);
    const rows = await env.deps.db.select().from(auditLog).where(and(eq(auditLog.kind, "change_repo_state")));
    expect(rows[0]!.metadata).toMatchObject({ state_changed: "MIRROR" });
  });
});

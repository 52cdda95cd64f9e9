// Organization mirroring through Quay's API (§29) against a real upstream (CNCF distribution with
// htpasswd): settings and Quay's problem+json refusals, access, verify, the sync (discovery by
// the catalog, repository filters, repositories created in state ORG_MIRROR with their tags), the
// repositories list (paging, status filter), a lapsed claim taken over, cancel, and pushes to an
// ORG_MIRROR repository (only the mirror robot).
import { eq } from "drizzle-orm";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog, organizationMirrors } from "../../db/schema.ts";
import { ApiClient, sessionClient } from "../../e2e/support/api-client.ts";
import { RegistryClient } from "../../e2e/support/registry-client.ts";
import { ManualClock, type TestEnv, testEnv } from "../../e2e/support/test-app.ts";
import { LayoutWriter, OCI_IMAGE, randomLayer, startUpstreamRegistry, type UpstreamRegistry } from "../../e2e/support/upstream-registry.ts";
import { claimDueOrgMirror, runOrgMirrorSync, syncDueOrgMirrors } from "../domain/mirroring/organization-sync.ts";

let env: TestEnv;
let api: ApiClient;
let bobApi: ApiClient;
let upstream: UpstreamRegistry;
let robotToken: string;
const clock = new ManualClock();
const MIRROR = "/organization/mirrors/mirror";

const request = (over: Record<string, unknown> = {}) => ({
  external_registry_type: "quay",
  external_registry_url: `http://${upstream.host}`,
  external_namespace: "team",
  external_registry_username: upstream.username,
  external_registry_password: upstream.password,
  external_registry_config: { verify_tls: false },
  repository_filters: ["app*"],
  robot_username: "mirrors+sync",
  visibility: "public",
  sync_interval: 86_400,
  sync_start_date: "2020-01-01T00:00:00Z",
  ...over,
});

beforeAll(async () => {
  upstream = await startUpstreamRegistry();
  const layout = new LayoutWriter(await mkdtemp(join(tmpdir(), "quayside-layout-")));
  const shared = randomLayer(2048);
  const one = await layout.tag("one", await layout.image([shared, randomLayer(500)], undefined, "one"), OCI_IMAGE);
  const two = await layout.tag("two", await layout.image([shared, randomLayer(600)], undefined, "two"), OCI_IMAGE);
  await upstream.push(one, "team/app", "v1");
  await upstream.push(two, "team/app", "v2");
  await upstream.push(one, "team/app2", "v1");
  await upstream.push(two, "team/tools", "v1");
  await upstream.push(two, "other/app", "v1");

  env = await testEnv({ QUAYSIDE_SSRF_ALLOWED_HOSTS: "127.0.0.1" }, { clock });
  const alice = await env.user("alice");
  api = await sessionClient(env, alice);
  bobApi = await sessionClient(env, await env.user("bob"));
  for (const name of ["mirrors", "busy", "cache"]) expect((await api.post("/organization/", { name, email: `${name}@example.test` })).status).toBe(201);
  robotToken = (await api.put<{ token: string }>("/organization/mirrors/robots/sync", {})).body.token;
  await api.put("/user/robots/mine", {});
});
afterAll(async () => {
  await env?.close();
  await upstream?.close();
});

const logged = async (kind: string) => (await env.deps.db.select().from(auditLog).where(eq(auditLog.kind, kind))).map((r) => r.metadata as Record<string, unknown>);
const problem = (detail: string) => ({ status: 400, body: expect.objectContaining({ status: 400, title: "invalid_request", error_type: "invalid_request", detail, error_message: detail }) });

describe("organization mirror API", () => {
  it("refuses bad settings with Quay's problem+json 400s, and non-admins", async () => {
    expect((await api.get(MIRROR)).status).toBe(404);
    expect(await api.post(MIRROR, request({ sync_start_date: "tomorrow" }))).toMatchObject(problem("Invalid sync_start_date format. Use ISO 8601: YYYY-MM-DDTHH:MM:SSZ"));
    expect(await api.post(MIRROR, request({ sync_interval: 30 }))).toMatchObject(problem("sync_interval must be at least 60 seconds"));
    expect(await api.post(MIRROR, request({ skopeo_timeout: 10 }))).toMatchObject(problem("skopeo_timeout must be between 30 and 3600 seconds"));
    expect(await api.post(MIRROR, request({ external_registry_type: "docker" }))).toMatchObject(problem("Invalid external_registry_type: docker"));
    expect(await api.post(MIRROR, request({ visibility: "internal" }))).toMatchObject(problem("Invalid visibility: internal"));
    expect(await api.post(MIRROR, request({ robot_username: "mirrors+nobody" }))).toMatchObject(problem("Invalid robot account: mirrors+nobody"));
    expect(await api.post(MIRROR, request({ robot_username: "alice+mine" }))).toMatchObject(problem("Robot account must belong to the organization"));
    expect(await api.post(MIRROR, request({ external_registry_url: "http://10.1.2.3" }))).toMatchObject(problem("The provided registry URL is not allowed"));
    expect((await api.post(MIRROR, request({ visibility: undefined }))).status).toBe(400);
    expect((await bobApi.post(MIRROR, request())).status).toBe(403);
    expect((await bobApi.get(MIRROR)).status).toBe(403);
  });

  it("refuses an organization holding repositories or proxying a registry", async () => {
    await api.post("/repository", { namespace: "busy", repository: "own", visibility: "private", description: "" });
    await api.put("/organization/busy/robots/sync", {});
    expect(await api.post("/organization/busy/mirror", request({ robot_username: "busy+sync" }))).toMatchObject(
      problem("Cannot create organization mirror: the organization already contains repositories. Organization mirroring requires an empty organization."),
    );
    expect((await api.post("/organization/cache/proxycache", { upstream_registry: upstream.host })).status).toBe(201);
    await api.put("/organization/cache/robots/sync", {});
    expect(await api.post("/organization/cache/mirror", request({ robot_username: "cache+sync" }))).toMatchObject(
      problem("Cannot create organization mirror: the organization has a proxy cache configuration. Remove the proxy cache configuration first."),
    );
  });

  it("creates the mirror once and shows it without the password", async () => {
    expect(await api.post(MIRROR, request())).toMatchObject({ status: 201 });
    expect(await api.post(MIRROR, request())).toMatchObject(problem("Mirror configuration already exists for this organization"));
    const view = await api.get<Record<string, unknown>>(MIRROR);
    expect(view.body).toEqual({
      is_enabled: true,
      external_registry_type: "quay",
      external_registry_url: `http://${upstream.host}`,
      external_namespace: "team",
      external_registry_username: upstream.username,
      has_external_registry_password: true,
      external_registry_config: { verify_tls: false, proxy: { http_proxy: null, https_proxy: null, no_proxy: null } },
      repository_filters: ["app*"],
      robot_username: "mirrors+sync",
      visibility: "public",
      sync_interval: 86_400,
      sync_start_date: "2020-01-01T00:00:00Z",
      sync_expiration_date: null,
      sync_status: "NEVER_RUN",
      sync_retries_remaining: 3,
      repo_sync_status_counts: { NEVER_RUN: 0, SYNC_NOW: 0, SYNCING: 0, SUCCESS: 0, FAIL: 0, CANCEL: 0 },
      skopeo_timeout: 300,
      creation_date: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
    });
    expect(JSON.stringify(view.body)).not.toContain(upstream.password);
    const [row] = await env.deps.db.select().from(organizationMirrors);
    expect(row!.passwordSealed).not.toContain(upstream.password);
    expect(await logged("org_mirror_enabled")).toEqual([expect.objectContaining({ external_namespace: "team", robot_username: "mirrors+sync" })]);
  });

  it("verifies the connection and the namespace's listing", async () => {
    expect((await api.post<{ success: boolean; message: string }>(`${MIRROR}/verify`)).body).toEqual({
      success: true,
      message: `Connected to http://${upstream.host}: 3 repositories in team`,
    });
    expect((await api.put(MIRROR, { external_registry_password: "wrong" })).status).toBe(200);
    expect((await api.post<{ success: boolean }>(`${MIRROR}/verify`)).body).toMatchObject({ success: false });
    await api.put(MIRROR, { external_registry_password: upstream.password });
    expect(await logged("org_mirror_config_changed")).toHaveLength(2);
  });

  it("creates the matching repositories in state ORG_MIRROR with every tag, and only those", async () => {
    expect(await syncDueOrgMirrors(env.deps)).toBe(1);
    const tags = async (repo: string) =>
      (await api.get<{ tags: { name: string }[] }>(`/repository/mirrors/${repo}/tag/?onlyActiveTags=true`)).body.tags.map((t) => t.name).sort();
    expect(await tags("app")).toEqual(["v1", "v2"]);
    expect(await tags("app2")).toEqual(["v1"]);
    expect((await api.get("/repository/mirrors/tools")).status).toBe(404);
    const app = await api.get<Record<string, unknown>>("/repository/mirrors/app");
    expect(app.body).toMatchObject({ state: "ORG_MIRROR", is_public: true });
    const view = (await api.get<Record<string, unknown>>(MIRROR)).body;
    expect(view).toMatchObject({ sync_status: "SUCCESS", repo_sync_status_counts: expect.objectContaining({ SUCCESS: 2 }) });
    expect(await logged("org_mirror_sync_success")).toEqual([expect.objectContaining({ repositories_synced: ["app", "app2"] })]);
  });

  it("lists the repositories found, paged and by status", async () => {
    const page1 = await api.get<Record<string, unknown>>(`${MIRROR}/repositories?limit=1`);
    expect(page1.body).toEqual({
      repositories: [
        {
          name: "app",
          sync_status: "SUCCESS",
          discovery_date: expect.stringMatching(/Z$/),
          last_sync_date: expect.stringMatching(/Z$/),
          status_message: null,
          quay_repository: "mirrors/app",
        },
      ],
      page: 1,
      limit: 1,
      total: 2,
      has_next: true,
    });
    const page2 = await api.get<{ repositories: { name: string }[]; has_next: boolean }>(`${MIRROR}/repositories?limit=1&page=2`);
    expect(page2.body).toMatchObject({ repositories: [{ name: "app2" }], has_next: false });
    expect((await api.get<{ total: number }>(`${MIRROR}/repositories?status=FAIL`)).body.total).toBe(0);
    expect((await api.get<{ total: number }>(`${MIRROR}/repositories?status=SUCCESS&limit=9999`)).body).toMatchObject({ total: 2, limit: 500 });
    expect((await api.get(`${MIRROR}/repositories?status=BOGUS`)).status).toBe(400);
    expect((await bobApi.get(`${MIRROR}/repositories`)).status).toBe(403);
  });

  it("lets a lapsed claim be taken over, dropping the stale worker's outcome", async () => {
    expect(await api.post(`${MIRROR}/sync-now`)).toMatchObject({ status: 204 });
    const stale = await claimDueOrgMirror(env.deps);
    expect(stale).not.toBeNull();
    expect(await api.post(`${MIRROR}/sync-now`)).toMatchObject(problem("Cannot trigger sync: mirror is currently syncing"));
    expect(await claimDueOrgMirror(env.deps)).toBeNull();
    clock.advance((env.deps.config.mirror.claimSeconds + 1) * 1000);
    const fresh = await claimDueOrgMirror(env.deps);
    expect(fresh).not.toBeNull();
    await runOrgMirrorSync(env.deps, stale!);
    expect((await api.get<Record<string, unknown>>(MIRROR)).body.sync_status).toBe("SYNCING");
    await runOrgMirrorSync(env.deps, fresh!);
    expect((await api.get<Record<string, unknown>>(MIRROR)).body.sync_status).toBe("SUCCESS");
  });

  it("cancels once", async () => {
    expect(await api.post(`${MIRROR}/sync-cancel`)).toMatchObject({ status: 204 });
    expect(await api.post(`${MIRROR}/sync-cancel`)).toMatchObject(problem("Cannot cancel: mirror is already cancelled"));
    expect(await logged("org_mirror_sync_cancelled")).toHaveLength(1);
  });

  it("takes pushes to ORG_MIRROR repositories from the mirror robot only", async () => {
    const alice = new RegistryClient(env, { username: "alice", password: "password-alice" });
    const refused = await alice.request("/v2/mirrors/app/blobs/uploads/", { method: "POST" });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { errors: { code: string }[] }).errors[0]!.code).toBe("DENIED");
    const robot = new RegistryClient(env, { username: "mirrors+sync", password: robotToken });
    expect((await robot.pushImage("mirrors/app", "pushed-by-robot")).digest).toMatch(/^sha256:/);
  });

  it("deletes the mirror", async () => {
    expect((await bobApi.delete(MIRROR)).status).toBe(403);
    expect(await api.delete(MIRROR)).toMatchObject({ status: 204 });
    expect((await api.get(MIRROR)).status).toBe(404);
    expect((await api.delete(MIRROR)).status).toBe(404);
    expect(await logged("org_mirror_disabled")).toHaveLength(1);
  });
});

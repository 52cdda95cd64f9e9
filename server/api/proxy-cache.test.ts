// Quay's proxy cache API (§28) over the real door: view, create (once), delete, the SSRF rule,
// and validation by logging in to a real upstream (distribution with htpasswd).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog } from "../../db/schema.ts";
import { ApiClient, problem, sessionClient } from "../../e2e/support/api-client.ts";
import { type ProxyUpstream, startProxyUpstream } from "../../e2e/support/proxy-upstream.ts";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";
import { findOrganization } from "../domain/accounts/organizations.ts";

let env: TestEnv;
let api: ApiClient;
let bobApi: ApiClient;
let upstream: ProxyUpstream;
let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "quayside-proxy-api-"));
  upstream = await startProxyUpstream(work);
  env = await testEnv({ QUAYSIDE_SSRF_ALLOWED_HOSTS: "127.0.0.1" });
  api = await sessionClient(env, await env.user("alice"));
  bobApi = await sessionClient(env, await env.user("bob"));
  expect((await api.post("/organization/", { name: "cache", email: "cache@example.test" })).status).toBe(201);
}, 60_000);
afterAll(async () => {
  await env.close();
  await upstream.close();
  await rm(work, { recursive: true, force: true });
});

describe("an organization's proxy cache configuration", () => {
  it("is empty until set, then shown to members, refused to others", async () => {
    expect(await api.get("/organization/cache/proxycache")).toMatchObject({
      status: 200,
      body: { upstream_registry: "", expiration_s: "", insecure: "" },
    });
    const created = await api.post("/organization/cache/proxycache", {
      upstream_registry: upstream.host,
      upstream_registry_username: upstream.username,
      upstream_registry_password: upstream.password,
      expiration_s: 3600,
      insecure: true,
    });
    expect(created).toMatchObject({ status: 201, body: "Created" });
    expect(await api.get("/organization/cache/proxycache")).toMatchObject({
      status: 200,
      body: { upstream_registry: upstream.host, expiration_s: 3600, insecure: true },
    });
    expect((await bobApi.get("/organization/cache/proxycache")).body).toEqual(problem(403, "insufficient_scope", "Unauthorized"));
    expect((await bobApi.post("/organization/cache/proxycache", { upstream_registry: upstream.host })).status).toBe(403);
  });

  it("is not replaced by a second one, and deleted once", async () => {
    const again = await api.post("/organization/cache/proxycache", { upstream_registry: "other.example.com" });
    expect(again.body).toEqual(problem(400, "invalid_request", "Proxy Cache Configuration already exists"));
    expect(await api.delete("/organization/cache/proxycache")).toMatchObject({ status: 201, body: "Deleted" });
    expect((await api.delete("/organization/cache/proxycache")).status).toBe(404);
    const org = await findOrganization(env.deps.db, "cache");
    const kinds = (await env.deps.db.select({ kind: auditLog.kind }).from(auditLog).where(eq(auditLog.namespaceId, org!.namespaceId))).map((r) => r.kind);
    expect(kinds).toEqual(expect.arrayContaining(["create_proxy_cache_config", "delete_proxy_cache_config"]));
  });

  it("refuses upstreams on internal addresses that are not allowed", async () => {
    const res = await api.post("/organization/cache/proxycache", { upstream_registry: "10.1.2.3:5000" });
    expect(res.body).toEqual(problem(400, "invalid_request", "The provided registry URL is not allowed"));
  });
});

describe("validateproxycache", () => {
  it("logs in to the upstream: valid credentials, wrong ones, none", async () => {
    const body = { upstream_registry: upstream.host, insecure: true };
    expect(await api.post("/organization/cache/validateproxycache", { ...body, upstream_registry_username: upstream.username, upstream_registry_password: upstream.password })).toMatchObject({ status: 202, body: "Valid" });
    const wrong = await api.post("/organization/cache/validateproxycache", { ...body, upstream_registry_username: upstream.username, upstream_registry_password: "nope" });
    expect(wrong.body).toEqual(problem(400, "invalid_request", "Failed login to remote registry. Please verify entered details and try again."));
    expect(await api.post("/organization/cache/validateproxycache", body)).toMatchObject({ status: 202, body: "Anonymous" });
  });
});

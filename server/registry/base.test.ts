import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { basic, RegistryClient } from "../../e2e/support/registry-client.ts";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";

let env: TestEnv;
beforeAll(async () => {
  env = await testEnv();
  await env.user("alice");
});
afterAll(() => env.close());

describe("GET /v2/", () => {
  it("challenges anonymous callers with the token realm", async () => {
    const res = await env.app.request("/v2/");
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe('Bearer realm="http://registry.test/v2/auth",service="registry.test"');
    expect(res.headers.get("docker-distribution-api-version")).toBe("registry/2.0");
    expect(await res.json()).toEqual({ errors: [{ code: "UNAUTHORIZED", message: "authentication required", detail: null }] });
  });

  it("answers 200 with a token", async () => {
    const token = await new RegistryClient(env, { username: "alice", password: "password-alice" }).token();
    const res = await env.app.request("/v2/", { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
  });

  it("answers 200 with Basic credentials and 401 with wrong ones", async () => {
    expect((await env.app.request("/v2/", { headers: { authorization: basic("alice", "password-alice") } })).status).toBe(200);
    expect((await env.app.request("/v2/", { headers: { authorization: basic("alice", "nope") } })).status).toBe(401);
  });
});

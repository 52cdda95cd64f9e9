// Default permissions through the registry: a repository created by a push in an organization
// carries its prototypes' grants at once, and taking a grant away holds from the next request.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiClient, sessionClient } from "../../e2e/support/api-client.ts";
import { RegistryClient } from "../../e2e/support/registry-client.ts";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";

let env: TestEnv;
let admin: ApiClient;
const client = (name: string) => new RegistryClient(env, { username: name, password: `password-${name}` });

beforeAll(async () => {
  env = await testEnv();
  const alice = await env.user("alice");
  await env.user("bob");
  await env.user("carol");
  const api = await sessionClient(env, alice);
  admin = api;
  await api.post("/organization/", { name: "acme" });
  await api.put("/organization/acme/team/devs", { role: "member" });
  await api.put("/organization/acme/team/devs/members/bob");
  await api.put("/organization/acme/team/builders", { role: "creator" });
  await api.put("/organization/acme/team/builders/members/carol");
  await api.post("/organization/acme/prototypes", { role: "write", delegate: { kind: "team", name: "devs" } });
});
afterAll(() => env.close());

describe("default permissions in the registry", () => {
  it("a team granted write by a prototype pushes to a repository another user just created by push, until the grant goes", async () => {
    await client("carol").pushImage("acme/fresh", "v1");
    await client("bob").pushImage("acme/fresh", "v2");
    expect((await admin.delete("/repository/acme/fresh/permissions/team/devs")).status).toBe(204);
    await expect(client("bob").pushImage("acme/fresh", "v3")).rejects.toThrow(/blob push failed: 403/);
  });

  it("a user's direct grant taken away holds from the next request", async () => {
    expect((await admin.put("/repository/acme/fresh/permissions/user/bob", { role: "write" })).status).toBe(200);
    await client("bob").pushImage("acme/fresh", "v4");
    expect((await admin.delete("/repository/acme/fresh/permissions/user/bob")).status).toBe(204);
    await expect(client("bob").pushImage("acme/fresh", "v5")).rejects.toThrow(/blob push failed: 403/);
  });

});

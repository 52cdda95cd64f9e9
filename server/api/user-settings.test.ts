// The user's own settings over /api/v1: `PUT /user/` (e-mail, password: other sessions and
// registry credentials end) and `DELETE /user/` (refused while the last admin of an organization).
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog, teamMembers, teams } from "../../db/schema.ts";
import { ApiClient, problem, sessionClient, tokenClient } from "../../e2e/support/api-client.ts";
import { basic } from "../../e2e/support/registry-client.ts";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";
import { createOrganization, findOrganization } from "../domain/accounts/organizations.ts";
import { createRepository } from "../domain/repositories/repositories.ts";
import { toPrincipal } from "../domain/accounts/users.ts";

let env: TestEnv;
beforeAll(async () => {
  env = await testEnv();
});
afterAll(() => env.close());

const v2auth = (username: string, password: string) =>
  env.app.request("/v2/auth?service=registry.test", { headers: { authorization: basic(username, password) } });

describe("PUT /api/v1/user/", () => {
  it("refuses anonymous callers and tokens without user:admin", async () => {
    const alice = await env.user("alice");
    // Anonymous writes carry no session CSRF token: Quay's guard answers first.
    expect((await new ApiClient(env).put("/user/", { email: "a@example.com" })).body).toEqual({ error: "CSRF token was invalid or missing." });
    expect((await new ApiClient(env).delete("/user/")).status).toBe(403);
    const reader = await tokenClient(env, alice, ["user:read"]);
    expect((await reader.put("/user/", { email: "a@example.com" })).body).toEqual(problem(403, "insufficient_scope", "Unauthorized"));
  });

  it("changes the e-mail address with sign-up's rules and answers the user's view", async () => {
    const bob = await env.user("bob");
    const api = await sessionClient(env, bob);
    const res = await api.put<Record<string, unknown>>("/user/", { email: "bob@example.com" });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ username: "bob", email: "bob@example.com", is_me: true });
    expect((await api.get<Record<string, unknown>>("/user/")).body.email).toBe("bob@example.com");

    const carol = await sessionClient(env, await env.user("carol"));
    await carol.put("/user/", { email: "carol@example.com" });
    expect((await api.put("/user/", { email: "CAROL@example.com" })).body).toEqual(
      problem(400, "invalid_request", "That email address is already used by another account"),
    );
    expect((await api.put("/user/", { email: "not-an-address" })).body).toEqual(problem(400, "invalid_request", "Invalid email address"));
    expect((await api.put("/user/", { username: "robert" })).body).toEqual(problem(400, "invalid_request", "Changing the username is not supported"));
    expect((await api.put("/user/", { email: 5 })).body).toEqual(problem(400, "invalid_request", "5 is not of type 'string'"));

    const [audit] = await env.deps.db.select().from(auditLog).where(and(eq(auditLog.kind, "user_change_email"), eq(auditLog.performerId, bob.id)));
    expect(audit?.metadata).toEqual({ email: "bob@example.com", old_email: "bob@localhost" });
  });

  it("a new password ends the user's other sessions and registry credentials, not this session", async () => {
    const dave = await env.user("dave");
    const here = await sessionClient(env, dave);
    const elsewhere = await sessionClient(env, dave);
    const issued = await v2auth("dave", "password-dave");
    const bearer = `Bearer ${((await issued.json()) as { token: string }).token}`;
    expect((await env.app.request("/v2/", { headers: { authorization: bearer } })).status).toBe(200);
    expect((await elsewhere.get("/user/")).status).toBe(200);

    expect((await here.put("/user/", { password: "short" })).body).toEqual(
      problem(400, "invalid_request", "Passwords must be at least 8 characters"),
    );
    expect((await here.put("/user/", { password: "a-brand-new-password" })).status).toBe(200);

    expect((await elsewhere.get("/user/")).status).toBe(401);
    expect((await here.get("/user/")).status).toBe(200);
    expect((await env.app.request("/v2/", { headers: { authorization: bearer } })).status).toBe(401);
    expect((await v2auth("dave", "password-dave")).status).toBe(401);
    expect((await v2auth("dave", "a-brand-new-password")).status).toBe(200);
    const kinds = (await env.deps.db.select().from(auditLog).where(eq(auditLog.performerId, dave.id))).map((r) => r.kind);
    expect(kinds).toContain("user_change_password");
  });
});

describe("PUT /api/v1/user/ tag_expiration_s", () => {
  it("sets the time-machine window among Quay's options, shown in the user's view and logged", async () => {
    const dora = await env.user("dora");
    const api = await sessionClient(env, dora);
    const res = await api.put<Record<string, unknown>>("/user/", { tag_expiration_s: 86_400 });
    expect(res.status).toBe(200);
    expect(res.body.tag_expiration_s).toBe(86_400);
    expect((await api.get<Record<string, unknown>>("/user/")).body.tag_expiration_s).toBe(86_400);
    const [logged] = await env.deps.db.select().from(auditLog).where(eq(auditLog.kind, "user_change_tag_expiration"));
    expect(logged!.metadata).toEqual({ username: "dora", tag_expiration: 86_400 });
    const refused = await api.put("/user/", { tag_expiration_s: 5 });
    expect(refused.body).toEqual(problem(400, "invalid_request", "Invalid tag expiration: must be one of 0s, 1d, 1w, 2w, 4w"));
    expect((await api.get<Record<string, unknown>>("/user/")).body.tag_expiration_s).toBe(86_400);
  });
});

describe("DELETE /api/v1/user/", () => {
  it("is refused while the user is the last admin of an organization, then deletes the account", async () => {
    const erin = await env.user("erin");
    const frank = await env.user("frank");
    await createOrganization(env.deps.db, { name: "erins-org" }, { principal: toPrincipal(erin) });
    const api = await sessionClient(env, erin);

    expect((await api.delete("/user/")).body).toEqual(
      problem(400, "invalid_request", "Cannot delete this account: it is the last administrator of organization erins-org"),
    );

    // A second admin in the owners team lets erin go.
    const [owners] = await env.deps.db.select().from(teams).where(eq(teams.name, "owners"));
    await env.deps.db.insert(teamMembers).values({ teamId: owners!.id, userId: frank.id });
    const deleted = await api.delete("/user/");
    expect(deleted.status).toBe(204);
    expect((await api.get("/user/")).status).toBe(401);
    expect((await v2auth("erin", "password-erin")).status).toBe(401);
    const [audit] = await env.deps.db.select().from(auditLog).where(eq(auditLog.kind, "user_delete"));
    expect(audit).toMatchObject({ namespaceId: erin.namespaceId, metadata: { username: "erin" } });
  });
});

describe("POST /api/v1/user/convert", () => {
  it("turns the account into an organization run by another person, who is signed in instead", async () => {
    const gina = await env.user("gina");
    await env.user("hank");
    await createRepository(env.deps.db, { principal: toPrincipal(gina) }, { namespace: "gina", name: "app", visibility: "private" });
    const api = await sessionClient(env, gina);

    expect((await api.post("/user/convert", { adminUser: "hank" })).body).toEqual(problem(400, "invalid_request", "'adminPassword' is a required property"));
    expect((await api.post("/user/convert", { adminUser: "hank", adminPassword: "wrong" })).body).toEqual(
      problem(400, "invalid_request", "The admin user credentials are not valid", { reason: "invaliduser", message: "The admin user credentials are not valid" }),
    );
    expect((await api.post("/user/convert", { adminUser: "gina", adminPassword: "password-gina" })).body).toEqual(
      problem(400, "invalid_request", "The admin user is not valid", { reason: "invaliduser", message: "The admin user is not valid" }),
    );

    const res = await env.app.request("/api/v1/user/convert", {
      method: "POST",
      headers: { cookie: `quayside_session=${(api.auth as { cookie: string }).cookie}`, "x-csrf-token": (api.auth as { csrfToken: string }).csrfToken, "content-type": "application/json" },
      body: JSON.stringify({ adminUser: "hank", adminPassword: "password-hank", plan: "free" }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ success: true });
    const cookie = (res.headers.get("set-cookie") ?? "").split(";")[0]!;
    const me = await env.app.request("/api/v1/user/", { headers: { cookie } });
    expect(((await me.json()) as { username: string }).username).toBe("hank");

    // gina is an organization now; the old account and its session are gone.
    expect(await findOrganization(env.deps.db, "gina")).toMatchObject({ name: "gina", email: "gina@localhost" });
    expect((await api.get("/user/")).status).toBe(401);
    expect((await v2auth("gina", "password-gina")).status).toBe(401);
    // hank administers it: the repository is his to pull.
    const params = new URLSearchParams({ service: "registry.test", scope: "repository:gina/app:pull,push" });
    const token = await env.app.request(`/v2/auth?${params}`, { headers: { authorization: basic("hank", "password-hank") } });
    const jwt = ((await token.json()) as { token: string }).token;
    const claims = JSON.parse(Buffer.from(jwt.split(".")[1]!, "base64url").toString()) as { access: { actions: string[] }[] };
    expect(claims.access[0]?.actions.sort()).toEqual(["pull", "push"]);
    const [audit] = await env.deps.db.select().from(auditLog).where(eq(auditLog.kind, "account_convert"));
    expect(audit).toMatchObject({ namespaceId: gina.namespaceId, metadata: { username: "gina", admin: "hank" } });
  });
});

// Quay's assigned authorizations end to end: an organization admin assigns with
// `POST /oauth/authorize/assignuser` (query parameters, cookie + CSRF header), the assignee lists
// them on `GET /api/v1/user/assignedauthorization`, redeems one through /oauth/authorizeapp with
// `assignment_uuid` (once), or declines it with DELETE.
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog } from "../../db/schema.ts";
import { ApiClient, problem, sessionClient, tokenClient } from "../../e2e/support/api-client.ts";
import { type PageClient, scriptSignedInClient } from "../../e2e/support/page-client.ts";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";
import { createApplication, type OAuthApplication } from "../domain/accounts/applications.ts";
import { createOrganization, type Organization } from "../domain/accounts/organizations.ts";
import { toPrincipal, type User } from "../domain/accounts/users.ts";

const REDIRECT = "http://client.test/callback";

let env: TestEnv;
let app: OAuthApplication;
let org: Organization;
let bob: User;
let owner: { client: PageClient; csrf: string };

beforeAll(async () => {
  env = await testEnv();
  const alice = await env.user("alice");
  bob = await env.user("bob");
  const actor = { principal: toPrincipal(alice) };
  org = await createOrganization(env.deps.db, { name: "acme", email: "acme@example.com" }, actor);
  const fields = { name: "ci", redirectUri: REDIRECT, applicationUri: "http://client.test", description: "The CI", avatarEmail: null };
  app = await createApplication(env.deps.db, actor, org, fields, {});
  owner = await scriptSignedInClient(env.app, "alice");
});
afterAll(() => env.close());

function assign(by: { client: PageClient; csrf: string }, params: Record<string, string>, csrf = true) {
  const query = new URLSearchParams({ client_id: app.clientId, redirect_uri: REDIRECT, scope: "repo:read user:read", username: "bob", response_type: "token", ...params });
  return by.client.request(`/oauth/authorize/assignuser?${query}`, { method: "POST", headers: csrf ? { "X-CSRF-Token": by.csrf } : {} });
}

const listFor = async (user: User) =>
  (await (await sessionClient(env, user)).get<{ authorizations: Record<string, unknown>[] }>("/user/assignedauthorization")).body.authorizations;

describe("POST /oauth/authorize/assignuser", () => {
  it("lets an organization admin assign a token request: HTML, or {message} with format=json, and audits it", async () => {
    const html = await assign(owner, {});
    expect(html.status).toBe(200);
    expect(html.headers.get("content-type")).toContain("text/html");
    expect(await html.text()).toContain("Token assigned successfully");
    const json = await assign(owner, { format: "json", scope: "repo:write" });
    expect(json.status).toBe(200);
    expect(await json.json()).toEqual({ message: "Token assigned successfully" });
    const logs = await env.deps.db.select().from(auditLog).where(and(eq(auditLog.namespaceId, org.namespaceId), eq(auditLog.kind, "oauth_token_assigned")));
    expect(logs.map((l) => l.metadata)).toContainEqual(expect.objectContaining({ client_id: app.clientId, assigned_user: "bob", scope: "repo:read user:read" }));
  });

  it("refuses unknown applications and users (404), non-admins (403), bad requests (400), a missing CSRF token (403, signed in or not)", async () => {
    expect((await assign(owner, { client_id: "nope", format: "json" })).status).toBe(404);
    expect((await assign(owner, { username: "nobody", format: "json" })).status).toBe(404);
    const bobScript = await scriptSignedInClient(env.app, "bob");
    const refused = await assign(bobScript, { username: "alice", format: "json" });
    expect(refused.status).toBe(403);
    expect((await assign(owner, { scope: "repo:everything", format: "json" })).status).toBe(400);
    expect((await assign(owner, { redirect_uri: "http://evil.test/", format: "json" })).status).toBe(400);
    const missing = await owner.client.request(`/oauth/authorize/assignuser?client_id=${app.clientId}`, { method: "POST", headers: { "X-CSRF-Token": owner.csrf } });
    expect(missing.status).toBe(400);
    expect((await assign(owner, {}, false)).status).toBe(403);
    const anonymous = await env.app.request(`/oauth/authorize/assignuser?client_id=${app.clientId}`, { method: "POST" });
    expect(anonymous.status).toBe(403);
  });
});

describe("GET/DELETE /api/v1/user/assignedauthorization", () => {
  it("lists the caller's assignments in Quay's shape (empty list for others)", async () => {
    const carol = await env.user("carol");
    expect(await listFor(carol)).toEqual([]);
    const list = await listFor(bob);
    expect(list.length).toBeGreaterThanOrEqual(2);
    expect(list[0]).toEqual({
      uuid: expect.stringMatching(/^[0-9a-f-]{36}$/),
      application: {
        name: "ci",
        clientId: app.clientId,
        description: "The CI",
        url: "http://client.test",
        avatar: expect.objectContaining({ name: "ci", kind: "app" }),
        organization: { name: "acme", avatar: expect.objectContaining({ name: "acme", kind: "org" }) },
      },
      redirectUri: REDIRECT,
      scopes: [
        { title: "View all visible repositories", scope: "repo:read", icon: "fa-hdd-o", dangerous: false, description: expect.any(String) },
        { title: "Read User Information", scope: "user:read", icon: "fa-user", dangerous: false, description: expect.any(String) },
      ],
      responseType: "token",
    });
  });

  it("needs user:admin and a signed-in caller", async () => {
    expect((await new ApiClient(env).get("/user/assignedauthorization")).body).toEqual(problem(401, "invalid_token", "Requires authentication"));
    const narrow = await tokenClient(env, bob, ["repo:read"]);
    expect((await narrow.get("/user/assignedauthorization")).body).toEqual(problem(403, "insufficient_scope", "Unauthorized"));
  });

  it("declines: 204, then 404 for it and for anyone else's", async () => {
    await assign(owner, { scope: "repo:admin" });
    const mine = (await listFor(bob)).find((a) => (a.scopes as { scope: string }[])[0]!.scope === "repo:admin")!;
    const carol = await sessionClient(env, (await env.user("carol2"))!);
    expect((await carol.delete(`/user/assignedauthorization/${mine.uuid}`)).body).toEqual(problem(404, "not_found", "Not Found"));
    const api = await sessionClient(env, bob);
    expect((await api.delete(`/user/assignedauthorization/${mine.uuid}`)).status).toBe(204);
    expect((await api.delete(`/user/assignedauthorization/${mine.uuid}`)).status).toBe(404);
    expect((await api.delete("/user/assignedauthorization/not-a-uuid")).status).toBe(404);
  });
});

describe("redeeming an assignment", () => {
  it("lets the assignee (not an admin) authorize with assignment_uuid once, within the assigned scopes", async () => {
    const [first] = await listFor(bob);
    const bobScript = await scriptSignedInClient(env.app, "bob");
    const form = (extra: Record<string, string>) => ({
      client_id: app.clientId,
      redirect_uri: REDIRECT,
      scope: "repo:read user:read",
      response_type: "token",
      _csrf_token: bobScript.csrf,
      ...extra,
    });
    // Without the assignment, bob may not authorize the organization's application.
    expect((await bobScript.client.post("/oauth/authorizeapp", form({}))).headers.get("location")).toBe(`${REDIRECT}?error=access_denied`);
    // More than was assigned: refused, and the assignment stays.
    const wider = await bobScript.client.post("/oauth/authorizeapp", form({ assignment_uuid: String(first!.uuid), scope: "repo:admin" }));
    expect(wider.headers.get("location")).toBe(`${REDIRECT}?error=access_denied`);
    const granted = await bobScript.client.post("/oauth/authorizeapp", form({ assignment_uuid: String(first!.uuid) }));
    expect(granted.status).toBe(302);
    const token = /access_token=(.*?)&/.exec(granted.headers.get("location")!)![1]!;
    expect((await new ApiClient(env, { kind: "token", token }).get<{ username: string }>("/user/")).body.username).toBe("bob");
    // Used up: gone from the list, and a second use is refused.
    expect((await listFor(bob)).map((a) => a.uuid)).not.toContain(first!.uuid);
    const again = await bobScript.client.post("/oauth/authorizeapp", form({ assignment_uuid: String(first!.uuid) }));
    expect(again.headers.get("location")).toBe(`${REDIRECT}?error=access_denied`);
  });

  it("shows the consent page to the assignee and carries the assignment through it", async () => {
    await assign(owner, { scope: "repo:create" });
    const pending = (await listFor(bob)).find((a) => (a.scopes as { scope: string }[])[0]!.scope === "repo:create")!;
    const bobScript = await scriptSignedInClient(env.app, "bob");
    const query = new URLSearchParams({ client_id: app.clientId, redirect_uri: REDIRECT, scope: "repo:create", response_type: "token", assignment_uuid: String(pending.uuid) });
    const consent = await bobScript.client.get(`/oauth/authorize?${query}`);
    expect(consent.status).toBe(200);
    const html = await consent.text();
    expect(html).toContain("Create Repositories");
    expect(html).toContain(`name="assignment_uuid" value="${pending.uuid}"`);
  });
});

// Quay's superuser user management over /api/v1: who may call it, its shapes and refusals, and
// what its changes do to the account (sign-in, registry logins).
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog } from "../../db/schema.ts";
import { ApiClient, problem, sessionClient, staleSessionClient, tokenClient } from "../../e2e/support/api-client.ts";
import { basic } from "../../e2e/support/registry-client.ts";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";
import { grantConfiguredSuperusers } from "../domain/accounts/superusers.ts";
import { findUserByName, type User } from "../domain/accounts/users.ts";

let env: TestEnv;
let root: User;
let api: ApiClient;

beforeAll(async () => {
  env = await testEnv();
  root = await env.user("root", { superuser: true });
  await env.user("alice");
  api = await sessionClient(env, root);
});
afterAll(() => env.close());

const v2auth = (username: string, password: string) =>
  env.app.request("/v2/auth?service=registry.test", { headers: { authorization: basic(username, password) } });

const suUser = (username: string, extra: Record<string, unknown> = {}) => ({
  kind: "user",
  name: username,
  username,
  email: `${username}@localhost`,
  verified: true,
  avatar: expect.objectContaining({ name: username, kind: "user" }),
  super_user: false,
  global_readonly_super_user: false,
  enabled: true,
  ...extra,
});

describe("who may call /api/v1/superuser/users", () => {
  it("refuses anonymous callers, non-superusers and tokens without super:user", async () => {
    expect((await new ApiClient(env).get("/superuser/users/")).body).toEqual(problem(401, "invalid_token", "Requires authentication"));
    const alice = await sessionClient(env, (await findUserByName(env.deps.db, "alice"))!);
    expect((await alice.get("/superuser/users/")).body).toEqual(problem(403, "insufficient_scope", "Unauthorized"));
    expect((await alice.post("/superuser/users/", { username: "mallory" })).status).toBe(403);
    const narrow = await tokenClient(env, root, ["user:admin", "org:admin", "repo:admin"]);
    for (const res of [await narrow.get("/superuser/users/"), await narrow.get("/superuser/users/alice"), await narrow.delete("/superuser/users/alice")]) {
      expect(res.body).toEqual(problem(403, "insufficient_scope", "Unauthorized"));
    }
    const scoped = await tokenClient(env, root, ["super:user"]);
    expect((await scoped.get("/superuser/users/")).status).toBe(200);
  });
});

describe("superuser user management", () => {
  it("lists people's accounts, with or without disabled ones", async () => {
    const all = await api.get<{ users: unknown[] }>("/superuser/users/");
    expect(all.status).toBe(200);
    expect(all.body.users).toEqual([suUser("root", { super_user: true }), suUser("alice")]);
    expect((await api.get("/superuser/users?disabled=false")).status).toBe(200);

    // `limit` pages with next_page tokens.
    const first = await api.get<{ users: { username: string }[]; next_page?: string }>("/superuser/users/?limit=1");
    expect(first.body.users.map((u) => u.username)).toEqual(["root"]);
    const second = await api.get<{ users: { username: string }[]; next_page?: string }>(`/superuser/users/?limit=1&next_page=${first.body.next_page}`);
    expect(second.body).toEqual({ users: [suUser("alice")] });
  });

  it("creates an account with a temporary password shown once, usable at once", async () => {
    const created = await api.post<Record<string, string>>("/superuser/users/", { username: "bob", email: "bob@example.com" });
    expect(created.status).toBe(200);
    expect(Object.keys(created.body).sort()).toEqual(["email", "encrypted_password", "password", "username"]);
    expect(created.body).toMatchObject({ username: "bob", email: "bob@example.com" });
    expect(created.body.password).toMatch(/^[A-Z0-9]{32}$/);
    expect((await v2auth("bob", created.body.password!)).status).toBe(200);
    expect((await v2auth("bob", created.body.encrypted_password!)).status).toBe(200);

    const noEmail = await api.post<Record<string, unknown>>("/superuser/users/", { username: "carol" });
    expect(noEmail.body.email).toBeNull();

    expect((await api.post("/superuser/users/", { username: "bob" })).body).toEqual(problem(400, "invalid_request", "The username already exists"));
    expect((await api.post("/superuser/users/", {})).body).toEqual(problem(400, "invalid_request", "'username' is a required property"));
    expect((await api.post("/superuser/users/", { username: "Not Valid" })).status).toBe(400);
  });

  it("gets one account; unknown names and robots are 404", async () => {
    expect((await api.get("/superuser/users/alice")).body).toEqual(suUser("alice"));
    expect((await api.get("/superuser/users/nobody")).body).toEqual(problem(404, "not_found", "Not Found"));
  });

  it("changes e-mail and password, answering the account as it was with the new e-mail", async () => {
    await env.user("dave");
    const res = await api.put<Record<string, unknown>>("/superuser/users/dave", { email: "dave@example.com", password: "new-password-1" });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...suUser("dave", { email: "dave@example.com" }), encrypted_password: expect.any(String) });
    expect((await api.get("/superuser/users/dave")).body).toEqual(suUser("dave", { email: "dave@example.com" }));
    expect((await v2auth("dave", "password-dave")).status).toBe(401);
    expect((await v2auth("dave", "new-password-1")).status).toBe(200);
    const kinds = (await env.deps.db.select().from(auditLog).where(eq(auditLog.performerId, root.id))).map((r) => r.kind);
    expect(kinds).toEqual(expect.arrayContaining(["user_change_email", "user_change_password"]));

    expect((await api.put("/superuser/users/dave", { enabled: "yes" })).body).toEqual(problem(400, "invalid_request", "'yes' is not of type 'boolean'"));
    expect((await api.put("/superuser/users/dave", { password: "short" })).status).toBe(400);
  });

  it("disables and enables an account: a disabled one cannot log in, its sessions stop", async () => {
    const erin = await env.user("erin");
    const erinSession = await sessionClient(env, erin);
    expect((await erinSession.get("/user/")).status).toBe(200);
    const disabled = await api.put<Record<string, unknown>>("/superuser/users/erin", { enabled: false });
    expect(disabled.body.enabled).toBe(true); // as it was before the change
    expect((await api.get<Record<string, unknown>>("/superuser/users/erin")).body.enabled).toBe(false);
    expect((await v2auth("erin", "password-erin")).status).toBe(401);
    expect((await erinSession.get("/user/")).status).toBe(401);
    expect((await api.get<{ users: { username: string }[] }>("/superuser/users/?disabled=false")).body.users.map((u) => u.username)).not.toContain("erin");
    await api.put("/superuser/users/erin", { enabled: true });
    expect((await v2auth("erin", "password-erin")).status).toBe(200);
    const kinds = (await env.deps.db.select().from(auditLog).where(eq(auditLog.namespaceId, erin.namespaceId))).map((r) => r.kind);
    expect(kinds).toEqual(expect.arrayContaining(["user_disable", "user_enable"]));
  });

  it("refuses to change or delete a superuser", async () => {
    await env.user("other-root", { superuser: true });
    expect((await api.put("/superuser/users/other-root", { enabled: false })).body).toEqual(problem(400, "invalid_request", "Cannot update a superuser"));
    expect((await api.delete("/superuser/users/other-root")).body).toEqual(problem(400, "invalid_request", "Cannot delete a superuser"));
  });

  it("deletes an account with its namespace", async () => {
    await env.user("frank");
    expect((await api.delete("/superuser/users/frank")).status).toBe(204);
    expect((await api.get("/superuser/users/frank")).status).toBe(404);
    expect((await v2auth("frank", "password-frank")).status).toBe(401);
    expect((await api.delete("/superuser/users/frank")).status).toBe(404);
  });
});

describe("QUAYSIDE_SUPER_USERS", () => {
  it("makes the listed accounts superusers, those made later too", async () => {
    const grace = await env.user("grace");
    await grantConfiguredSuperusers(env.deps.db, ["grace", "henry"]);
    const graceApi = await sessionClient(env, grace);
    expect((await graceApi.get<Record<string, unknown>>("/user/")).body.super_user).toBe(true);
    expect((await graceApi.get("/superuser/users/")).status).toBe(200);

    await api.post("/superuser/users/", { username: "henry" });
    await api.post("/superuser/users/", { username: "ivan" });
    expect((await api.get<Record<string, unknown>>("/superuser/users/henry")).body.super_user).toBe(true);
    expect((await api.get<Record<string, unknown>>("/superuser/users/ivan")).body.super_user).toBe(false);
  });
});

describe("superuser organizations", () => {
  const suOrg = (name: string) => ({ name, email: `${name}@example.com`, avatar: expect.objectContaining({ name, kind: "org" }) });
  const makeOrg = async (name: string) => {
    expect((await api.post("/organization/", { name, email: `${name}@example.com` })).status).toBe(201);
  };

  it("lists every organization, paged with limit/next_page; others are refused", async () => {
    for (const name of ["orgone", "orgtwo", "orgthree"]) await makeOrg(name);
    const all = await api.get<{ organizations: unknown[] }>("/superuser/organizations/");
    expect(all.status).toBe(200);
    expect(all.body).toEqual({ organizations: [suOrg("orgone"), suOrg("orgtwo"), suOrg("orgthree")] });
    const first = await api.get<{ organizations: unknown[]; next_page: string }>("/superuser/organizations/?limit=2");
    expect(first.body.organizations).toEqual([suOrg("orgone"), suOrg("orgtwo")]);
    const rest = await api.get<{ organizations: unknown[]; next_page?: string }>(`/superuser/organizations/?limit=2&next_page=${first.body.next_page}`);
    expect(rest.body).toEqual({ organizations: [suOrg("orgthree")] });
    const alice = await sessionClient(env, (await findUserByName(env.deps.db, "alice"))!);
    expect((await alice.get("/superuser/organizations/")).body).toEqual(problem(403, "insufficient_scope", "Unauthorized"));
    expect((await alice.put("/superuser/organizations/orgone", { name: "stolen" })).status).toBe(403);
    expect((await alice.delete("/superuser/organizations/orgone")).status).toBe(403);
    const narrow = await tokenClient(env, root, ["org:admin"]);
    expect((await narrow.get("/superuser/organizations/")).body).toEqual(problem(403, "insufficient_scope", "Unauthorized"));
  });

  it("renames an organization: its repositories and robots follow, the old name is gone", async () => {
    await makeOrg("before");
    expect((await api.post("/repository", { namespace: "before", repository: "app", visibility: "private", description: "" })).status).toBe(201);
    const robot = await api.put<{ token: string }>("/organization/before/robots/ci", {});
    expect(robot.status).toBe(201);
    const renamed = await api.put("/superuser/organizations/before", { name: "after" });
    expect(renamed).toMatchObject({ status: 200, body: { name: "after", email: "before@example.com", avatar: expect.objectContaining({ name: "after" }) } });
    expect((await api.get("/organization/before")).status).toBe(404);
    expect((await api.get("/repository/after/app")).status).toBe(200);
    // No namespace of that name any more: refused, as for any namespace one may not read.
    expect((await api.get("/repository/before/app")).status).toBe(403);
    const robots = await api.get<{ robots: { name: string }[] }>("/organization/after/robots");
    expect(robots.body.robots.map((r) => r.name)).toEqual(["after+ci"]);
    expect((await v2auth("after+ci", robot.body.token)).status).toBe(200);
    expect((await v2auth("before+ci", robot.body.token)).status).toBe(401);
    const logs = await env.deps.db.select().from(auditLog).where(eq(auditLog.kind, "org_change_name"));
    expect(logs.map((l) => l.metadata)).toContainEqual(expect.objectContaining({ old_name: "before", new_name: "after" }));
  });

  it("refuses bad and taken names (400) and unknown organizations (404)", async () => {
    await makeOrg("keepname");
    const bad = await api.put("/superuser/organizations/keepname", { name: "Not A Name!" });
    expect(bad.body).toEqual(problem(400, "invalid_request", "Invalid organization name"));
    expect((await api.put("/superuser/organizations/keepname", { name: "alice" })).status).toBe(400);
    expect((await api.put("/superuser/organizations/keepname", { name: "orgone" })).status).toBe(400);
    expect((await api.put("/superuser/organizations/nosuchorg", { name: "x2" })).body).toEqual(problem(404, "not_found", "Not Found"));
    // A person's namespace is not an organization.
    expect((await api.put("/superuser/organizations/alice", { name: "x3" })).status).toBe(404);
    expect((await api.get("/organization/keepname")).status).toBe(200);
  });

  it("deletes an organization (204), then it is gone (404); sessions need a fresh sign-in", async () => {
    await makeOrg("doomed");
    const staleApi = await staleSessionClient(env, root);
    for (const res of [await staleApi.get("/superuser/organizations/"), await staleApi.delete("/superuser/organizations/doomed")]) {
      expect(res.body).toEqual(problem(401, "fresh_login_required", "Requires fresh login"));
    }
    expect((await api.delete("/superuser/organizations/doomed")).status).toBe(204);
    expect((await api.get("/organization/doomed")).status).toBe(404);
    expect((await api.delete("/superuser/organizations/doomed")).status).toBe(404);
  });
});

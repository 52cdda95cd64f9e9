// /api/v1/organization: Quay's shapes, status codes and error bodies for organizations, their
// members and collaborators.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog, namespaces, repoPermissions, repositories, sessions } from "../../db/schema.ts";
import { ApiClient, problem, sessionClient, tokenClient } from "../../e2e/support/api-client.ts";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";
import { findOrganization } from "../domain/accounts/organizations.ts";
import { toPrincipal, type User } from "../domain/accounts/users.ts";
import { createRepository } from "../domain/repositories/repositories.ts";
import { secretHash } from "../auth/secrets.ts";
import { createSession } from "../auth/sessions.ts";
import { avatar } from "./avatar.ts";

let env: TestEnv;
let alice: User;
let bob: User;
let api: ApiClient;
let bobApi: ApiClient;

beforeAll(async () => {
  env = await testEnv();
  alice = await env.user("alice");
  bob = await env.user("bob");
  api = await sessionClient(env, alice);
  bobApi = await sessionClient(env, bob);
});
afterAll(() => env.close());

const FORBIDDEN = problem(403, "insufficient_scope", "Unauthorized");
const kindsFor = async (namespaceId: number) =>
  (await env.deps.db.select({ kind: auditLog.kind }).from(auditLog).where(eq(auditLog.namespaceId, namespaceId))).map((r) => r.kind);

describe("creating an organization", () => {
  it("answers 201 \"Created\" and makes its creator an owner", async () => {
    const res = await api.post("/organization/", { name: "acme", email: "ops@acme.test" });
    expect(res).toMatchObject({ status: 201, body: "Created" });
    const view = await api.get<Record<string, unknown>>("/organization/acme");
    expect(view.status).toBe(200);
    expect(view.body).toEqual({
      name: "acme",
      email: "ops@acme.test",
      avatar: avatar("acme", "ops@acme.test", "org"),
      is_admin: true,
      is_member: true,
      teams: {
        owners: {
          name: "owners",
          description: "",
          role: "admin",
          avatar: avatar("owners", "owners", "team"),
          can_view: true,
          repo_count: 0,
          member_count: 1,
          is_synced: false,
        },
      },
      ordered_teams: ["owners"],
      invoice_email: false,
      invoice_email_address: null,
      tag_expiration_s: 1_209_600,
      is_free_account: true,
    });
  });

  it("refuses taken names, bad e-mail addresses and missing names in Quay's words", async () => {
    for (const name of ["acme", "bob"]) {
      expect(await api.post("/organization/", { name })).toEqual(
        expect.objectContaining({ status: 400, body: problem(400, "invalid_request", "A user or organization with this name already exists") }),
      );
    }
    expect((await api.post("/organization/", { name: "other", email: "nope" })).body).toEqual(
      problem(400, "invalid_request", "Invalid email address"),
    );
    expect((await api.post("/organization/", {})).body).toEqual(problem(400, "invalid_request", "'name' is a required property"));
  });

  it("needs a signed-in caller with user:admin", async () => {
    expect((await new ApiClient(env).post("/organization/", { name: "anon" })).status).toBe(403); // no CSRF token
    const reader = await tokenClient(env, alice, ["user:read"]);
    expect(await reader.post("/organization/", { name: "scoped" })).toMatchObject({ status: 403, body: FORBIDDEN });
    const admin = await tokenClient(env, alice, ["user:admin"]);
    expect((await admin.post("/organization/", { name: "scoped" })).status).toBe(201);
  });
});

describe("viewing an organization", () => {
  it("shows outsiders only its name and avatar, and a user's name is 404", async () => {
    expect((await bobApi.get("/organization/acme")).body).toEqual({
      name: "acme",
      email: "",
      avatar: avatar("acme", "ops@acme.test", "org"),
      is_admin: false,
      is_member: false,
    });
    expect((await new ApiClient(env).get("/organization/acme")).status).toBe(200);
    for (const name of ["bob", "nowhere"]) {
      expect(await bobApi.get(`/organization/${name}`)).toMatchObject({ status: 404, body: problem(404, "not_found", "Not Found") });
    }
  });

  it("shows a member the teams, with can_view only for their own", async () => {
    await api.put("/organization/acme/team/devs", { role: "member" });
    await api.put("/organization/acme/team/devs/members/bob");
    const { body } = await bobApi.get<{ is_member: boolean; is_admin: boolean; teams: Record<string, { can_view: boolean }> }>(
      "/organization/acme",
    );
    expect(body).toMatchObject({ is_member: true, is_admin: false, email: "" });
    expect(body.teams.devs!.can_view).toBe(true);
    expect(body.teams.owners!.can_view).toBe(false);
    expect(body).not.toHaveProperty("tag_expiration_s");
  });

  it("lists the user's organizations in GET /user/ with their rights there", async () => {
    const entry = (name: string, admin: boolean) => ({
      name,
      avatar: avatar(name, name === "acme" ? "ops@acme.test" : "", "org"),
      can_create_repo: admin,
      public: false,
      is_org_admin: admin,
      preferred_namespace: false,
    });
    expect((await api.get<{ organizations: unknown[] }>("/user/")).body.organizations).toEqual([entry("acme", true), entry("scoped", true)]);
    expect((await bobApi.get<{ organizations: unknown[] }>("/user/")).body.organizations).toEqual([entry("acme", false)]);
  });
});

describe("changing an organization", () => {
  it("changes e-mail, invoicing and the time machine, logged with Quay's kinds", async () => {
    const res = await api.put<Record<string, unknown>>("/organization/acme", {
      email: "team@acme.test",
      invoice_email: true,
      invoice_email_address: "bills@acme.test",
      tag_expiration_s: 604_800,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      email: "team@acme.test",
      invoice_email: true,
      invoice_email_address: "bills@acme.test",
      tag_expiration_s: 604_800,
    });
    expect((await api.get("/organization/acme")).body).toEqual(res.body); // GET returns what was stored
    const org = await findOrganization(env.deps.db, "acme");
    expect(await kindsFor(org!.namespaceId)).toEqual(
      expect.arrayContaining(["org_create", "org_change_email", "org_change_invoicing", "org_change_tag_expiration"]),
    );
  });

  it("takes only Quay's time-machine options and well-typed fields", async () => {
    expect((await api.put("/organization/acme", { tag_expiration_s: 1234 })).body).toEqual(
      problem(400, "invalid_request", "Invalid tag expiration: must be one of 0s, 1d, 1w, 2w, 4w"),
    );
    expect((await api.put("/organization/acme", { invoice_email: "yes" })).body).toEqual(
      problem(400, "invalid_request", "'yes' is not of type 'boolean'"),
    );
    expect((await api.put("/organization/acme", { tag_expiration_s: 0 })).status).toBe(200);
  });

  it("refuses members who are not admins, tokens without org:admin, and unknown names alike", async () => {
    expect(await bobApi.put("/organization/acme", { email: "x@y.z" })).toMatchObject({ status: 403, body: FORBIDDEN });
    expect((await bobApi.put("/organization/nowhere", { email: "x@y.z" })).status).toBe(403);
    const noOrgAdmin = await tokenClient(env, alice, ["repo:admin", "user:admin"]);
    expect((await noOrgAdmin.put("/organization/acme", { email: "x@y.z" })).status).toBe(403);
    const orgAdmin = await tokenClient(env, alice, ["org:admin"]);
    expect((await orgAdmin.put("/organization/acme", { email: "ops@acme.test" })).status).toBe(200);
  });
});

describe("members and collaborators", () => {
  it("lists people in teams with their teams and direct grants; robots are left out", async () => {
    const org = (await findOrganization(env.deps.db, "acme"))!;
    const repo = await createRepository(env.deps.db, { principal: toPrincipal(alice) }, { namespace: "acme", name: "app", visibility: "private" });
    await env.deps.db.insert(repoPermissions).values({ repositoryId: repo.id, userId: bob.id, role: "read" });
    await api.put("/organization/acme/robots/ci");
    await api.put("/organization/acme/team/devs/members/acme+ci");
    const { status, body } = await api.get<{ members: unknown[] }>("/organization/acme/members");
    expect(status).toBe(200);
    expect(body.members).toEqual([
      {
        name: "alice",
        kind: "user",
        avatar: avatar("alice", alice.email, "user"),
        teams: [{ name: "owners", avatar: avatar("owners", "owners", "team") }],
        repositories: ["app"], // creating a repository in an organization grants its creator admin
      },
      {
        name: "bob",
        kind: "user",
        avatar: avatar("bob", bob.email, "user"),
        teams: [{ name: "devs", avatar: avatar("devs", "devs", "team") }],
        repositories: ["app"],
      },
    ]);
    expect((await api.get("/organization/acme/members/acme+ci")).body).toMatchObject({ name: "acme+ci", kind: "robot", teams: [{ name: "devs" }] });
    expect((await api.get("/organization/acme/members/bob")).body).toEqual(body.members[1]);
    expect(org.namespaceId).toBeGreaterThan(0);
  });

  it("answers 404 for someone outside the organization and for unknown names", async () => {
    await env.user("carol");
    for (const name of ["carol", "nobody"]) {
      expect(await api.get(`/organization/acme/members/${name}`)).toMatchObject({ status: 404, body: problem(404, "not_found", "Not Found") });
    }
  });

  it("lists collaborators: granted people outside every team (an empty list at first)", async () => {
    expect(await api.get("/organization/acme/collaborators")).toMatchObject({ status: 200, body: { collaborators: [] } });
    const carol = await env.user("dora");
    const [repo] = await env.deps.db.select().from(repositories).where(eq(repositories.name, "app"));
    await env.deps.db.insert(repoPermissions).values({ repositoryId: repo!.id, userId: carol.id, role: "write" });
    expect((await api.get("/organization/acme/collaborators")).body).toEqual({
      collaborators: [{ kind: "user", name: "dora", avatar: avatar("dora", carol.email, "user"), repositories: ["app"] }],
    });
  });

  it("removes a member from every team and grant (204), but never the last admin", async () => {
    expect((await api.delete("/organization/acme/members/bob")).status).toBe(204);
    expect((await api.get("/organization/acme/members/bob")).status).toBe(404);
    expect((await api.get<{ members: { name: string }[] }>("/organization/acme/members")).body.members.map((m) => m.name)).toEqual(["alice"]);
    expect(await api.delete("/organization/acme/members/alice")).toMatchObject({
      status: 400,
      body: { message: "Cannot remove user as they are the only organization admin" },
    });
    expect((await api.delete("/organization/acme/members/nobody")).status).toBe(404);
    expect((await bobApi.get("/organization/acme/members")).status).toBe(403);
  });
});

describe("deleting an organization", () => {
  it("deletes it with its repositories (204) and logs org_delete", async () => {
    await api.post("/organization/", { name: "doomed" });
    const org = (await findOrganization(env.deps.db, "doomed"))!;
    await createRepository(env.deps.db, { principal: toPrincipal(alice) }, { namespace: "doomed", name: "app", visibility: "public" });
    expect((await bobApi.delete("/organization/doomed")).status).toBe(403);
    const stale = await createSession(env.deps.db, alice.id, new Date());
    await env.deps.db.update(sessions).set({ createdAt: new Date(Date.now() - 11 * 60_000) }).where(eq(sessions.idHash, secretHash(stale.cookie)));
    expect(await new ApiClient(env, { kind: "session", ...stale }).delete("/organization/doomed")).toMatchObject({
      status: 401,
      body: problem(401, "fresh_login_required", "Requires fresh login"),
    });
    expect((await api.delete("/organization/doomed")).status).toBe(204);
    expect((await api.get("/organization/doomed")).status).toBe(404);
    expect(await env.deps.db.select().from(repositories).where(eq(repositories.namespaceId, org.namespaceId))).toEqual([]);
    expect(await env.deps.db.select().from(namespaces).where(eq(namespaces.id, org.namespaceId))).toEqual([]);
    expect(await kindsFor(org.namespaceId)).toContain("org_delete");
  });
});

// /api/v1/organization/{org}/team/...: Quay's shapes, status codes and error bodies for teams,
// their members and their repository grants.
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog, teamRepoPermissions } from "../../db/schema.ts";
import { ApiClient, problem, sessionClient, tokenClient } from "../../e2e/support/api-client.ts";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";
import { findOrganization, type Organization } from "../domain/accounts/organizations.ts";
import { findTeam } from "../domain/accounts/teams.ts";
import { findUserByName, toPrincipal, type User } from "../domain/accounts/users.ts";
import { createRepository, findRepository } from "../domain/repositories/repositories.ts";
import { avatar } from "./avatar.ts";

let env: TestEnv;
let alice: User;
let bob: User;
let api: ApiClient;
let bobApi: ApiClient;
let org: Organization;

beforeAll(async () => {
  env = await testEnv();
  alice = await env.user("alice");
  bob = await env.user("bob");
  api = await sessionClient(env, alice);
  bobApi = await sessionClient(env, bob);
  await api.post("/organization/", { name: "acme" });
  org = (await findOrganization(env.deps.db, "acme"))!;
});
afterAll(() => env.close());

const FORBIDDEN = problem(403, "insufficient_scope", "Unauthorized");
const NOT_FOUND = problem(404, "not_found", "Not Found");
const logged = async (kind: string) =>
  (await env.deps.db.select().from(auditLog).where(and(eq(auditLog.namespaceId, org.namespaceId), eq(auditLog.kind, kind)))).map(
    (r) => r.metadata,
  );
const memberView = (user: User) => ({ name: user.username, kind: "user", is_robot: false, avatar: avatar(user.username, user.email, "user"), invited: false });

describe("PUT and DELETE a team", () => {
  it("creates a team (new_team true), then changes its role and description", async () => {
    const created = await api.put("/organization/acme/team/devs", { role: "member", description: "Developers" });
    expect(created).toMatchObject({
      status: 200,
      body: { name: "devs", description: "Developers", can_view: true, role: "member", avatar: avatar("devs", "devs", "team"), new_team: true },
    });
    const changed = await api.put("/organization/acme/team/devs", { role: "creator", description: "Builders" });
    expect(changed.body).toMatchObject({ role: "creator", description: "Builders", new_team: false });
    expect(await logged("org_create_team")).toContainEqual({ team: "devs" });
    expect(await logged("org_set_team_role")).toContainEqual({ team: "devs", role: "creator" });
    expect(await logged("org_set_team_description")).toContainEqual({ team: "devs", description: "Builders" });
  });

  it("refuses bad roles and names in Quay's words", async () => {
    expect((await api.put("/organization/acme/team/devs", { role: "boss" })).body).toEqual(
      problem(400, "invalid_request", "'boss' is not one of ['member', 'creator', 'admin']"),
    );
    expect((await api.put("/organization/acme/team/devs", {})).body).toEqual(problem(400, "invalid_request", "'role' is a required property"));
    expect(await api.put("/organization/acme/team/Bad!", { role: "member" })).toMatchObject({
      status: 400,
      body: { message: "Invalid team name Bad!: Namespace must match expression ^([a-z0-9]+(?:[._-][a-z0-9]+)*)$" },
    });
  });

  it("refuses non-admins and tokens without org:admin", async () => {
    expect(await bobApi.put("/organization/acme/team/x1", { role: "member" })).toMatchObject({ status: 403, body: FORBIDDEN });
    const token = await tokenClient(env, alice, ["repo:admin"]);
    expect((await token.put("/organization/acme/team/x1", { role: "member" })).status).toBe(403);
    expect((await new ApiClient(env).get("/organization/acme/team/devs/members")).body).toEqual(
      problem(401, "invalid_token", "Requires authentication"),
    );
  });

  it("will not take the caller's only admin team away, by role or by deletion", async () => {
    expect(await api.put("/organization/acme/team/owners", { role: "member" })).toMatchObject({
      status: 400,
      body: { message: "Cannot remove admin from team 'owners' because calling user would no longer have admin on org 'acme'" },
    });
    expect(await api.delete("/organization/acme/team/owners")).toMatchObject({
      status: 400,
      body: { message: "Deleting team 'owners' would remove admin ability for user 'alice' in organization 'acme'" },
    });
  });

  it("deletes a team (204) and answers 404 for an unknown one", async () => {
    await api.put("/organization/acme/team/temp", { role: "member" });
    expect((await api.delete("/organization/acme/team/temp")).status).toBe(204);
    expect(await findTeam(env.deps.db, org.namespaceId, "temp")).toBeUndefined();
    expect(await logged("org_delete_team")).toContainEqual({ team: "temp" });
    expect(await api.delete("/organization/acme/team/temp")).toMatchObject({ status: 404, body: NOT_FOUND });
  });
});

describe("team members", () => {
  it("lists an empty team as an empty list", async () => {
    expect(await api.get("/organization/acme/team/devs/members")).toMatchObject({
      status: 200,
      body: { name: "devs", members: [], can_edit: true },
    });
  });

  it("adds a person at once (no mail here: no invitation) and the org's robot", async () => {
    expect(await api.put("/organization/acme/team/devs/members/bob")).toMatchObject({ status: 200, body: memberView(bob) });
    await api.put("/organization/acme/robots/ci");
    expect((await api.put("/organization/acme/team/devs/members/acme+ci")).body).toMatchObject({ name: "acme+ci", is_robot: true, invited: false });
    const { body } = await api.get<{ members: unknown[] }>("/organization/acme/team/devs/members");
    expect(body.members).toEqual([
      { name: "acme+ci", kind: "user", is_robot: true, avatar: expect.objectContaining({ kind: "robot" }), invited: false },
      memberView(bob),
    ]);
    expect(await logged("org_add_team_member")).toContainEqual({ member: "bob", team: "devs" });
  });

  it("refuses unknown users, another namespace's robots and unknown teams", async () => {
    expect((await api.put("/organization/acme/team/devs/members/nobody")).body).toEqual(problem(400, "invalid_request", "Unknown user"));
    await api.put("/user/robots/mine");
    expect(await api.put("/organization/acme/team/devs/members/alice+mine")).toMatchObject({
      status: 400,
      body: { message: "Cannot add the specified robot to this team, as it is not a member of the organization" },
    });
    expect(await api.put("/organization/acme/team/ghosts/members/bob")).toMatchObject({ status: 404, body: NOT_FOUND });
    expect(await api.put("/organization/acme/team/devs/members/bob")).toMatchObject({
      status: 400,
      body: { message: "User bob is already a member of team devs" },
    });
  });

  it("lets a team's own member list it (can_edit false), but nobody else who is not an admin", async () => {
    expect((await bobApi.get("/organization/acme/team/devs/members")).body).toMatchObject({ name: "devs", can_edit: false });
    expect(await bobApi.get("/organization/acme/team/owners/members")).toMatchObject({ status: 403, body: FORBIDDEN });
  });

  it("removes a member (204); not being in the team is Quay's 400, an unknown user 404", async () => {
    expect((await api.delete("/organization/acme/team/devs/members/bob")).status).toBe(204);
    expect(await logged("org_remove_team_member")).toContainEqual({ member: "bob", team: "devs" });
    expect(await api.delete("/organization/acme/team/devs/members/bob")).toMatchObject({
      status: 400,
      body: { message: "User bob does not belong to team devs" },
    });
    expect((await api.delete("/organization/acme/team/devs/members/nobody")).status).toBe(404);
    expect(await api.delete("/organization/acme/team/owners/members/alice")).toMatchObject({
      status: 400,
      body: { message: "User cannot remove themselves from their only admin team." },
    });
  });
});

describe("without mail", () => {
  it("has no invitation endpoints (Quay hides them without MAILING)", async () => {
    const hidden = { message: "The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again." };
    expect(await api.put("/organization/acme/team/devs/invite/a@b.test")).toMatchObject({ status: 404, body: hidden });
    expect(await api.put("/teaminvite/whatever")).toMatchObject({ status: 404, body: hidden });
  });
});

describe("team permissions", () => {
  it("lists the team's grants (an empty list first)", async () => {
    expect(await api.get("/organization/acme/team/devs/permissions")).toMatchObject({ status: 200, body: { permissions: [] } });
    const repo = await createRepository(env.deps.db, { principal: toPrincipal(alice) }, { namespace: "acme", name: "app", visibility: "public" });
    const team = (await findTeam(env.deps.db, org.namespaceId, "devs"))!;
    await env.deps.db.insert(teamRepoPermissions).values({ repositoryId: repo.id, teamId: team.id, role: "write" });
    expect((await api.get("/organization/acme/team/devs/permissions")).body).toEqual({
      permissions: [{ repository: { name: "app", is_public: true }, role: "write" }],
    });
    expect((await api.get("/organization/acme/team/ghosts/permissions")).status).toBe(404);
    expect((await bobApi.get("/organization/acme/team/devs/permissions")).status).toBe(403);
  });
});

describe("what team roles allow through the API", () => {
  it("a creator team's member creates repositories in the organization, a member team's may not", async () => {
    const carol = await env.user("carol");
    const dave = await env.user("dave");
    await api.put("/organization/acme/team/builders", { role: "creator" });
    await api.put("/organization/acme/team/builders/members/carol");
    await api.put("/organization/acme/team/readers", { role: "member" });
    await api.put("/organization/acme/team/readers/members/dave");
    const created = await (await sessionClient(env, carol)).post("/repository", { namespace: "acme", repository: "built", visibility: "private", description: "" });
    expect(created).toMatchObject({ status: 201, body: { namespace: "acme", name: "built" } });
    const refused = await (await sessionClient(env, dave)).post("/repository", { namespace: "acme", repository: "nope", visibility: "private", description: "" });
    expect(refused).toMatchObject({ status: 403, body: FORBIDDEN });
  });

  it("lists the organization's repositories to its admins and to teams granted them", async () => {
    const names = async (client: ApiClient) =>
      (await client.get<{ repositories: { name: string }[] }>("/repository?namespace=acme")).body.repositories.map((r) => r.name).sort();
    const erin = await env.user("erin");
    await api.put("/organization/acme/team/leads", { role: "admin" });
    await api.put("/organization/acme/team/leads/members/erin");
    expect(await names(await sessionClient(env, erin))).toEqual(["app", "built"]);
    const team = (await findTeam(env.deps.db, org.namespaceId, "readers"))!;
    const dave = await sessionClient(env, (await findUserByName(env.deps.db, "dave"))!);
    expect(await names(dave)).toEqual([]);
    const built = (await findRepository(env.deps.db, { namespace: "acme", name: "built" }))!;
    await env.deps.db.insert(teamRepoPermissions).values({ repositoryId: built.id, teamId: team.id, role: "read" });
    expect(await names(dave)).toEqual(["built"]);
  });
});

// /api/v1/repository/{repo}/permissions/...: Quay's shapes, status codes, error bodies and log
// rows for the roles of users, robots and teams on a repository.
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog } from "../../db/schema.ts";
import { ApiClient, problem, sessionClient, tokenClient } from "../../e2e/support/api-client.ts";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";
import type { User } from "../domain/accounts/users.ts";
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
  await api.post("/organization/", { name: "acme" });
  await api.post("/repository", { namespace: "acme", repository: "app", visibility: "private", description: "" });
  await api.post("/repository", { namespace: "alice", repository: "mine", visibility: "private", description: "" });
  await api.put("/organization/acme/team/devs", { role: "member" });
  await api.put("/organization/acme/robots/ci", {});
  await api.put("/user/robots/bot", {});
});
afterAll(() => env.close());

const FORBIDDEN = problem(403, "insufficient_scope", "Unauthorized");
const logged = async (kind: string) =>
  (await env.deps.db.select().from(auditLog).where(eq(auditLog.kind, kind))).map((r) => r.metadata);
const userView = (user: User, role: string, extra: Record<string, unknown> = {}) => ({
  role,
  name: user.username,
  is_robot: false,
  avatar: avatar(user.username, user.email, "user"),
  ...extra,
});

describe("user and robot permissions", () => {
  it("lists the owner of a person's repository as admin, without is_org_member", async () => {
    expect(await api.get("/repository/alice/mine/permissions/user/")).toMatchObject({
      status: 200,
      body: { permissions: { alice: userView(alice, "admin") } },
    });
  });

  it("grants, reads, changes and removes a user's role, with Quay's log rows", async () => {
    const put = await api.put("/repository/acme/app/permissions/user/bob", { role: "read" });
    expect(put).toMatchObject({ status: 200, body: userView(bob, "read", { is_org_member: false }) });
    expect((await api.put("/repository/acme/app/permissions/user/bob", { role: "write" })).body).toMatchObject({ role: "write" });
    expect((await api.get("/repository/acme/app/permissions/user/bob")).body).toEqual(userView(bob, "write", { is_org_member: false }));
    const list = (await api.get<{ permissions: Record<string, unknown> }>("/repository/acme/app/permissions/user/")).body;
    // The creator of an organization's repository is its admin (and in the owners team).
    expect(list.permissions).toEqual({
      alice: userView(alice, "admin", { is_org_member: true }),
      bob: userView(bob, "write", { is_org_member: false }),
    });
    expect(await logged("change_repo_permission")).toContainEqual({ username: "bob", repo: "app", namespace: "acme", role: "write" });
    expect((await api.delete("/repository/acme/app/permissions/user/bob")).status).toBe(204);
    expect(await logged("delete_repo_permission")).toContainEqual({ username: "bob", repo: "app", namespace: "acme" });
    expect(await api.get("/repository/acme/app/permissions/user/bob")).toMatchObject({
      status: 400,
      body: { message: "User does not have permission for repo." },
    });
  });

  it("grants an organization's robot by its full name; refuses another namespace's robot", async () => {
    const put = await api.put("/repository/acme/app/permissions/user/acme+ci", { role: "read" });
    expect(put).toMatchObject({
      status: 200,
      body: { role: "read", name: "acme+ci", is_robot: true, is_org_member: true },
    });
    expect((await api.put("/repository/acme/app/permissions/user/alice+bot", { role: "read" })).body).toEqual(
      problem(400, "invalid_request", "Cannot add robot alice+bot under namespace acme"),
    );
  });

  it("refuses the namespace owner, unknown users, removing what is not there and bad roles", async () => {
    expect((await api.put("/repository/alice/mine/permissions/user/alice", { role: "read" })).body).toEqual(
      problem(400, "invalid_request", "Namespace owner must always be admin."),
    );
    expect((await api.delete("/repository/alice/mine/permissions/user/alice")).body).toEqual(
      problem(400, "invalid_request", "Namespace owner must always be admin."),
    );
    expect((await api.put("/repository/acme/app/permissions/user/nobody", { role: "read" })).body).toEqual(
      problem(400, "invalid_request", "Invalid username: nobody"),
    );
    expect((await api.delete("/repository/acme/app/permissions/user/bob")).body).toEqual(
      problem(400, "invalid_request", "User does not have permission for repo."),
    );
    expect((await api.put("/repository/acme/app/permissions/user/bob", { role: "boss" })).status).toBe(400);
  });

  it("lists direct and team roles transitively; 404 for an unknown account", async () => {
    await api.put("/organization/acme/team/devs/members/bob");
    await api.put("/repository/acme/app/permissions/team/devs", { role: "write" });
    await api.put("/repository/acme/app/permissions/user/bob", { role: "read" });
    const roles = (await api.get<{ permissions: { role: string }[] }>("/repository/acme/app/permissions/user/bob/transitive")).body;
    expect(roles.permissions).toHaveLength(2);
    expect(roles.permissions).toEqual(expect.arrayContaining([{ role: "read" }, { role: "write" }]));
    expect((await api.get("/repository/acme/app/permissions/user/nobody/transitive")).status).toBe(404);
    await api.delete("/repository/acme/app/permissions/team/devs");
    await api.delete("/repository/acme/app/permissions/user/bob");
  });
});

describe("team permissions", () => {
  it("an empty list at first (200), then grant, read, list and remove", async () => {
    expect(await api.get("/repository/acme/app/permissions/team/")).toMatchObject({ status: 200, body: { permissions: {} } });
    const devs = { role: "read", name: "devs", avatar: avatar("devs", "devs", "team") };
    expect(await api.put("/repository/acme/app/permissions/team/devs", { role: "read" })).toMatchObject({ status: 200, body: devs });
    expect((await api.get("/repository/acme/app/permissions/team/devs")).body).toEqual({ role: "read" });
    expect((await api.get("/repository/acme/app/permissions/team/")).body).toEqual({ permissions: { devs } });
    expect(await logged("change_repo_permission")).toContainEqual({ team: "devs", repo: "app", role: "read" });
    expect((await api.delete("/repository/acme/app/permissions/team/devs")).status).toBe(204);
    expect(await logged("delete_repo_permission")).toContainEqual({ team: "devs", repo: "app" });
  });

  it("refuses unknown teams and grants that are not there in Quay's words", async () => {
    expect((await api.put("/repository/acme/app/permissions/team/ghosts", { role: "read" })).body).toEqual(
      problem(400, "invalid_request", "No team ghosts in organization acme"),
    );
    expect(await api.get("/repository/acme/app/permissions/team/devs")).toMatchObject({
      status: 400,
      body: { message: "Team does not have permission for repo." },
    });
    expect((await api.delete("/repository/acme/app/permissions/team/devs")).body).toEqual(
      problem(400, "invalid_request", "Team does not have permission for repo."),
    );
  });
});

describe("who may see and change permissions", () => {
  it("needs admin of the repository and the repo:admin scope", async () => {
    await api.put("/repository/acme/app/permissions/user/bob", { role: "write" });
    expect((await bobApi.get("/repository/acme/app/permissions/user/")).body).toEqual(FORBIDDEN);
    expect((await bobApi.put("/repository/acme/app/permissions/team/devs", { role: "admin" })).body).toEqual(FORBIDDEN);
    const writeToken = await tokenClient(env, alice, ["repo:write"]);
    expect((await writeToken.get("/repository/acme/app/permissions/team/")).status).toBe(403);
    const adminToken = await tokenClient(env, alice, ["repo:admin"]);
    expect((await adminToken.get("/repository/acme/app/permissions/team/")).status).toBe(200);
    expect((await new ApiClient(env).get("/repository/acme/app/permissions/user/")).status).toBe(401);
    expect(
      await env.deps.db.select().from(auditLog).where(and(eq(auditLog.kind, "change_repo_permission"), eq(auditLog.performerId, bob.id))),
    ).toEqual([]);
  });
});

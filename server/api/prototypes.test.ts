// /api/v1/organization/{org}/prototypes: Quay's default permissions, their shapes, errors and log
// rows, and what they grant on repositories created in the organization afterwards.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog } from "../../db/schema.ts";
import { ApiClient, problem, sessionClient, tokenClient } from "../../e2e/support/api-client.ts";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";
import type { User } from "../domain/accounts/users.ts";
import { avatar } from "./avatar.ts";

let env: TestEnv;
let alice: User;
let bob: User;
let carol: User;
let api: ApiClient;

beforeAll(async () => {
  env = await testEnv();
  alice = await env.user("alice");
  bob = await env.user("bob");
  carol = await env.user("carol");
  api = await sessionClient(env, alice);
  await api.post("/organization/", { name: "acme" });
  await api.put("/organization/acme/team/devs", { role: "member" });
  await api.put("/organization/acme/team/builders", { role: "creator" });
  await api.put("/organization/acme/team/builders/members/carol");
  await api.put("/organization/acme/robots/ci", {});
});
afterAll(() => env.close());

interface Proto {
  id: string;
  role: string;
}
const FORBIDDEN = problem(403, "insufficient_scope", "Unauthorized");
const NOT_FOUND = problem(404, "not_found", "Not Found");
const logged = async (kind: string) => (await env.deps.db.select().from(auditLog).where(eq(auditLog.kind, kind))).map((r) => r.metadata);
const userDelegate = (user: User, isOrgMember: boolean) => ({
  name: user.username,
  is_robot: false,
  kind: "user",
  is_org_member: isOrgMember,
  avatar: avatar(user.username, user.email, "user"),
});
const devs = { name: "devs", kind: "team", avatar: avatar("devs", "devs", "team") };

describe("prototypes", () => {
  it("an empty list at first (200); creates, changes and deletes one with Quay's shapes and log rows", async () => {
    expect(await api.get("/organization/acme/prototypes")).toMatchObject({ status: 200, body: { prototypes: [] } });
    const created = await api.post<Proto>("/organization/acme/prototypes", { role: "read", delegate: { kind: "team", name: "devs" } });
    expect(created).toMatchObject({ status: 200, body: { activating_user: null, delegate: devs, role: "read" } });
    expect(created.body.id).toMatch(/^[0-9a-f-]{36}$/);
    const changed = await api.put(`/organization/acme/prototypes/${created.body.id}`, { role: "write" });
    expect(changed).toMatchObject({ status: 200, body: { id: created.body.id, role: "write", delegate: devs } });
    expect((await api.get("/organization/acme/prototypes")).body).toEqual({ prototypes: [changed.body] });
    expect((await api.delete(`/organization/acme/prototypes/${created.body.id}`)).status).toBe(204);
    expect((await api.get("/organization/acme/prototypes")).body).toEqual({ prototypes: [] });
    const meta = { prototypeid: created.body.id, username: "alice", activating_username: null, delegate_team: "devs" };
    expect(await logged("create_prototype_permission")).toContainEqual({ ...meta, role: "read" });
    expect(await logged("modify_prototype_permission")).toContainEqual({ ...meta, role: "write", original_role: "read" });
    expect(await logged("delete_prototype_permission")).toContainEqual({ ...meta, role: "write" });
  });

  it("names an activating user and a user delegate (is_org_member by team membership)", async () => {
    const created = await api.post<Proto>("/organization/acme/prototypes", {
      role: "admin",
      activating_user: { name: "carol" },
      delegate: { kind: "user", name: "bob" },
    });
    expect(created).toMatchObject({
      status: 200,
      body: { activating_user: userDelegate(carol, true), delegate: userDelegate(bob, false), role: "admin" },
    });
    const robot = await api.post("/organization/acme/prototypes", { role: "read", delegate: { kind: "user", name: "acme+ci" } });
    expect(robot.body).toMatchObject({ delegate: { name: "acme+ci", is_robot: true, kind: "user", is_org_member: true } });
    await api.delete(`/organization/acme/prototypes/${created.body.id}`);
    await api.delete(`/organization/acme/prototypes/${(robot.body as Proto).id}`);
  });

  it("refuses unknown users and teams, bad roles and unknown ids in Quay's words", async () => {
    expect((await api.post("/organization/acme/prototypes", { role: "read", activating_user: { name: "nobody" }, delegate: { kind: "team", name: "devs" } })).body).toEqual(
      problem(400, "invalid_request", "Unknown activating user"),
    );
    expect((await api.post("/organization/acme/prototypes", { role: "read", delegate: { kind: "team", name: "ghosts" } })).body).toEqual(
      problem(400, "invalid_request", "Missing delegate user or team"),
    );
    expect((await api.post("/organization/acme/prototypes", { role: "read", delegate: { kind: "user", name: "nobody" } })).body).toEqual(
      problem(400, "invalid_request", "Missing delegate user or team"),
    );
    expect((await api.post("/organization/acme/prototypes", { role: "boss", delegate: { kind: "team", name: "devs" } })).status).toBe(400);
    expect((await api.post("/organization/acme/prototypes", { role: "read" })).status).toBe(400);
    expect((await api.put("/organization/acme/prototypes/00000000-0000-0000-0000-000000000000", { role: "read" })).body).toEqual(NOT_FOUND);
    expect((await api.delete("/organization/acme/prototypes/not-a-uuid")).body).toEqual(NOT_FOUND);
  });

  it("needs an admin team and the org:admin scope", async () => {
    expect((await (await sessionClient(env, carol)).get("/organization/acme/prototypes")).body).toEqual(FORBIDDEN);
    expect((await (await tokenClient(env, alice, ["repo:admin"])).get("/organization/acme/prototypes")).status).toBe(403);
    expect((await (await tokenClient(env, alice, ["org:admin"])).get("/organization/acme/prototypes")).status).toBe(200);
    expect((await new ApiClient(env).get("/organization/acme/prototypes")).status).toBe(401);
  });
});

describe("applying prototypes when a repository is created", () => {
  it("grants delegates on new repositories; the creator's own prototype wins over a general one", async () => {
    const general = await api.post<Proto>("/organization/acme/prototypes", { role: "read", delegate: { kind: "team", name: "devs" } });
    const carols = await api.post<Proto>("/organization/acme/prototypes", {
      role: "write",
      activating_user: { name: "carol" },
      delegate: { kind: "team", name: "devs" },
    });
    const toBob = await api.post<Proto>("/organization/acme/prototypes", { role: "read", delegate: { kind: "user", name: "bob" } });
    // A prototype naming the creator as delegate grants nothing: the creator is admin.
    const toCarol = await api.post<Proto>("/organization/acme/prototypes", { role: "read", delegate: { kind: "user", name: "carol" } });
    const carolApi = await sessionClient(env, carol);
    expect((await carolApi.post("/repository", { namespace: "acme", repository: "made-by-carol", visibility: "private", description: "" })).status).toBe(201);
    await api.post("/repository", { namespace: "acme", repository: "made-by-alice", visibility: "private", description: "" });
    expect((await api.get("/repository/acme/made-by-carol/permissions/team/")).body).toEqual({ permissions: { devs: { role: "write", name: "devs", avatar: devs.avatar } } });
    expect((await api.get("/repository/acme/made-by-alice/permissions/team/")).body).toMatchObject({ permissions: { devs: { role: "read" } } });
    const carolsUsers = (await api.get<{ permissions: Record<string, { role: string }> }>("/repository/acme/made-by-carol/permissions/user/")).body;
    expect(Object.fromEntries(Object.entries(carolsUsers.permissions).map(([k, v]) => [k, v.role]))).toEqual({ bob: "read", carol: "admin" });
    for (const p of [general, carols, toBob, toCarol]) await api.delete(`/organization/acme/prototypes/${p.body.id}`);
  });

  it("grants nothing in a person's namespace", async () => {
    await api.post("/repository", { namespace: "alice", repository: "own", visibility: "private", description: "" });
    expect((await api.get("/repository/alice/own/permissions/team/")).body).toEqual({ permissions: {} });
  });
});

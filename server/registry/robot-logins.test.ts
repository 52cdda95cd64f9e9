// Robot accounts on the registry: `owner+short` with its token as the password, on /v2 (Basic) and
// /v2/auth; it acts on its grants only (it owns no namespace), and a regenerated token ends the
// old token's logins and bearer tokens at once, on this node and on another.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type Database } from "../../db/client.ts";
import { repoPermissions, users } from "../../db/schema.ts";
import { basic, RegistryClient } from "../../e2e/support/registry-client.ts";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";
import { buildApp } from "../app.ts";
import { createRobot, regenerateRobotToken } from "../domain/accounts/robots.ts";
import { toPrincipal, type User } from "../domain/accounts/users.ts";
import { createRepository } from "../domain/repositories/repositories.ts";
import { buildDeps } from "../runtime.ts";

type App = ReturnType<typeof buildApp>;

let env: TestEnv;
let otherDatabase: Database;
let otherNode: App;
let alice: User;
let token: string;
let robotId: number;
const owner = () => ({ id: alice.namespaceId, name: "alice" });

beforeAll(async () => {
  env = await testEnv();
  otherDatabase = connect(env.config.databaseUrl!, { max: 2 });
  otherNode = buildApp(await buildDeps(env.config, otherDatabase));
  alice = await env.user("alice");
  const actor = { principal: toPrincipal(alice) };
  const created = await createRobot(env.deps.db, owner(), "ci", {}, actor);
  token = created.token;
  robotId = created.robot.id;
  for (const [name, role] of [["writable", "write"], ["readable", "read"], ["private", null]] as const) {
    const repo = await createRepository(env.deps.db, actor, { namespace: "alice", name, visibility: "private" });
    if (role) await env.deps.db.insert(repoPermissions).values({ repositoryId: repo.id, userId: robotId, role });
  }
});
afterAll(async () => {
  await otherDatabase.close();
  await env.close();
});

async function grantedActions(authorization: string, scope: string): Promise<string[]> {
  const res = await env.app.request(`/v2/auth?service=registry.test&scope=${scope}`, { headers: { authorization } });
  expect(res.status).toBe(200);
  const { token: jwt } = (await res.json()) as { token: string };
  const claims = JSON.parse(Buffer.from(jwt.split(".")[1]!, "base64url").toString()) as { access: { actions: string[] }[] };
  return claims.access[0]?.actions ?? [];
}

describe("a robot login", () => {
  it("works with its token on /v2 and records the access; anything else is refused", async () => {
    const v2 = (authorization: string) => env.app.request("/v2/", { headers: { authorization } });
    expect((await v2(basic("alice+ci", token))).status).toBe(200);
    expect((await v2(basic("alice+ci", "A".repeat(64)))).status).toBe(401);
    expect((await v2(basic("alice+other", token))).status).toBe(401);
    expect((await v2(basic("alice", token))).status).toBe(401);
    const [row] = await env.deps.db.select({ at: users.lastAccessedAt }).from(users).where(eq(users.id, robotId));
    expect(row!.at).not.toBeNull();
  });

  it("gets what its grants give and nothing as if it owned the namespace", async () => {
    const login = basic("alice+ci", token);
    expect(await grantedActions(login, "repository:alice/writable:pull,push")).toEqual(["pull", "push"]);
    expect(await grantedActions(login, "repository:alice/readable:pull,push")).toEqual(["pull"]);
    expect(await grantedActions(login, "repository:alice/private:pull,push")).toEqual([]);
    expect(await grantedActions(login, "repository:alice/brand-new:pull,push")).toEqual([]);

    const robot = new RegistryClient(env, { username: "alice+ci", password: token });
    await robot.pushImage("alice/writable", "v1");
    await expect(robot.pushImage("alice/readable", "v1")).rejects.toThrow(/blob push failed: 40[13]/);
  });

  it("stops, with its bearer tokens, everywhere once the token is regenerated", async () => {
    const { token: oldToken } = await regenerateRobotToken(env.deps.db, owner(), "ci", { principal: toPrincipal(alice) });
    const login = basic("alice+ci", oldToken);
    const res = await env.app.request("/v2/auth?service=registry.test&scope=repository:alice/writable:pull", {
      headers: { authorization: login },
    });
    const bearer = `Bearer ${((await res.json()) as { token: string }).token}`;
    const path = "/v2/alice/writable/tags/list";
    for (const app of [env.app, otherNode]) {
      for (const credential of [login, bearer]) {
        expect((await app.request(path, { headers: { authorization: credential } })).status).toBe(200);
      }
    }
    const { token: newToken } = await regenerateRobotToken(env.deps.db, owner(), "ci", { principal: toPrincipal(alice) });
    for (const app of [env.app, otherNode]) {
      for (const credential of [login, bearer]) {
        // Every node drops the robot's state once the change is announced.
        await expect
          .poll(async () => (await app.request(path, { headers: { authorization: credential } })).status, { interval: 20, timeout: 2000 })
          .toBe(401);
      }
    }
    const fresh = await env.app.request(path, { headers: { authorization: basic("alice+ci", newToken) } });
    expect(fresh.status).toBe(200);
  });
});

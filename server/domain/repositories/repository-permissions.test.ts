// Direct repository roles: Quay's refusals (a robot of another namespace, the namespace's owner,
// removing a role that is not there) and its log kinds.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { auditLog } from "../../../db/schema.ts";
import { type TestEnv, testEnv } from "../../../e2e/support/test-app.ts";
import { createRobot } from "../accounts/robots.ts";
import { toPrincipal, type User } from "../accounts/users.ts";
import { createRepository } from "./repositories.ts";
import { namespaceRolesOf, setRepositoryRole } from "./repository-permissions.ts";

let env: TestEnv;
let alice: User;
let bob: User;

beforeAll(async () => {
  env = await testEnv();
  alice = await env.user("alice");
  bob = await env.user("bob");
});
afterAll(() => env.close());

it("grants, changes and removes roles with Quay's rules and log rows", async () => {
  const actor = { principal: toPrincipal(alice) };
  const repo = await createRepository(env.deps.db, actor, { namespace: "alice", name: "app", visibility: "private" });
  const { robot } = await createRobot(env.deps.db, { id: alice.namespaceId, name: "alice" }, "ci", {}, actor);
  const asRobot = { id: robot.id, username: robot.name, kind: "robot" as const, namespaceId: null, robotOwnerNamespaceId: alice.namespaceId };
  const asBob = { ...bob, kind: "user" as const };

  await setRepositoryRole(env.deps, repo.id, asRobot, "write", actor);
  await setRepositoryRole(env.deps, repo.id, asBob, "read", actor);
  await setRepositoryRole(env.deps, repo.id, asBob, "admin", actor);
  expect(await namespaceRolesOf(env.deps.db, alice.namespaceId, robot)).toEqual([{ repositoryId: repo.id, name: "app", role: "write" }]);
  expect(await namespaceRolesOf(env.deps.db, alice.namespaceId, bob)).toEqual([{ repositoryId: repo.id, name: "app", role: "admin" }]);

  await setRepositoryRole(env.deps, repo.id, asRobot, null, actor);
  expect(await namespaceRolesOf(env.deps.db, alice.namespaceId, robot)).toEqual([{ repositoryId: repo.id, name: "app", role: null }]);
  await expect(setRepositoryRole(env.deps, repo.id, asRobot, null, actor)).rejects.toThrow("User does not have permission for repo.");

  const bobs = await createRepository(env.deps.db, { principal: toPrincipal(bob) }, { namespace: "bob", name: "own", visibility: "private" });
  await expect(setRepositoryRole(env.deps, bobs.id, asRobot, "read", actor)).rejects.toThrow("Cannot add robot alice+ci under namespace bob");
  await expect(setRepositoryRole(env.deps, bobs.id, asBob, "read", actor)).rejects.toThrow("Namespace owner must always be admin.");

  const kinds = (await env.deps.db.select({ kind: auditLog.kind, metadata: auditLog.metadata }).from(auditLog).where(eq(auditLog.repositoryId, repo.id)).orderBy(auditLog.id))
    .filter((r) => r.kind.endsWith("_repo_permission"));
  expect(kinds).toEqual([
    { kind: "change_repo_permission", metadata: { username: "alice+ci", repo: "app", namespace: "alice", role: "write" } },
    { kind: "change_repo_permission", metadata: { username: "bob", repo: "app", namespace: "alice", role: "read" } },
    { kind: "change_repo_permission", metadata: { username: "bob", repo: "app", namespace: "alice", role: "admin" } },
    { kind: "delete_repo_permission", metadata: { username: "alice+ci", repo: "app", namespace: "alice" } },
  ]);
});

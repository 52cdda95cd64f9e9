// Each action writes exactly one usage-log row naming who did it: a person (browser session), a
// person through an OAuth application (token), a robot, or nobody signed in.
import { and, desc, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { auditLog, oauthApps, repoPermissions } from "../../db/schema.ts";
import { ApiClient, sessionClient } from "../../e2e/support/api-client.ts";
import { RegistryClient } from "../../e2e/support/registry-client.ts";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";
import { createAccessToken } from "../domain/accounts/oauth-tokens.ts";
import { createRobot } from "../domain/accounts/robots.ts";
import { toPrincipal, type User } from "../domain/accounts/users.ts";
import { findRepository, setVisibility } from "../domain/repositories/repositories.ts";

let env: TestEnv;
let alice: User;
let session: ApiClient;
let oauth: ApiClient;
let oauthTokenId: number;
let robotId: number;
let digest: string;
const registry: Record<"alice" | "robot" | "oauth", RegistryClient> = {} as never;

beforeAll(async () => {
  env = await testEnv();
  alice = await env.user("alice");
  session = await sessionClient(env, alice);
  const [app] = await env.deps.db.insert(oauthApps).values({ namespaceId: alice.namespaceId, name: "deployer", clientId: "CLIENT-1", clientSecret: "s" }).returning();
  const token = await createAccessToken(env.deps.db, alice.id, app!.id, ["repo:admin", "repo:create", "repo:write", "repo:read", "user:admin"]);
  oauth = new ApiClient(env, { kind: "token", token });
  registry.oauth = new RegistryClient(env, { username: "$oauthtoken", password: token });
  oauthTokenId = (await env.deps.db.execute<{ id: number }>(sql`select max(id)::int as id from oauth_tokens`))[0]!.id;
  registry.alice = new RegistryClient(env, { username: "alice", password: "password-alice" });
  ({ digest } = await registry.alice.pushImage("alice/app", "latest"));
  const repo = (await findRepository(env.deps.db, { namespace: "alice", name: "app" }))!;
  await setVisibility(env.deps, { principal: toPrincipal(alice) }, repo, "public");
  const robot = await createRobot(env.deps.db, { id: alice.namespaceId, name: "alice" }, "ci", {}, { principal: toPrincipal(alice) });
  robotId = robot.robot.id;
  await env.deps.db.insert(repoPermissions).values({ repositoryId: repo.id, userId: robotId, role: "write" });
  registry.robot = new RegistryClient(env, { username: "alice+ci", password: robot.token });
});
afterAll(() => env.close());

const rowsOf = (kind: string) =>
  env.deps.db.select().from(auditLog).where(and(eq(auditLog.kind, kind), eq(auditLog.namespaceId, alice.namespaceId))).orderBy(desc(auditLog.id));

type Performer = "user" | "oauth_app" | "robot" | "anonymous";
const cases: [string, Performer, () => Promise<number>][] = [
  ["create_repo", "user", async () => (await session.post("/repository", { namespace: "alice", repository: "s1", visibility: "private", description: "" })).status],
  ["create_repo", "oauth_app", async () => (await oauth.post("/repository", { namespace: "alice", repository: "t1", visibility: "private", description: "" })).status],
  ["change_repo_visibility", "oauth_app", async () => (await oauth.post("/repository/alice/t1/changevisibility", { visibility: "public" })).status],
  ["create_robot", "user", async () => (await session.put("/user/robots/second")).status],
  ["create_tag", "oauth_app", async () => (await oauth.put("/repository/alice/app/tag/v1", { manifest_digest: digest })).status],
  ["delete_tag", "user", async () => (await session.delete("/repository/alice/app/tag/v1")).status],
  ["push_repo", "robot", async () => (await registry.robot.pushImage("alice/app", "from-robot"), 201)],
  ["push_repo", "oauth_app", async () => (await registry.oauth.pushImage("alice/app", "from-oauth"), 201)],
  ["push_repo", "user", async () => (await registry.alice.pushImage("alice/app", "from-alice"), 201)],
  ["pull_repo", "robot", async () => (await registry.robot.request("/v2/alice/app/manifests/latest")).status],
  ["pull_repo", "anonymous", async () => (await env.app.request("/v2/alice/app/manifests/latest", { headers: { authorization: `Bearer ${await new RegistryClient(env).token("repository:alice/app:pull")}` } })).status],
];

it.each(cases)("%s by %s writes one row naming its performer", async (kind, performer, act) => {
  await env.deps.pulls.flush();
  const before = (await rowsOf(kind)).length;
  const status = await act();
  expect(status).toBeLessThan(300);
  await env.deps.pulls.flush();
  const rows = await rowsOf(kind);
  expect(rows.length - before).toBe(1);
  expect(rows[0]!.performerKind).toBe(performer);
  expect(rows[0]!.performerId).toBe(performer === "anonymous" ? null : performer === "robot" ? robotId : alice.id);
  // Quay's keys for an action through an OAuth token: the token and its application.
  const oauthKeys = { oauth_token_id: oauthTokenId, oauth_token_application_id: "CLIENT-1", oauth_token_application: "deployer" };
  if (performer === "oauth_app") expect(rows[0]!.metadata).toMatchObject(oauthKeys);
  else expect(Object.keys(rows[0]!.metadata)).not.toContain("oauth_token_id");
});

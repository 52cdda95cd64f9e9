// Revocation takes effect within moments, on this node and on others: a disabled account, a
// changed password, a deleted OAuth token, a repository made private or a revoked grant stop
// bearer tokens and remembered Basic logins that were issued before.
import { randomBytes, scryptSync } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type Database } from "../../db/client.ts";
import { oauthTokens, repoPermissions, users } from "../../db/schema.ts";
import { basic } from "../../e2e/support/registry-client.ts";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";
import { buildApp } from "../app.ts";
import { createAccessToken } from "../domain/accounts/oauth-tokens.ts";
import { hashPassword } from "../auth/passwords.ts";
import { createRepository, type Repository, setVisibility } from "../domain/repositories/repositories.ts";
import { toPrincipal, type User } from "../domain/accounts/users.ts";
import { buildDeps } from "../runtime.ts";

type App = ReturnType<typeof buildApp>;

let env: TestEnv;
/** A second node: its own pool, content cache and principal state over the same database. */
let otherNode: App;
let otherDatabase: Database;
let nodes: [string, App][];

beforeAll(async () => {
  env = await testEnv();
  otherDatabase = connect(env.config.databaseUrl!, { max: 2 });
  otherNode = buildApp(await buildDeps(env.config, otherDatabase));
  nodes = [["this node", env.app], ["another node", otherNode]];
});
afterAll(async () => {
  await otherDatabase.close();
  await env.close();
});

async function eventually(check: () => Promise<boolean>) {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error("never became true");
}

async function bearerFor(authorization: string | undefined, scope: string): Promise<string> {
  const params = new URLSearchParams({ service: "registry.test", scope });
  const res = await env.app.request(`/v2/auth?${params}`, { headers: authorization ? { authorization } : {} });
  expect(res.status).toBe(200);
  return `Bearer ${((await res.json()) as { token: string }).token}`;
}

const statusOn = async (app: App, path: string, authorization: string) =>
  (await app.request(path, { headers: { authorization } })).status;

/** Every credential works on every node now, and stops working on every node after `revoke`. */
async function expectRevoked(path: string, credentials: string[], revoke: () => Promise<unknown>, refused = 401) {
  for (const [, app] of nodes) for (const credential of credentials) expect(await statusOn(app, path, credential)).toBe(200);
  await revoke();
  for (const [name, app] of nodes) {
    for (const credential of credentials) {
      await eventually(async () => (await statusOn(app, path, credential)) === refused).catch(() => {
        throw new Error(`${credential.split(" ")[0]} still accepted on ${name}`);
      });
    }
  }
}

/** A user and its private repository `<name>/app`. */
async function userWithRepository(name: string): Promise<{ user: User; repo: Repository }> {
  const user = await env.user(name);
  const repo = await createRepository(env.deps.db, { principal: toPrincipal(user) }, { namespace: name, name: "app", visibility: "private" });
  return { user, repo };
}

const disable = (user: User) => env.deps.db.update(users).set({ enabled: false }).where(eq(users.id, user.id));

describe("an account", () => {
  it("disabled by an administrator loses its bearer tokens and remembered logins", async () => {
    const { user } = await userWithRepository("carol");
    const password = basic("carol", "password-carol");
    const bearer = await bearerFor(password, "repository:carol/app:pull");
    await expectRevoked("/v2/carol/app/tags/list", [bearer, password], () => disable(user));
    // Enabling it again does not bring tokens issued before back.
    await env.deps.db.update(users).set({ enabled: true }).where(eq(users.id, user.id));
    await eventually(async () => (await statusOn(env.app, "/v2/carol/app/tags/list", password)) === 200);
    expect(await statusOn(env.app, "/v2/carol/app/tags/list", bearer)).toBe(401);
  });

  it("whose password changed no longer accepts the old one, nor tokens issued for it", async () => {
    const { user } = await userWithRepository("dave");
    const password = basic("dave", "password-dave");
    const bearer = await bearerFor(password, "repository:dave/app:pull");
    const newHash = await hashPassword("another-password");
    await expectRevoked("/v2/dave/app/tags/list", [bearer, password], () =>
      env.deps.db.update(users).set({ passwordHash: newHash }).where(eq(users.id, user.id)),
    );
  });
});

it("a deleted OAuth token stops its $oauthtoken logins and the bearer tokens issued for them", async () => {
  const { user } = await userWithRepository("erin");
  const token = await createAccessToken(env.deps.db, user.id, null, ["repo:read"]);
  const login = basic("$oauthtoken", token);
  const bearer = await bearerFor(login, "repository:erin/app:pull");
  const other = basic("$oauthtoken", await createAccessToken(env.deps.db, user.id, null, ["repo:read"]));
  await expectRevoked("/v2/erin/app/tags/list", [bearer, login], () =>
    env.deps.db.delete(oauthTokens).where(eq(oauthTokens.userId, user.id)),
  );
  expect(await statusOn(env.app, "/v2/erin/app/tags/list", other)).toBe(401);
});

it("storing the same password again at today's cost revokes nothing", async () => {
  const { user } = await userWithRepository("ivan");
  const salt = randomBytes(16);
  const oldCost = `scrypt$16384$8$1$${salt.toString("base64")}$${scryptSync("password-ivan", salt, 32).toString("base64")}`;
  const account = async () => (await env.deps.db.select().from(users).where(eq(users.id, user.id)))[0]!;
  await env.deps.db.update(users).set({ passwordHash: oldCost }).where(eq(users.id, user.id));
  const before = await account();
  // This login stores the password at today's cost; the token it was issued stays good.
  const bearer = await bearerFor(basic("ivan", "password-ivan"), "repository:ivan/app:pull");
  const after = await account();
  expect(after.passwordHash).not.toBe(oldCost);
  expect(after.authGeneration).toBe(before.authGeneration);
  expect(await statusOn(env.app, "/v2/ivan/app/tags/list", bearer)).toBe(200);
});

describe("a repository", () => {
  it("made private no longer serves anonymous tokens issued while it was public", async () => {
    const { user, repo } = await userWithRepository("frank");
    const actor = { principal: toPrincipal(user) };
    await setVisibility(env.deps, actor, repo, "public");
    await eventually(async () => (await statusOn(otherNode, "/v2/frank/app/tags/list", await bearerFor(undefined, "repository:frank/app:pull"))) === 200);
    const anonymous = await bearerFor(undefined, "repository:frank/app:pull");
    await expectRevoked("/v2/frank/app/tags/list", [anonymous], () => setVisibility(env.deps, actor, repo, "private"));
  });

  it("whose grant was revoked no longer serves that user's tokens or Basic logins", async () => {
    const { repo } = await userWithRepository("gina");
    const reader = await env.user("hank");
    await env.deps.db.insert(repoPermissions).values({ repositoryId: repo.id, userId: reader.id, role: "read" });
    const password = basic("hank", "password-hank");
    const bearer = await bearerFor(password, "repository:gina/app:pull");
    const revoke = () =>
      env.deps.db
        .delete(repoPermissions)
        .where(and(eq(repoPermissions.repositoryId, repo.id), eq(repoPermissions.userId, reader.id)));
    await expectRevoked("/v2/gina/app/tags/list", [bearer, password], revoke, 403);
  });
});

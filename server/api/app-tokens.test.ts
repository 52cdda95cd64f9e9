// Quay's application-specific tokens over /api/v1, and their use as registry passwords: shapes,
// errors, revocation on this node and another, last-accessed bookkeeping, expiry.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type Database } from "../../db/client.ts";
import { appTokens, auditLog, sessions } from "../../db/schema.ts";
import { ApiClient, problem, sessionClient, tokenClient } from "../../e2e/support/api-client.ts";
import { basic } from "../../e2e/support/registry-client.ts";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";
import { buildApp } from "../app.ts";
import { findUserByName, type User } from "../domain/accounts/users.ts";
import { buildDeps } from "../runtime.ts";
import { secretHash } from "../auth/secrets.ts";

type TokenView = { uuid: string; title: string; last_accessed: string | null; created: string; expiration: string | null; token_code?: string };
const RFC2822 = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} -0000$/;

let env: TestEnv;
let alice: User;
let api: ApiClient;

beforeAll(async () => {
  env = await testEnv();
  alice = await env.user("alice");
  await env.user("bob");
  api = await sessionClient(env, alice);
});
afterAll(() => env.close());

const v2auth = (authorization: string) =>
  env.app.request("/v2/auth?service=registry.test", { headers: { authorization } });

async function eventually(check: () => Promise<boolean>) {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error("never became true");
}

describe("/api/v1/user/apptoken", () => {
  it("refuses anonymous callers (401) and tokens without user:admin (403)", async () => {
    const anon = new ApiClient(env);
    expect((await anon.get("/user/apptoken")).body).toEqual(problem(401, "invalid_token", "Requires authentication"));
    const reader = await tokenClient(env, alice, ["user:read", "repo:admin"]);
    const refused = await reader.get("/user/apptoken");
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual(problem(403, "insufficient_scope", "Unauthorized"));
    expect((await reader.post("/user/apptoken", { title: "x" })).status).toBe(403);
  });

  it("lists none as 200 with an empty list, echoing `expiring`", async () => {
    expect(await api.get("/user/apptoken")).toMatchObject({ status: 200, body: { tokens: [], only_expiring: null } });
    expect((await api.get("/user/apptoken?expiring=False")).body).toEqual({ tokens: [], only_expiring: false });
    expect((await api.get("/user/apptoken?expiring=true")).body).toEqual({ tokens: [], only_expiring: true });
  });

  it("creates a token shown with its code, lists it without, gets it with, and audits", async () => {
    const bad = await api.post("/user/apptoken", {});
    expect(bad.body).toEqual(problem(400, "invalid_request", "'title' is a required property"));

    const created = await api.post<{ token: TokenView }>("/user/apptoken", { title: "laptop" });
    expect(created.status).toBe(200);
    const token = created.body.token;
    expect(Object.keys(token).sort()).toEqual(["created", "expiration", "last_accessed", "title", "token_code", "uuid"]);
    expect(token).toMatchObject({ title: "laptop", last_accessed: null, expiration: null });
    expect(token.created).toMatch(RFC2822);
    expect(token.token_code).toMatch(/^[A-Z0-9]{120}$/);

    const list = await api.get<{ tokens: TokenView[] }>("/user/apptoken");
    expect(list.body.tokens).toEqual([{ uuid: token.uuid, title: "laptop", last_accessed: null, created: token.created, expiration: null }]);
    // Never expires, so never "expiring soon".
    expect((await api.get<{ tokens: TokenView[] }>("/user/apptoken?expiring=true")).body.tokens).toEqual([]);

    const one = await api.get<{ token: TokenView }>(`/user/apptoken/${token.uuid}`);
    expect(one.body.token).toEqual(token);

    const [audit] = await env.deps.db.select().from(auditLog).where(eq(auditLog.kind, "create_app_specific_token"));
    expect(audit).toMatchObject({ performerId: alice.id, namespaceId: alice.namespaceId, metadata: { app_specific_token_title: "laptop", app_specific_token: token.uuid } });
  });

  it("hides other users' tokens and unknown ones behind 404", async () => {
    const { body } = await api.post<{ token: TokenView }>("/user/apptoken", { title: "private" });
    const bob = await sessionClient(env, (await findUserByName(env.deps.db, "bob"))!);
    expect((await bob.get(`/user/apptoken/${body.token.uuid}`)).body).toEqual(problem(404, "not_found", "Not Found"));
    expect((await bob.delete(`/user/apptoken/${body.token.uuid}`)).status).toBe(404);
    expect((await bob.get<{ tokens: unknown[] }>("/user/apptoken")).body.tokens).toEqual([]);
    expect((await api.get("/user/apptoken/not-a-uuid")).status).toBe(404);
    expect((await api.get("/user/apptoken/00000000-0000-0000-0000-000000000000")).status).toBe(404);
  });
});

describe("an app token as a registry password", () => {
  let otherDatabase: Database;
  let otherNode: ReturnType<typeof buildApp>;
  beforeAll(async () => {
    otherDatabase = connect(env.config.databaseUrl!, { max: 2 });
    otherNode = buildApp(await buildDeps(env.config, otherDatabase));
  });
  afterAll(() => otherDatabase.close());

  it("logs in as `$app` or as its owner, not as anyone else, and records the use", async () => {
    const { body } = await api.post<{ token: TokenView }>("/user/apptoken", { title: "ci" });
    const code = body.token.token_code!;
    const asApp = await v2auth(basic("$app", code));
    expect(asApp.status).toBe(200);
    expect((await v2auth(basic("alice", code))).status).toBe(200);
    expect((await v2auth(basic("bob", code))).status).toBe(401);
    expect((await v2auth(basic("$app", "A".repeat(120)))).status).toBe(401);
    // The user's password still works under the user's name.
    expect((await v2auth(basic("alice", "password-alice"))).status).toBe(200);

    const listed = await api.get<{ tokens: TokenView[] }>("/user/apptoken");
    expect(listed.body.tokens.find((t) => t.uuid === body.token.uuid)?.last_accessed).toMatch(RFC2822);
  });

  it("stops working at once when revoked: Basic logins, remembered ones and bearer tokens, on every node", async () => {
    const { body } = await api.post<{ token: TokenView }>("/user/apptoken", { title: "to revoke" });
    const credential = basic("$app", body.token.token_code!);
    const issued = await v2auth(credential);
    const bearer = `Bearer ${((await issued.json()) as { token: string }).token}`;
    const status = async (app: typeof otherNode, authorization: string) => (await app.request("/v2/", { headers: { authorization } })).status;
    for (const app of [env.app, otherNode]) {
      expect(await status(app, credential)).toBe(200);
      expect(await status(app, bearer)).toBe(200);
    }

    const revoked = await api.delete(`/user/apptoken/${body.token.uuid}`);
    expect(revoked.status).toBe(204);
    // This node knows at once; the other when the notification arrives.
    expect(await status(env.app, credential)).toBe(401);
    expect(await status(env.app, bearer)).toBe(401);
    await eventually(async () => (await status(otherNode, credential)) === 401 && (await status(otherNode, bearer)) === 401);

    expect((await api.delete(`/user/apptoken/${body.token.uuid}`)).status).toBe(404);
    const [audit] = await env.deps.db.select().from(auditLog).where(eq(auditLog.kind, "revoke_app_specific_token"));
    expect(audit?.metadata).toEqual({ app_specific_token_title: "to revoke", app_specific_token: body.token.uuid });
  });
});

describe("with QUAYSIDE_APP_TOKEN_EXPIRATION", () => {
  let expiring: TestEnv;
  afterAll(() => expiring?.close());

  it("tokens expire after the configured time and count as expiring within its last tenth", async () => {
    let now = new Date("2026-01-01T00:00:00Z");
    expiring = await testEnv({ QUAYSIDE_APP_TOKEN_EXPIRATION: "10d" }, { clock: { now: () => now } });
    const user = await expiring.user("carol");
    const client = await sessionClient(expiring, user);
    const { body } = await client.post<{ token: TokenView }>("/user/apptoken", { title: "short" });
    expect(body.token.expiration).toBe("Sun, 11 Jan 2026 00:00:00 -0000");
    expect((await client.get<{ tokens: unknown[] }>("/user/apptoken?expiring=true")).body.tokens).toEqual([]);

    now = new Date("2026-01-10T01:00:00Z");
    expect((await client.get<{ tokens: unknown[] }>("/user/apptoken?expiring=true")).body.tokens).toHaveLength(1);
    const login = () => expiring.app.request("/v2/auth?service=registry.test", { headers: { authorization: basic("$app", body.token.token_code!) } });
    expect((await login()).status).toBe(200);

    now = new Date("2026-01-11T00:00:01Z");
    expect((await login()).status).toBe(401);
    const [row] = await expiring.deps.db.select().from(appTokens).where(eq(appTokens.uuid, body.token.uuid));
    expect(row?.lastAccessedAt).toEqual(new Date("2026-01-10T01:00:00Z"));
  });
});

describe("fresh login (Quay's require_fresh_login)", () => {
  it("refuses sensitive account operations to a session signed in over ten minutes ago; tokens are exempt", async () => {
    const dana = await env.user("dana", { superuser: true });
    const stale = await sessionClient(env, dana);
    const cookie = (stale.auth as { cookie: string }).cookie;
    await env.deps.db.update(sessions).set({ createdAt: new Date(Date.now() - 11 * 60_000) }).where(eq(sessions.idHash, secretHash(cookie)));
    const fresh = problem(401, "fresh_login_required", "Requires fresh login");

    expect((await stale.get("/user/apptoken")).status).toBe(200); // listing is not sensitive
    expect((await stale.post("/user/apptoken", { title: "x" })).body).toEqual(fresh);
    expect((await stale.put("/user/", { email: "dana@example.com" })).body).toEqual(fresh);
    expect((await stale.delete("/user/")).body).toEqual(fresh);
    expect((await stale.get("/superuser/users/")).body).toEqual(fresh);

    const token = await tokenClient(env, dana, ["user:admin", "super:user"]);
    const created = await token.post<{ token: TokenView }>("/user/apptoken", { title: "x" });
    expect(created.status).toBe(200);
    expect((await stale.get(`/user/apptoken/${created.body.token.uuid}`)).body).toEqual(fresh);
    expect((await stale.delete(`/user/apptoken/${created.body.token.uuid}`)).body).toEqual(fresh);
    expect((await token.get("/superuser/users/")).status).toBe(200);
  });
});

// Who may call /api/v1: OAuth scopes cap real rights, sessions need CSRF tokens for writes,
// anonymous callers are told to authenticate.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { oauthTokens } from "../../db/schema.ts";
import { ApiClient, problem, sessionClient, tokenClient } from "../../e2e/support/api-client.ts";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";
import { createAccessToken } from "../domain/accounts/oauth-tokens.ts";
import { secretHash } from "../auth/secrets.ts";
import type { User } from "../domain/accounts/users.ts";

let env: TestEnv;
let alice: User;
let bob: User;
const newRepo = (repository: string, visibility = "private") => ({ repository, visibility, description: "" });

beforeAll(async () => {
  env = await testEnv();
  alice = await env.user("alice");
  bob = await env.user("bob");
  const owner = await tokenClient(env, alice, ["repo:admin", "repo:create"]);
  expect((await owner.post("/repository", newRepo("private-repo"))).status).toBe(201);
  expect((await owner.post("/repository", newRepo("public-repo", "public"))).status).toBe(201);
});
afterAll(() => env.close());

describe("OAuth scopes", () => {
  it("refuses repository creation without repo:create: 403 insufficient_scope", async () => {
    const reader = await tokenClient(env, alice, ["repo:read"]);
    const res = await reader.post("/repository", newRepo("nope"));
    expect(res.status).toBe(403);
    expect(res.body).toEqual(problem(403, "insufficient_scope", "Unauthorized"));
    expect((await reader.get("/repository/alice/nope")).status).toBe(404);
  });

  it("lets org:admin create repositories too (Quay's namespace role)", async () => {
    const orgAdmin = await tokenClient(env, alice, ["org:admin"]);
    expect((await orgAdmin.post("/repository", newRepo("via-org-admin"))).status).toBe(201);
  });

  it("caps the owner's admin role at the token's repo scope", async () => {
    const reader = await tokenClient(env, alice, ["repo:read"]);
    const view = await reader.get<{ can_write: boolean; can_admin: boolean }>("/repository/alice/private-repo");
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({ can_write: false, can_admin: false });
    expect((await reader.put("/repository/alice/private-repo", { description: "x" })).status).toBe(403);

    const writer = await tokenClient(env, alice, ["repo:write"]);
    expect((await writer.get<{ can_write: boolean }>("/repository/alice/private-repo")).body).toMatchObject({
      can_write: true,
      can_admin: false,
    });
    expect((await writer.put("/repository/alice/private-repo", { description: "x" })).status).toBe(200);
    const refused = await writer.post("/repository/alice/private-repo/changevisibility", { visibility: "public" });
    expect(refused.status).toBe(403);
    expect((await writer.delete("/repository/alice/private-repo")).status).toBe(403);

    // repo:admin implies write and read.
    const admin = await tokenClient(env, alice, ["repo:admin"]);
    expect((await admin.get<{ can_admin: boolean }>("/repository/alice/private-repo")).body).toMatchObject({ can_admin: true });
  });

  it("hides private repositories from a token without any repo scope, but not public ones", async () => {
    const userOnly = await tokenClient(env, alice, ["user:read"]);
    expect((await userOnly.get("/repository/alice/private-repo")).status).toBe(403);
    expect((await userOnly.get("/repository/alice/public-repo")).status).toBe(200);
    const list = await userOnly.get<{ repositories: { name: string }[] }>("/repository?namespace=alice&public=true");
    expect(list.body.repositories.map((r) => r.name)).toEqual(["public-repo"]);
  });

  it("never widens real rights: bob's admin token cannot touch alice's repository", async () => {
    const bobAdmin = await tokenClient(env, bob, ["repo:admin", "repo:create"]);
    expect((await bobAdmin.get("/repository/alice/private-repo")).status).toBe(403);
    expect((await bobAdmin.put("/repository/alice/public-repo", { description: "x" })).status).toBe(403);
    const create = await bobAdmin.post("/repository", { ...newRepo("intruder"), namespace: "alice" });
    expect(create.status).toBe(403);
    expect(create.body).toEqual(problem(403, "insufficient_scope", "Unauthorized"));
  });

  it("expired tokens count as no token", async () => {
    const token = await createAccessToken(env.deps.db, alice.id, null, ["user:read"]);
    await env.deps.db
      .update(oauthTokens)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(oauthTokens.tokenHash, secretHash(token)));
    expect((await new ApiClient(env, { kind: "token", token }).get("/user/")).status).toBe(401);
  });
});

describe("browser sessions", () => {
  it("hold every scope", async () => {
    const session = await sessionClient(env, alice);
    expect((await session.get<{ can_admin: boolean }>("/repository/alice/private-repo")).body).toMatchObject({ can_admin: true });
  });

  it("need the CSRF token for writes, not for reads", async () => {
    const session = await sessionClient(env, alice);
    const noCsrf = session.withoutCsrf();
    expect((await noCsrf.get("/repository/alice/private-repo")).status).toBe(200);

    const refused = await noCsrf.post("/repository", newRepo("csrf-less"));
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({ error: "CSRF token was invalid or missing." });
    expect((await noCsrf.put("/repository/alice/private-repo", { description: "x" })).status).toBe(403);
    expect((await noCsrf.delete("/repository/alice/private-repo")).status).toBe(403);

    const wrong = new ApiClient(env, { ...(session.auth as { kind: "session"; cookie: string; csrfToken: string }), csrfToken: "wrong" });
    expect((await wrong.post("/repository", newRepo("csrf-wrong"))).status).toBe(403);

    expect((await session.post("/repository", newRepo("csrf-ok"))).status).toBe(201);
    expect((await session.get("/repository/alice/csrf-less")).status).toBe(404);
  });

  it("OAuth callers are exempt from CSRF", async () => {
    const token = await tokenClient(env, alice, ["repo:create"]);
    expect((await token.post("/repository", newRepo("token-made"))).status).toBe(201);
  });
});

describe("anonymous callers", () => {
  const anon = () => new ApiClient(env);

  it("are told to authenticate (401 invalid_token) for private repositories", async () => {
    const res = await anon().get("/repository/alice/private-repo");
    expect(res.status).toBe(401);
    expect(res.body).toEqual(problem(401, "invalid_token", "Requires authentication"));
    // A missing repository looks the same: nothing leaks.
    expect((await anon().get("/repository/alice/missing")).body).toEqual(res.body);
  });

  it("may read public repositories", async () => {
    const res = await anon().get<{ name: string; can_write: boolean; is_starred: boolean }>("/repository/alice/public-repo");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: "public-repo", can_write: false, is_starred: false });
  });

  it("cannot write: without a session there is no CSRF token", async () => {
    const res = await anon().post("/repository", newRepo("anon"));
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ error: "CSRF token was invalid or missing." });
  });
});

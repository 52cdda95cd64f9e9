import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog, oauthApps } from "../../db/schema.ts";
import { ApiClient, problem, sessionClient, tokenClient } from "../../e2e/support/api-client.ts";
import { basic } from "../../e2e/support/registry-client.ts";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";
import { SESSION_COOKIE } from "../auth/sessions.ts";

const ALL_SCOPES = "org:admin repo:admin repo:create repo:read repo:write super:user user:admin user:read";

describe("POST /api/v1/user/initialize", () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await testEnv();
  });
  afterAll(() => env.close());

  const initialize = (body: unknown, contentType = "application/json") =>
    env.app.request("/api/v1/user/initialize", {
      method: "POST",
      headers: { "content-type": contentType },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });

  it("refuses bad input with Quay's {message} and creates nobody", async () => {
    const short = await initialize({ username: "admin", password: "short" });
    expect(short.status).toBe(400);
    expect(await short.json()).toEqual({ message: "Failed to initialize user: Passwords must be at least 8 characters" });

    // Quay's rule: no whitespace in passwords.
    const spaces = await initialize({ username: "admin", password: " ".repeat(8) });
    expect(await spaces.json()).toEqual({ message: "Failed to initialize user: Passwords cannot contain spaces" });

    const missing = await initialize({ password: "long-enough" });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({ message: "Failed to initialize user: 'username' is a required property" });

    const badName = await initialize({ username: "No Spaces", password: "long-enough" });
    expect(badName.status).toBe(400);
    expect(((await badName.json()) as { message: string }).message).toMatch(/^Failed to initialize user: Usernames are/);

    const notJson = await initialize("username=x", "application/x-www-form-urlencoded");
    expect(notJson.status).toBe(415);
  });

  it("creates the first superuser with an all-scopes token, a session and an encrypted password", async () => {
    const res = await initialize({ username: "admin", password: "correct-horse", email: "admin@example.com", access_token: true });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, string>;
    expect(Object.keys(body).sort()).toEqual(["access_token", "email", "encrypted_password", "username"]);
    expect(body.username).toBe("admin");
    expect(body.email).toBe("admin@example.com");
    expect(body.encrypted_password).not.toContain("correct-horse");

    // The token holds every scope: it reads the full user view, super_user included…
    const api = new ApiClient(env, { kind: "token", token: body.access_token! });
    const me = await api.get<Record<string, unknown>>("/user/");
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ username: "admin", email: "admin@example.com", super_user: true, is_me: true });
    // …and may create repositories.
    expect((await api.post("/repository", { repository: "first", visibility: "private", description: "" })).status).toBe(201);

    // Quay names the token's application "automation".
    const apps = await env.deps.db.select().from(oauthApps).where(eq(oauthApps.name, "automation"));
    expect(apps).toHaveLength(1);

    // The browser that called is signed in.
    const cookie = res.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(new RegExp(`^${SESSION_COOKIE}=[^;]+;.*HttpOnly`, "i"));
    const sessionMe = await env.app.request("/api/v1/user/", { headers: { cookie: cookie.split(";")[0]! } });
    expect(sessionMe.status).toBe(200);

    // The encrypted password logs in to the registry in place of the password.
    const login = await env.app.request("/v2/auth?service=registry.test", {
      headers: { authorization: basic("admin", body.encrypted_password!) },
    });
    expect(login.status).toBe(200);
    const sealed = body.encrypted_password!;
    const flipped = sealed[12] === "A" ? "B" : "A";
    const tampered = `${sealed.slice(0, 12)}${flipped}${sealed.slice(13)}`;
    expect((await env.app.request("/v2/auth?service=registry.test", { headers: { authorization: basic("admin", tampered) } })).status)
      .toBe(401);

    // One transaction wrote the user, the application and the token grant to the usage log.
    const kinds = (await env.deps.db.select({ kind: auditLog.kind, metadata: auditLog.metadata }).from(auditLog))
      .map((r) => r.kind);
    expect(kinds).toEqual(expect.arrayContaining(["user_create", "create_application", "oauth_token_assigned"]));
    const [grant] = await env.deps.db.select().from(auditLog).where(and(eq(auditLog.kind, "oauth_token_assigned")));
    expect(grant!.metadata).toMatchObject({ application: "automation", scope: ALL_SCOPES });
  });

  it("refuses once a user exists", async () => {
    const res = await initialize({ username: "second", password: "long-enough", access_token: true });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ message: "Cannot initialize user in a non-empty database" });
  });
});

describe("POST /api/v1/user/initialize without access_token", () => {
  it("returns no token and email null when none was given", async () => {
    const env = await testEnv();
    try {
      const res = await env.app.request("/api/v1/user/initialize", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: "admin", password: "long-enough", access_token: false }),
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as Record<string, unknown>;
      expect(body).toEqual({ username: "admin", email: null, encrypted_password: expect.any(String) });
    } finally {
      await env.close();
    }
  });

  it("is hidden (404) when the feature is off", async () => {
    const env = await testEnv({ QUAYSIDE_USER_INITIALIZE: "false" });
    try {
      const res = await env.app.request("/api/v1/user/initialize", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: "admin", password: "long-enough" }),
      });
      expect(res.status).toBe(404);
    } finally {
      await env.close();
    }
  });
});

describe("GET /api/v1/user/", () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await testEnv();
  });
  afterAll(() => env.close());

  it("answers anonymous callers 401 invalid_token with session_required false", async () => {
    const res = await new ApiClient(env).get("/user/");
    expect(res.status).toBe(401);
    expect(res.body).toEqual(problem(401, "invalid_token", "Requires authentication", { session_required: false }));
  });

  it("treats an unknown bearer token as anonymous", async () => {
    const res = await new ApiClient(env, { kind: "token", token: "not-a-token" }).get("/user/");
    expect(res.status).toBe(401);
  });

  it("needs user:read: a repo-only token is told to authenticate", async () => {
    const carol = await env.user("carol");
    const res = await (await tokenClient(env, carol, ["repo:read"])).get("/user/");
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ error_type: "invalid_token", session_required: false });
  });

  it("shows a user:read token the public part, and a session every field", async () => {
    const dave = await env.user("dave", { superuser: true });
    const limited = await (await tokenClient(env, dave, ["user:read"])).get<Record<string, unknown>>("/user/");
    expect(limited.status).toBe(200);
    expect(limited.body).toEqual({
      anonymous: false,
      username: "dave",
      avatar: { name: "dave", hash: expect.stringMatching(/^[0-9a-f]{32}$/), color: expect.stringMatching(/^#[0-9a-f]{6}$/), kind: "user" },
      organizations: [],
    });

    const full = await (await sessionClient(env, dave)).get<Record<string, unknown>>("/user/");
    expect(full.status).toBe(200);
    expect(full.body).toEqual({
      ...limited.body,
      can_create_repo: true,
      is_me: true,
      verified: true,
      email: "dave@localhost",
      logins: [],
      invoice_email: false,
      invoice_email_address: null,
      preferred_namespace: false,
      tag_expiration_s: 1209600,
      prompts: [],
      company: null,
      family_name: null,
      given_name: null,
      location: null,
      is_free_account: true,
      has_password_set: true,
      super_user: true,
    });
  });

  it("hides superuser status from tokens without super:user", async () => {
    const erin = await env.user("erin", { superuser: true });
    const res = await (await tokenClient(env, erin, ["user:admin"])).get<Record<string, unknown>>("/user/");
    expect(res.status).toBe(200);
    expect(res.body).not.toHaveProperty("super_user");
    expect(res.body).toHaveProperty("email", "erin@localhost");
  });

  it("also answers without the trailing slash", async () => {
    const frank = await env.user("frank");
    expect((await (await tokenClient(env, frank, ["user:read"])).get("/user")).status).toBe(200);
  });
});

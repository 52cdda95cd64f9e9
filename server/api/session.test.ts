import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { problem, sessionClient, staleSessionClient } from "../../e2e/support/api-client.ts";
import { SESSION_COOKIE } from "../auth/sessions.ts";
import { PageClient } from "../../e2e/support/page-client.ts";
import type { User } from "../domain/accounts/users.ts";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";

/** What a Quay script has: fetch and a cookie jar (PageClient keeps cookies), sending JSON. */
class Script extends PageClient {
  json(method: string, path: string, body: unknown, csrf?: string) {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (csrf) headers["X-CSRF-Token"] = csrf;
    return this.request(path, { method, headers, body: JSON.stringify(body) });
  }
}

describe("session sign-in for scripts (GET /csrf_token, POST /api/v1/signin, /signout)", () => {
  let env: TestEnv;
  let alice: User;
  beforeAll(async () => {
    env = await testEnv();
    alice = await env.user("alice");
  });
  afterAll(() => env.close());

  it("signs in, creates a repository with the next token, signs out", async () => {
    const script = new Script(env.app);
    const csrf = await script.get("/csrf_token");
    expect(csrf.status).toBe(200);
    const { csrf_token } = (await csrf.json()) as { csrf_token: string };
    expect(csrf_token).toMatch(/^[\w-]{20,}$/);

    const signin = await script.json("POST", "/api/v1/signin", { username: "alice", password: "password-alice" }, csrf_token);
    expect(signin.status).toBe(200);
    expect(await signin.json()).toEqual({ success: true });
    const next = signin.headers.get("X-Next-CSRF-Token")!;
    expect(next).toBeTruthy();
    expect(next).not.toBe(csrf_token);

    // The old token no longer passes for writes.
    const stale = await script.json("POST", "/api/v1/repository", { namespace: "alice", repository: "x", visibility: "private", description: "" }, csrf_token);
    expect(stale.status).toBe(403);
    expect(await stale.json()).toEqual({ error: "CSRF token was invalid or missing." });

    const created = await script.json(
      "POST",
      "/api/v1/repository",
      { namespace: "alice", repository: "scripted", visibility: "private", description: "" },
      next,
    );
    expect(created.status).toBe(201);
    expect(await created.json()).toEqual({ namespace: "alice", name: "scripted", kind: "image" });
    // /csrf_token now answers the session's token.
    expect(await (await script.get("/csrf_token")).json()).toEqual({ csrf_token: next });

    // Another session of the same user (a browser) ends with the script's sign-out, as in Quay.
    const other = await sessionClient(env, alice);
    expect((await other.get("/user/")).status).toBe(200);
    const out = await script.json("POST", "/api/v1/signout", {}, next);
    expect(out.status).toBe(200);
    expect(await out.json()).toEqual({ success: true });
    const me = await script.get("/api/v1/user/");
    expect(me.status).toBe(401);
    expect((await other.get("/user/")).status).toBe(401);
  });

  it("signs in by e-mail address too, as Quay does", async () => {
    const script = new Script(env.app);
    const { csrf_token } = (await (await script.get("/csrf_token")).json()) as { csrf_token: string };
    const res = await script.json("POST", "/api/v1/signin", { username: "ALICE@localhost", password: "password-alice" }, csrf_token);
    expect(res.status).toBe(200);
    expect(((await (await script.get("/api/v1/user/")).json()) as { username: string }).username).toBe("alice");
  });

  it("answers a wrong password with Quay's 403 body", async () => {
    const script = new Script(env.app);
    const { csrf_token } = (await (await script.get("/csrf_token")).json()) as { csrf_token: string };
    const res = await script.json("POST", "/api/v1/signin", { username: "alice", password: "wrong-one" }, csrf_token);
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ needsEmailVerification: false, invalidCredentials: true, message: "Invalid Username or Password" });
    expect(res.headers.get("X-Next-CSRF-Token")).toBeNull();
  });

  it("refuses a sign-in without the /csrf_token token", async () => {
    const script = new Script(env.app);
    await script.get("/csrf_token");
    const res = await script.json("POST", "/api/v1/signin", { username: "alice", password: "password-alice" });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ error: "CSRF token was invalid or missing." });
  });

  it("validates the body and refuses other methods", async () => {
    const script = new Script(env.app);
    const { csrf_token } = (await (await script.get("/csrf_token")).json()) as { csrf_token: string };
    const res = await script.json("POST", "/api/v1/signin", { username: "alice" }, csrf_token);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error_type: "invalid_request", detail: "'password' is a required property" });
    expect((await script.get("/api/v1/signin")).status).toBe(405);
  });

  it("goes through the failed-login limits: 429 in plain text with Retry-After", async () => {
    await env.user("bob");
    const script = new Script(env.app);
    const { csrf_token } = (await (await script.get("/csrf_token")).json()) as { csrf_token: string };
    let res: Response | undefined;
    for (let i = 0; i < 12; i++) {
      res = await script.json("POST", "/api/v1/signin", { username: "bob", password: `wrong-${i}` }, csrf_token);
      if (res.status === 429) break;
    }
    expect(res!.status).toBe(429);
    expect(res!.headers.get("Retry-After")).toMatch(/^\d+$/);
    expect(res!.headers.get("content-type")).toMatch(/^text\/plain/);
  });
});

describe("POST /api/v1/signin/verify (fresh login for sessions)", () => {
  let env: TestEnv;
  let alice: User;
  beforeAll(async () => {
    env = await testEnv();
    alice = await env.user("alice");
  });
  afterAll(() => env.close());

  it("a session too old for sensitive operations confirms its password and may do them again", async () => {
    const stale = await staleSessionClient(env, alice);
    if (stale.auth.kind !== "session") throw new Error("a session client");
    expect((await stale.post("/user/apptoken", { title: "ci" })).body).toEqual(problem(401, "fresh_login_required", "Requires fresh login"));
    const script = new Script(env.app);
    script.cookies.set(SESSION_COOKIE, stale.auth.cookie);
    const wrong = await script.json("POST", "/api/v1/signin/verify", { password: "nope" }, stale.auth.csrfToken);
    expect(wrong.status).toBe(403);
    expect(await wrong.json()).toEqual({ needsEmailVerification: false, invalidCredentials: true, message: "Invalid Username or Password" });
    const ok = await script.json("POST", "/api/v1/signin/verify", { password: "password-alice" }, stale.auth.csrfToken);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ success: true });
    const next = ok.headers.get("X-Next-CSRF-Token")!;
    const fresh = await script.json("POST", "/api/v1/user/apptoken", { title: "ci" }, next);
    expect(fresh.status).toBe(200);
    // The old session ended with the verification: it is a new sign-in.
    expect((await stale.get("/user/")).status).toBe(401);
  });

  it("needs a signed-in caller, its CSRF token and a password", async () => {
    const anonymous = new Script(env.app);
    const { csrf_token } = (await (await anonymous.get("/csrf_token")).json()) as { csrf_token: string };
    expect((await anonymous.json("POST", "/api/v1/signin/verify", { password: "x" }, csrf_token)).status).toBe(403);
    const api = await sessionClient(env, alice);
    expect((await api.withoutCsrf().post("/signin/verify", { password: "password-alice" })).status).toBe(403);
    expect((await api.post("/signin/verify", {})).status).toBe(400);
    expect((await api.get("/signin/verify")).status).toBe(405);
  });
});

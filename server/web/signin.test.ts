// The sign-in form's defences: a new session id at each sign-in, the same hashing work for every
// failure, a 429 inline message past the failed-login limits, Secure cookies behind a trusted TLS
// proxy only, and old password hashes upgraded at the next sign-in.
import { randomBytes, scryptSync } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { users } from "../../db/schema.ts";
import { csrfFieldOf, fieldMessage, PageClient } from "../../e2e/support/page-client.ts";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";
import { HashWorkers } from "../auth/hash-workers.ts";
import { SESSION_COOKIE } from "../auth/sessions.ts";
import { ADDRESS_LIMITS } from "../domain/accounts/login-throttle.ts";
import { findUserByName } from "../domain/accounts/users.ts";
import { CSRF_COOKIE } from "./csrf.ts";

// Every scrypt derivation passes through a spy, so a test can count password hashes.
const derivations = vi.spyOn(HashWorkers.prototype, "derive");
const scryptCalls = () => derivations.mock.calls.length;

const signInFields = (username: string, password: string) => ({ username, password });

describe("sign-in", () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await testEnv();
    await env.user("alice");
    await env.user("bob");
    await env.user("carol");
    await env.deps.db.update(users).set({ enabled: false }).where(eq(users.username, "carol"));
  });
  afterAll(() => env.close());

  it("issues a new session id and ends the one the browser held before", async () => {
    const browser = new PageClient(env.app);
    expect((await browser.submit("/signin", "/signin", signInFields("alice", "password-alice"))).status).toBe(303);
    const before = browser.cookies.get(SESSION_COOKIE)!;
    // Signed in, the browser signs in again (here as bob) with the session's CSRF token.
    const home = await (await browser.get("/")).text();
    const token = /X-CSRF-Token&quot;:&quot;([\w-]+)&quot;/.exec(home)![1]!;
    const again = await browser.post("/signin", { _csrf: token, ...signInFields("bob", "password-bob") });
    expect(again.status).toBe(303);
    const after = browser.cookies.get(SESSION_COOKIE)!;
    expect(after).not.toBe(before);
    expect(await (await browser.get("/")).text()).toMatch(/data-testid="signed-in-user"[^>]*>bob</);
    const replay = await env.app.request("/", { headers: { cookie: `${SESSION_COOKIE}=${before}` } });
    expect(await replay.text()).not.toContain('data-testid="signed-in-user"');
  });

  it("hashes once for an unknown user, a disabled account and a wrong password alike", async () => {
    for (const [username, password] of [["nobody", "whatever-it-is"], ["carol", "password-carol"], ["alice", "wrong-password"]]) {
      const browser = new PageClient(env.app);
      await browser.get("/signin");
      const before = scryptCalls();
      const res = await browser.post("/signin", { _csrf: browser.cookies.get(CSRF_COOKIE)!, ...signInFields(username!, password!) });
      expect(res.status).toBe(401);
      expect(scryptCalls() - before).toBe(1);
    }
  });
});

describe("sign-in past the failed-login limit", () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await testEnv();
    await env.user("alice");
  });
  afterAll(() => env.close());

  it("answers 429 with Retry-After and says so under the password field", async () => {
    const browser = new PageClient(env.app);
    for (let i = 0; i < ADDRESS_LIMITS.burst; i++) {
      expect((await browser.submit("/signin", "/signin", signInFields("alice", `guess-${i}`))).status).toBe(401);
    }
    const before = scryptCalls();
    const res = await browser.submit("/signin", "/signin", signInFields("alice", "password-alice"));
    expect(res.status).toBe(429);
    expect(scryptCalls()).toBe(before); // refused before any hashing
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    const html = await res.text();
    expect(fieldMessage(html, "password")).toEqual({
      error: true,
      text: expect.stringMatching(/^Too many sign-in attempts\. Try again in \d+ seconds\.$/),
    });
    expect(html).toContain('value="alice"');
  });
});

describe("Secure cookies behind a proxy", () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await testEnv({ QUAYSIDE_PUBLIC_URL: "", QUAYSIDE_TRUSTED_PROXIES: "10.0.0.0/24" });
    await env.user("alice");
  });
  afterAll(() => env.close());

  /** A request as @hono/node-server hands it over: the socket's peer in `incoming`. */
  const fromPeer = (peer: string, path: string, init: RequestInit = {}) =>
    env.app.request(path, init, { incoming: { socket: { remoteAddress: peer } } });
  const https = { "x-forwarded-proto": "https" };

  it("are Secure when a trusted proxy says the client used https", async () => {
    const page = await fromPeer("10.0.0.5", "/signin", { headers: https });
    const csrf = page.headers.getSetCookie().find((l) => l.startsWith(`${CSRF_COOKIE}=`))!;
    expect(csrf).toMatch(/; Secure/);
    const res = await fromPeer("10.0.0.5", "/signin", {
      method: "POST",
      headers: { ...https, cookie: csrf.split(";")[0]!, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ _csrf: csrfFieldOf(await page.text()), ...signInFields("alice", "password-alice") }),
    });
    expect(res.status).toBe(303);
    expect(res.headers.getSetCookie().find((l) => l.startsWith(`${SESSION_COOKIE}=`))).toMatch(/; Secure/);
  });

  it("are not Secure on X-Forwarded-Proto from anyone else, nor without it", async () => {
    const untrusted = await fromPeer("192.0.2.1", "/signin", { headers: https });
    expect(untrusted.headers.getSetCookie().find((l) => l.startsWith(`${CSRF_COOKIE}=`))).not.toMatch(/; Secure/);
    const plain = await fromPeer("10.0.0.5", "/signin");
    expect(plain.headers.getSetCookie().find((l) => l.startsWith(`${CSRF_COOKIE}=`))).not.toMatch(/; Secure/);
  });
});

describe("password hashes from before the cost was raised", () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await testEnv();
    await env.user("alice");
  });
  afterAll(() => env.close());

  it("still verify, and are stored again at today's cost at the next sign-in", async () => {
    const salt = randomBytes(16);
    const key = scryptSync("password-alice", salt, 32, { N: 16384, r: 8, p: 1 });
    const old = `scrypt$16384$8$1$${salt.toString("base64")}$${key.toString("base64")}`;
    await env.deps.db.update(users).set({ passwordHash: old }).where(eq(users.username, "alice"));
    const first = await new PageClient(env.app).submit("/signin", "/signin", signInFields("alice", "password-alice"));
    expect(first.status).toBe(303);
    const upgraded = (await findUserByName(env.deps.db, "alice"))!.passwordHash!;
    expect(upgraded).not.toBe(old);
    expect(upgraded).toMatch(/^scrypt\$32768\$8\$3\$/);
    const second = await new PageClient(env.app).submit("/signin", "/signin", signInFields("alice", "password-alice"));
    expect(second.status).toBe(303);
  });
});

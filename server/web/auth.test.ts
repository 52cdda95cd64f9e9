// Sign-in, sign-out, sign-up and the CSRF rules every form obeys.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";
import { SESSION_COOKIE } from "../auth/sessions.ts";
import { findUserByName } from "../domain/accounts/users.ts";
import { CSRF_COOKIE } from "./csrf.ts";
import { csrfFieldOf, fieldMessage, PageClient, signedInClient } from "../../e2e/support/page-client.ts";

function setCookieLine(res: Response, name: string): string {
  const line = res.headers.getSetCookie().find((l) => l.startsWith(`${name}=`));
  if (!line) throw new Error(`no ${name} cookie set`);
  return line;
}

const signedIn = (env: TestEnv, username: string) => signedInClient(env.app, username);

describe("sign-in and sign-out", () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await testEnv();
    await env.user("alice");
  });
  afterAll(() => env.close());

  it("sets an HttpOnly, SameSite=Lax session cookie and goes home", async () => {
    const browser = new PageClient(env.app);
    const res = await browser.submit("/signin", "/signin", { username: "alice", password: "password-alice" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/");
    const cookie = setCookieLine(res, SESSION_COOKIE);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Lax/);
    expect(cookie).toMatch(/; Path=\//);
    expect(cookie).not.toMatch(/; Secure/); // the test instance's public URL is http
    const home = await (await browser.get("/")).text();
    expect(home).toMatch(/data-testid="signed-in-user" title="alice">alice</);
    // htmx sends the session's token with every request it makes.
    expect(home).toMatch(/<body hx-headers="\{&quot;X-CSRF-Token&quot;:&quot;[\w-]+&quot;\}">/);
  });

  it("shows a wrong password as an error under the password field", async () => {
    const browser = new PageClient(env.app);
    const res = await browser.submit("/signin", "/signin", { username: "alice", password: "not-her-password" });
    expect(res.status).toBe(401);
    expect(res.headers.getSetCookie().some((l) => l.startsWith(`${SESSION_COOKIE}=`))).toBe(false);
    const html = await res.text();
    expect(fieldMessage(html, "password")).toEqual({ error: true, text: "Invalid username or password" });
    expect(html).toMatch(/<input id="field-password"[^>]*aria-invalid="true"/);
    expect(fieldMessage(html, "username")).toBeNull();
    expect(html).toContain('value="alice"'); // the username is kept
    expect(html).not.toContain("not-her-password");
  });

  it("treats an unknown user like a wrong password", async () => {
    const browser = new PageClient(env.app);
    const res = await browser.submit("/signin", "/signin", { username: "nobody", password: "whatever-it-is" });
    expect(res.status).toBe(401);
    expect(await res.text()).toContain("Invalid username or password");
  });

  it("returns to a local `next` page, never to another site", async () => {
    const browser = new PageClient(env.app);
    const local = await browser.submit("/signin?next=/repository/alice/app", "/signin", {
      username: "alice",
      password: "password-alice",
      next: "/repository/alice/app",
    });
    expect(local.headers.get("location")).toBe("/repository/alice/app");
    const other = new PageClient(env.app);
    const res = await other.submit("/signin", "/signin", { username: "alice", password: "password-alice", next: "//evil.example/" });
    expect(res.headers.get("location")).toBe("/");
  });

  it("marks the cookie Secure when the public URL is https", async () => {
    const secure = await testEnv({ QUAYSIDE_PUBLIC_URL: "https://registry.test" });
    try {
      await secure.user("bob");
      const browser = new PageClient(secure.app);
      const page = await browser.get("/signin");
      expect(setCookieLine(page, CSRF_COOKIE)).toMatch(/; Secure/);
      const res = await browser.post("/signin", { _csrf: csrfFieldOf(await page.text()), username: "bob", password: "password-bob" });
      expect(setCookieLine(res, SESSION_COOKIE)).toMatch(/; Secure/);
    } finally {
      await secure.close();
    }
  });

  it("signs out: the cookie is cleared and the old session no longer works", async () => {
    const browser = await signedIn(env, "alice");
    const cookie = browser.cookies.get(SESSION_COOKIE)!;
    const home = await (await browser.get("/")).text();
    const res = await browser.post("/signout", { _csrf: csrfFieldOf(home) });
    expect(res.status).toBe(303);
    expect(browser.cookies.has(SESSION_COOKIE)).toBe(false);
    const replay = await env.app.request("/", { headers: { cookie: `${SESSION_COOKIE}=${cookie}` } });
    expect(await replay.text()).not.toContain('data-testid="signed-in-user"');
  });
});

describe("CSRF", () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await testEnv();
    await env.user("alice");
  });
  afterAll(() => env.close());

  it("refuses a sign-in without the double-submit cookie and token", async () => {
    const res = await new PageClient(env.app).post("/signin", { username: "alice", password: "password-alice" });
    expect(res.status).toBe(403);
    expect(res.headers.getSetCookie().some((l) => l.startsWith(`${SESSION_COOKIE}=`))).toBe(false);
  });

  it("refuses a sign-in whose token does not match the cookie", async () => {
    const browser = new PageClient(env.app);
    await browser.get("/signin");
    const res = await browser.post("/signin", { _csrf: "forged-token-forged-token", username: "alice", password: "password-alice" });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain("This form has expired");
  });

  it("refuses a sign-up whose token is missing", async () => {
    const browser = new PageClient(env.app);
    await browser.get("/signup");
    const res = await browser.post("/signup", { username: "mallory", password: "password-mallory" });
    expect(res.status).toBe(403);
    expect(await findUserByName(env.deps.db, "mallory")).toBeUndefined();
  });

  it("checks signed-in POSTs against the session's token, from the form or the htmx header", async () => {
    const browser = await signedIn(env, "alice");
    // The pre-session token no longer counts once signed in.
    const stale = browser.cookies.get(CSRF_COOKIE)!;
    expect((await browser.post("/signout", { _csrf: stale })).status).toBe(403);
    expect((await browser.post("/signout", {})).status).toBe(403);
    expect(browser.cookies.has(SESSION_COOKIE)).toBe(true);

    const token = csrfFieldOf(await (await browser.get("/")).text());
    const res = await browser.post("/signout", {}, { "X-CSRF-Token": token, "HX-Request": "true" });
    expect(res.status).toBe(303);
    expect(browser.cookies.has(SESSION_COOKIE)).toBe(false);
  });
});

describe("sign-up", () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await testEnv();
    await env.user("alice");
  });
  afterAll(() => env.close());

  it("is linked from the sign-in page and creates a regular user who is signed in", async () => {
    const browser = new PageClient(env.app);
    expect(await (await browser.get("/signin")).text()).toContain('href="/signup"');
    const res = await browser.submit("/signup", "/signup", { username: "carol", email: "carol@example.com", password: "password-carol" });
    expect(res.status).toBe(303);
    expect(browser.cookies.has(SESSION_COOKIE)).toBe(true);
    const carol = await findUserByName(env.deps.db, "carol");
    expect(carol?.superuser).toBe(false);
    expect(carol?.email).toBe("carol@example.com");
  });

  it("shows the domain's problems next to each field", async () => {
    const browser = new PageClient(env.app);
    const res = await browser.submit("/signup", "/signup", { username: "-x-", email: "not-an-email", password: "2short" });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(fieldMessage(html, "username")).toEqual({ error: true, text: expect.stringMatching(/^Usernames are/) });
    expect(fieldMessage(html, "email")).toEqual({ error: true, text: "Invalid email address" });
    expect(fieldMessage(html, "password")).toEqual({ error: true, text: "Passwords must be at least 8 characters" });
  });

  it("says when the username is taken", async () => {
    const browser = new PageClient(env.app);
    const res = await browser.submit("/signup", "/signup", { username: "alice", password: "password-other" });
    expect(res.status).toBe(409);
    expect(fieldMessage(await res.text(), "username")).toEqual({ error: true, text: "That username is already taken" });
  });
});

describe("sign-up when open sign-up is off", () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await testEnv({ QUAYSIDE_OPEN_SIGNUP: "false" });
    await env.user("alice");
  });
  afterAll(() => env.close());

  it("answers 404 and links to it nowhere", async () => {
    const browser = new PageClient(env.app);
    expect((await browser.get("/signup")).status).toBe(404);
    const signin = await (await browser.get("/signin")).text();
    expect(signin).not.toContain("/signup");
    expect(await (await browser.get("/")).text()).not.toContain("/signup");
    const res = await browser.submit("/signin", "/signup", { username: "mallory", password: "password-mallory" });
    expect(res.status).toBe(404);
    expect(await findUserByName(env.deps.db, "mallory")).toBeUndefined();
  });
});

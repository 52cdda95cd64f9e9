// First run: while no account exists every page leads to /setup, which creates a superuser and
// signs them in; afterwards it is gone.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";
import { SESSION_COOKIE } from "../auth/sessions.ts";
import { countUsers, findUserByName } from "../domain/accounts/users.ts";
import { fieldMessage, PageClient } from "../../e2e/support/page-client.ts";

describe("first-run setup", () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await testEnv();
  });
  afterAll(() => env.close());

  it("sends visitors to /setup while no user exists", async () => {
    const browser = new PageClient(env.app);
    for (const path of ["/", "/repositories", "/signin"]) {
      const res = await browser.get(path);
      expect(res.status, path).toBe(302);
      expect(res.headers.get("location")).toBe("/setup");
    }
    const setup = await browser.get("/setup");
    expect(setup.status).toBe(200);
    expect(await setup.text()).toContain("Create the first account");
  });

  it("shows problems next to the fields and creates nobody", async () => {
    const browser = new PageClient(env.app);
    const res = await browser.submit("/setup", "/setup", { username: "Bad Name", email: "nope", password: "short" });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(fieldMessage(html, "username")).toEqual({ error: true, text: expect.stringMatching(/^Usernames are/) });
    expect(fieldMessage(html, "password")).toEqual({ error: true, text: "Passwords must be at least 8 characters" });
    expect(fieldMessage(html, "email")).toEqual({ error: true, text: "Invalid email address" });
    expect(html).toContain('value="Bad Name"');
    expect(html).not.toContain("short"); // the password is never echoed back
    expect(await countUsers(env.deps.db)).toBe(0);
  });

  it("creates the first user as a superuser and signs them in", async () => {
    const browser = new PageClient(env.app);
    const res = await browser.submit("/setup", "/setup", { username: "admin", email: "admin@example.com", password: "correct-horse" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/");
    expect(browser.cookies.has(SESSION_COOKIE)).toBe(true);
    const admin = await findUserByName(env.deps.db, "admin");
    expect(admin?.superuser).toBe(true);

    const home = await browser.get("/");
    expect(home.status).toBe(200);
    const html = await home.text();
    expect(html).toMatch(/data-testid="signed-in-user" title="admin">admin</);
    expect(html).toContain("No repositories yet");
  });

  it("is gone once a user exists", async () => {
    const browser = new PageClient(env.app);
    const page = await browser.get("/setup");
    expect(page.status).toBe(302);
    expect(page.headers.get("location")).toBe("/");
    // A form fetched before setup finished cannot create a second administrator.
    const res = await browser.submit("/signin", "/setup", { username: "intruder", password: "password-intruder" });
    expect(res.status).toBe(303);
    expect(await findUserByName(env.deps.db, "intruder")).toBeUndefined();
    expect((await browser.get("/")).status).toBe(200);
  });
});

describe("first-run setup when user initialization is off", () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await testEnv({ QUAYSIDE_USER_INITIALIZE: "false" });
  });
  afterAll(() => env.close());

  it("has no setup page and shows the public list instead", async () => {
    const browser = new PageClient(env.app);
    expect((await browser.get("/setup")).status).toBe(404);
    expect((await browser.get("/")).status).toBe(200);
  });
});

// Fresh login in the browser: changing the e-mail, deleting the account, application tokens and
// deleting an organization from a session that signed in more than ten minutes ago first ask
// for the password ("Confirm your password"), then do the change; a fresh session goes straight on.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ageSession } from "../../e2e/support/api-client.ts";
import { csrfFieldOf, fieldMessage, type PageClient, signedInClient } from "../../e2e/support/page-client.ts";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";
import { SESSION_COOKIE } from "../auth/sessions.ts";
import { findOrganization } from "../domain/accounts/organizations.ts";
import { findUserByName } from "../domain/accounts/users.ts";

let env: TestEnv;
beforeAll(async () => {
  env = await testEnv();
});
afterAll(() => env.close());

/** A browser signed in as a new user, its session then aged past the fresh-login window. */
async function staleBrowser(username: string): Promise<PageClient> {
  await env.user(username);
  const browser = await signedInClient(env.app, username);
  await ageSession(env, browser.cookies.get(SESSION_COOKIE)!);
  return browser;
}

/** The hidden fields and CSRF token of the "Confirm your password" form. */
function confirmForm(html: string): Record<string, string> {
  const form = /<form[^>]*data-testid="confirm-password"[\s\S]*?<\/form>/.exec(html)![0];
  return Object.fromEntries([...form.matchAll(/<input type="hidden" name="(\w+)" value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
}

describe("fresh login in the settings pages", () => {
  it("asks a stale session for its password before changing the e-mail, then changes it", async () => {
    const browser = await staleBrowser("erin");
    const settings = await (await browser.get("/settings")).text();
    const asked = await browser.post("/settings/email", { _csrf: csrfFieldOf(settings), email: "erin@new.example" });
    expect(asked.status).toBe(200);
    const page = await asked.text();
    expect(page).toContain("Confirm your password");
    const fields = confirmForm(page);
    expect(fields.email).toBe("erin@new.example");
    expect((await findUserByName(env.deps.db, "erin"))!.email).toBe("erin@localhost");

    const wrong = await browser.post("/settings/email", { ...fields, fresh_password: "nope" });
    expect(wrong.status).toBe(400);
    expect(fieldMessage(await wrong.text(), "fresh_password")).toEqual({ error: true, text: "The password is not right" });
    const empty = await browser.post("/settings/email", { ...fields, fresh_password: "" });
    expect(fieldMessage(await empty.text(), "fresh_password")).toEqual({ error: true, text: "Enter your password" });

    const done = await browser.post("/settings/email", { ...fields, fresh_password: "password-erin" });
    expect(done.status).toBe(303);
    expect(done.headers.get("location")).toBe("/settings?saved=email");
    expect((await findUserByName(env.deps.db, "erin"))!.email).toBe("erin@new.example");
    // The confirmation was a new sign-in: the next change goes straight through.
    const again = await browser.submit("/settings", "/settings/email", { email: "erin@newer.example" });
    expect(again.status).toBe(303);
  });

  it("lets a fresh session change the e-mail at once", async () => {
    await env.user("frank");
    const browser = await signedInClient(env.app, "frank");
    expect((await browser.submit("/settings", "/settings/email", { email: "frank@new.example" })).status).toBe(303);
  });

  it("asks before deleting the account from a stale session", async () => {
    const browser = await staleBrowser("gina");
    const asked = await browser.submit("/settings/delete", "/settings/delete", { confirm: "gina" });
    const page = await asked.text();
    expect(page).toContain("Confirm your password");
    expect(await findUserByName(env.deps.db, "gina")).toBeDefined();
    const fields = confirmForm(page);
    expect(fields.confirm).toBe("gina");
    const done = await browser.post("/settings/delete", { ...fields, fresh_password: "password-gina" });
    expect(done.status).toBe(303);
    expect(await findUserByName(env.deps.db, "gina")).toBeUndefined();
  });

  it("asks a stale session before creating, showing or revoking an application token, as the API does", async () => {
    const browser = await staleBrowser("ivan");
    const list = await (await browser.get("/settings/tokens")).text();
    const create = await browser.post("/settings/tokens", { _csrf: csrfFieldOf(list), title: "laptop" });
    const asked = await create.text();
    expect(asked).toContain("Confirm your password");
    const created = await browser.post("/settings/tokens", { ...confirmForm(asked), fresh_password: "password-ivan" });
    expect(created.status).toBe(303);
    const tokenPath = new URL(created.headers.get("location")!, "http://x").pathname;
    expect((await (await browser.get(created.headers.get("location")!)).text())).toContain('data-testid="token-code"');

    // Later, the session stale again: the token's secret waits behind the password.
    await ageSession(env, browser.cookies.get(SESSION_COOKIE)!);
    const shown = await (await browser.get(tokenPath)).text();
    expect(shown).toContain("Confirm your password");
    expect(shown).not.toContain('data-testid="token-code"');
    const confirmed = await browser.post(tokenPath, { ...confirmForm(shown), fresh_password: "password-ivan" });
    expect(confirmed.status).toBe(303);
    expect(confirmed.headers.get("location")).toBe(tokenPath);
    expect(await (await browser.get(tokenPath)).text()).toContain('data-testid="token-code"');

    await ageSession(env, browser.cookies.get(SESSION_COOKIE)!);
    const revokePage = await (await browser.get(`${tokenPath}/revoke`)).text();
    const revoke = await browser.post(`${tokenPath}/revoke`, { _csrf: csrfFieldOf(revokePage) });
    const askedAgain = await revoke.text();
    expect(askedAgain).toContain("Confirm your password");
    const revoked = await browser.post(`${tokenPath}/revoke`, { ...confirmForm(askedAgain), fresh_password: "password-ivan" });
    expect(revoked.headers.get("location")).toBe("/settings/tokens");
    expect((await browser.get(tokenPath)).status).toBe(404);
  });

  it("asks before deleting an organization from a stale session", async () => {
    const browser = await staleBrowser("hank");
    // Creating an organization needs no fresh sign-in.
    expect((await browser.submit("/organizations/new", "/organizations/new", { name: "hankco", email: "" })).status).toBe(303);
    const settingsPath = "/organization/hankco/settings";
    const asked = await browser.submit(settingsPath, "/organization/hankco/delete", { confirm: "hankco" });
    const page = await asked.text();
    expect(page).toContain("Confirm your password");
    expect(page).toContain(`href="${settingsPath}"`);
    const done = await browser.post("/organization/hankco/delete", { ...confirmForm(page), fresh_password: "password-hank" });
    expect(done.status).toBe(303);
    expect(await findOrganization(env.deps.db, "hankco")).toBeUndefined();
  });
});

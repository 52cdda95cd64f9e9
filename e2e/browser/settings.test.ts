// The settings pages in Chromium: e-mail (error at the field), password change with the current
// password (another browser's session ends), application tokens (empty state, create, view, a
// registry login with it, revoke after asking) and deleting the account after typing its name.
// Every page visited passes the accessibility check.
import type { Browser, Page } from "playwright";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOrganization } from "../../server/domain/accounts/organizations.ts";
import { createUser, toPrincipal } from "../../server/domain/accounts/users.ts";
import { basic } from "../support/registry-client.ts";
import { type TestServer, testServer } from "../support/test-app.ts";
import { fitsViewport, focusedId, launchChromium, MOBILE, openPage, expectAccessible } from "./browser.ts";

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  server = await testServer();
  const anyone = { principal: { kind: "anonymous" as const }, ip: null };
  await createUser(server.deps.db, { username: "alice", password: "alice-password-1", email: "alice@example.com" }, anyone);
  await createUser(server.deps.db, { username: "bob", password: "bob-password-1", email: "bob@example.com" }, anyone);
  const carol = await createUser(server.deps.db, { username: "carol", password: "carol-password-1" }, anyone);
  await createOrganization(server.deps.db, { name: "carols-org" }, { principal: toPrincipal(carol) });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.goto(`${server.url}/signin`);
  await page.fill("#field-username", username);
  await page.fill("#field-password", password);
  await page.click('button[type="submit"]');
  await page.waitForURL((url) => url.pathname !== "/signin");
}

const registryLogin = async (username: string, password: string) =>
  (await fetch(`${server.url}/v2/auth?service=${server.host}`, { headers: { authorization: basic(username, password) } })).status;

describe("account settings", () => {
  it("changes the e-mail address and the password; the user's other browser is signed out", async () => {
    const other = await openPage(browser);
    await signIn(other, "alice", "alice-password-1");
    const page = await openPage(browser);
    await signIn(page, "alice", "alice-password-1");

    await page.click('[data-testid="signed-in-user"]');
    await page.waitForURL(`${server.url}/settings`);
    expect(await page.inputValue("#field-email")).toBe("alice@example.com");
    await expectAccessible(page);

    await page.fill("#field-email", "bob@example.com");
    await page.click('form[action="/settings/email"] button[type="submit"]');
    expect(await page.textContent("#field-email-helper")).toContain("already used by another account");
    await expectAccessible(page);
    await page.fill("#field-email", "alice@work.example");
    await page.click('form[action="/settings/email"] button[type="submit"]');
    await page.waitForURL(/saved=email/);
    expect(await page.inputValue("#field-email")).toBe("alice@work.example");

    await page.fill("#field-current", "wrong-password");
    await page.fill("#field-password", "alice-password-2");
    await page.fill("#field-confirm", "alice-password-2");
    await page.click('form[action="/settings/password"] button[type="submit"]');
    expect(await page.textContent("#field-current-helper")).toContain("not your current password");
    expect(await focusedId(page, "field-current")).toBe("field-current");
    await expectAccessible(page);

    await page.fill("#field-current", "alice-password-1");
    await page.fill("#field-password", "alice-password-2");
    await page.fill("#field-confirm", "alice-password-2");
    await page.click('form[action="/settings/password"] button[type="submit"]');
    await page.waitForURL(/saved=password/);
    expect(await page.textContent('[role="status"]')).toContain("password was changed");
    await expectAccessible(page);

    // This browser stays signed in; the other one is out.
    await page.goto(`${server.url}/settings`);
    expect(new URL(page.url()).pathname).toBe("/settings");
    await other.goto(`${server.url}/settings`);
    expect(new URL(other.url()).pathname).toBe("/signin");
    expect(await registryLogin("alice", "alice-password-1")).toBe(401);
    expect(await registryLogin("alice", "alice-password-2")).toBe(200);
    await other.context().close();
    await page.context().close();
  });
});

describe("application tokens", () => {
  it("creates a token, shows it, logs in with it and revokes it after asking", async () => {
    const page = await openPage(browser);
    await signIn(page, "bob", "bob-password-1");
    await page.goto(`${server.url}/settings/tokens`);
    expect(await page.textContent('[data-testid="empty-state"]')).toContain("No application tokens yet");
    await expectAccessible(page);

    await page.click('[data-testid="create-token-button"]');
    await page.click('form[action="/settings/tokens"] button[type="submit"]');
    expect(await page.textContent("#field-title-helper")).toContain("Enter a title");
    await expectAccessible(page);
    await page.fill("#field-title", "laptop podman");
    await page.click('form[action="/settings/tokens"] button[type="submit"]');
    await page.waitForURL(/\/settings\/tokens\/[0-9a-f-]+\?created=1$/);
    const code = (await page.textContent('[data-testid="token-code"]'))!.trim();
    expect(code).toMatch(/^[A-Z0-9]{120}$/);
    await expectAccessible(page);
    expect(await registryLogin("$app", code)).toBe(200);

    await page.goto(`${server.url}/settings/tokens`);
    expect(await page.locator('[data-testid="token-row"]').count()).toBe(1);
    expect(await page.textContent('[data-testid="token-row"]')).toContain("laptop podman");
    await expectAccessible(page);

    await page.click('[data-testid="token-row"] a[aria-label="Revoke laptop podman"]');
    expect(await page.textContent("#confirm-title")).toContain("laptop podman");
    await expectAccessible(page);
    // Cancel keeps it.
    await page.click('a:has-text("Cancel")');
    expect(await page.locator('[data-testid="token-row"]').count()).toBe(1);
    await page.click('[data-testid="token-row"] a[aria-label="Revoke laptop podman"]');
    await page.click('[data-testid="confirm"]');
    await page.waitForURL(`${server.url}/settings/tokens`);
    expect(await page.textContent('[data-testid="empty-state"]')).toContain("No application tokens yet");
    expect(await registryLogin("$app", code)).toBe(401);
    await page.context().close();
  });

  it("fits a phone's width", async () => {
    const page = await openPage(browser, MOBILE);
    await signIn(page, "bob", "bob-password-1");
    for (const path of ["/settings", "/settings/tokens?create=1"]) {
      await page.goto(`${server.url}${path}`);
      expect(await fitsViewport(page)).toBe(true);
      await expectAccessible(page);
    }
    await page.context().close();
  });
});

describe("deleting the account", () => {
  it("asks for the user name, then deletes the account and signs out", async () => {
    const page = await openPage(browser);
    await signIn(page, "bob", "bob-password-1");
    await page.goto(`${server.url}/settings`);
    await page.click('[data-testid="delete-account"]');
    await page.waitForURL(`${server.url}/settings/delete`);
    await expectAccessible(page);

    await page.fill("#field-confirm", "bobby");
    await page.click('[data-testid="confirm"]');
    expect(await page.textContent("#field-confirm-helper")).toContain("Type bob exactly");
    await expectAccessible(page);

    await page.fill("#field-confirm", "bob");
    await page.click('[data-testid="confirm"]');
    await page.waitForURL(`${server.url}/`);
    expect(await page.locator('[data-testid="signed-in-user"]').count()).toBe(0);
    await expectAccessible(page);
    expect(await registryLogin("bob", "bob-password-1")).toBe(401);
    await page.context().close();
  });

  it("is refused at the field while the user is the last admin of an organization", async () => {
    const page = await openPage(browser);
    await signIn(page, "carol", "carol-password-1");
    await page.goto(`${server.url}/settings/delete`);
    await page.fill("#field-confirm", "carol");
    await page.click('[data-testid="confirm"]');
    expect(await page.textContent("#field-confirm-helper")).toContain("last administrator of organization carols-org");
    await expectAccessible(page);
    expect(await registryLogin("carol", "carol-password-1")).toBe(200);
    await page.context().close();
  });

  it("sends signed-out visitors to sign in", async () => {
    const page = await openPage(browser);
    await page.goto(`${server.url}/settings/tokens`);
    expect(new URL(page.url()).pathname).toBe("/signin");
    expect(new URL(page.url()).searchParams.get("next")).toBe("/settings/tokens");
    await expectAccessible(page);
    await page.context().close();
  });
});

// In Chromium: generating an API token with chosen scopes (and using it), an organization's
// OAuth applications tab, approving a third-party application's request on the consent page,
// and starring a repository with the htmx toggle. Every page visited passes the accessibility
// check.
import type { Browser, Page } from "playwright";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApplication } from "../../server/domain/accounts/applications.ts";
import { createOrganization } from "../../server/domain/accounts/organizations.ts";
import { createUser, toPrincipal } from "../../server/domain/accounts/users.ts";
import { createRepository } from "../../server/domain/repositories/repositories.ts";
import { type TestServer, testServer } from "../support/test-app.ts";
import { expectAccessible, launchChromium, openPage, signIn } from "./browser.ts";

const USER = { username: "alice", password: "alice-password-1", email: "alice@example.com" };

let server: TestServer;
let browser: Browser;
let clientId: string;

beforeAll(async () => {
  server = await testServer();
  const anonymous = { principal: { kind: "anonymous" as const }, ip: null };
  const alice = await createUser(server.deps.db, USER, anonymous);
  const as = { principal: toPrincipal(alice), ip: null };
  await createRepository(server.deps.db, as, { namespace: "alice", name: "web", visibility: "public" });
  const org = await createOrganization(server.deps.db, { name: "acme" }, as);
  const fields = { name: "dashboard", redirectUri: `${server.url}/callback`, applicationUri: "", description: "Shows builds", avatarEmail: null };
  clientId = (await createApplication(server.deps.db, as, org, fields, {})).clientId;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Submits a form whose answer is a page at the same address, and waits until it has loaded (styles too). */
async function submitAndLoad(page: Page, button: string): Promise<void> {
  await Promise.all([page.waitForEvent("load"), page.click(button)]);
}

describe("Generate API token", () => {
  it("asks for a scope, then shows a token that works with exactly those scopes", async () => {
    const page = await openPage(browser);
    await signIn(page, server.url, USER.username, USER.password);
    await page.goto(`${server.url}/settings/api-token`);
    await expectAccessible(page);
    await submitAndLoad(page, 'button:has-text("Generate token")');
    expect(await page.textContent("body")).toContain("Choose at least one of these permissions");
    await expectAccessible(page);

    await page.check("#scope-repo\\:read");
    await page.check("#scope-user\\:read");
    await submitAndLoad(page, 'button:has-text("Generate token")');
    const token = await page.inputValue("#new-token-value");
    expect(token).toMatch(/^[\w-]{40}$/);
    await expectAccessible(page);

    const me = await fetch(`${server.url}/api/v1/user/`, { headers: { authorization: `Bearer ${token}` } });
    expect(((await me.json()) as { username: string }).username).toBe("alice");
    await page.context().close();
  });
});

describe("OAuth applications tab", () => {
  it("lists, creates and asks before resetting the secret", async () => {
    const page = await openPage(browser);
    await signIn(page, server.url, USER.username, USER.password);
    await page.goto(`${server.url}/organization/acme`);
    await page.click('a:has-text("OAuth applications")');
    await page.waitForURL((url) => url.pathname === "/organization/acme/applications");
    expect(await page.textContent("table")).toContain("dashboard");
    await expectAccessible(page);

    await submitAndLoad(page, 'button:has-text("Create application")');
    expect(await page.textContent("body")).toContain("Enter a name for the application");
    await expectAccessible(page);
    await page.fill("#field-name", "deployer");
    await page.fill("#field-redirect_uri", "https://deploy.test/cb");
    await page.click('button:has-text("Create application")');
    await page.waitForURL((url) => /^\/organization\/acme\/applications\/[\w-]+$/.test(url.pathname));
    const secret = await page.textContent('[data-testid="client-secret"]');
    await expectAccessible(page);

    await page.click('a:has-text("Reset client secret")');
    await expectAccessible(page);
    await page.click('button:has-text("Reset client secret")');
    await page.waitForURL((url) => !url.pathname.endsWith("/reset"));
    expect(await page.textContent('[data-testid="client-secret"]')).not.toBe(secret);
    await page.context().close();
  });
});

describe("OAuth consent", () => {
  it("shows the application's request and sends the code back to it", async () => {
    const page = await openPage(browser);
    await signIn(page, server.url, USER.username, USER.password);
    const query = new URLSearchParams({ client_id: clientId, redirect_uri: `${server.url}/callback`, scope: "repo:read", state: "st" });
    await page.goto(`${server.url}/oauth/authorize?${query}`);
    expect(await page.textContent('[data-testid="requested-scopes"]')).toContain("View all visible repositories");
    await expectAccessible(page);
    await page.click('button:has-text("Authorize application")');
    await page.waitForURL((url) => url.pathname === "/callback");
    const back = new URL(page.url());
    expect(back.searchParams.get("state")).toBe("st");
    expect(back.searchParams.get("code")).toBeTruthy();
    await page.context().close();
  });
});

describe("Starring", () => {
  it("stars and unstars in place", async () => {
    const page = await openPage(browser);
    await signIn(page, server.url, USER.username, USER.password);
    await page.goto(`${server.url}/repository/alice/web`);
    const button = page.locator('[data-testid="star-toggle"] button');
    expect(await button.getAttribute("aria-pressed")).toBe("false");
    await expectAccessible(page);
    await button.click();
    await expect.poll(() => page.locator('[data-testid="star-toggle"] button').getAttribute("aria-pressed")).toBe("true");
    // Swapped by htmx, not a navigation.
    expect(new URL(page.url()).pathname).toBe("/repository/alice/web");
    await expectAccessible(page);
    await page.reload();
    expect(await page.locator('[data-testid="star-toggle"] button').getAttribute("aria-pressed")).toBe("true");
    await page.locator('[data-testid="star-toggle"] button').click();
    await expect.poll(() => page.locator('[data-testid="star-toggle"] button').getAttribute("aria-pressed")).toBe("false");
    await page.context().close();
  });
});

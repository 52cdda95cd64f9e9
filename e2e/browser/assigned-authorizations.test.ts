// Assigned authorizations in Chromium: an organization admin assigns a token from the
// application's page (an unknown user refused at the field); the assignee's "Authorized
// applications" settings tab lists it, Approve goes through the consent page to /oauth/localapp,
// whose script shows the token (which works), and Decline asks first and leaves the empty state.
// Every page visited passes the accessibility check.
import type { Browser } from "playwright";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApplication, type OAuthApplication } from "../../server/domain/accounts/applications.ts";
import { assignAuthorization } from "../../server/domain/accounts/oauth-assignments.ts";
import { createOrganization } from "../../server/domain/accounts/organizations.ts";
import { createUser, toPrincipal } from "../../server/domain/accounts/users.ts";
import { type TestServer, testServer } from "../support/test-app.ts";
import { DESKTOP, expectAccessible, fitsViewport, launchChromium, MOBILE, openPage, signIn } from "./browser.ts";

let server: TestServer;
let browser: Browser;
let app: OAuthApplication;
let assign: (scope: string) => Promise<void>;

beforeAll(async () => {
  server = await testServer();
  const anonymous = { principal: { kind: "anonymous" as const } };
  const admin = { principal: toPrincipal(await createUser(server.deps.db, { username: "alice", password: "alice-password" }, anonymous)) };
  await createUser(server.deps.db, { username: "bob", password: "bob-password" }, anonymous);
  const org = await createOrganization(server.deps.db, { name: "acme" }, admin);
  const fields = { name: "deployer", redirectUri: "http://client.test/cb", applicationUri: "", description: "Ships releases", avatarEmail: null };
  app = await createApplication(server.deps.db, admin, org, fields, {});
  assign = async (scope) => {
    const request = { clientId: app.clientId, username: "bob", redirectUri: `${server.url}/oauth/localapp`, scope, responseType: "token" };
    await assignAuthorization(server.deps.db, admin, request, server.url);
  };
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe("assigned authorizations", () => {
  it("are assigned from the application's page, then approved (the token shown once) or declined after asking", async () => {
    const admin = await openPage(browser, DESKTOP);
    await signIn(admin, server.url, "alice", "alice-password");
    await admin.goto(`${server.url}/organization/acme/applications/${app.clientId}`);
    await expectAccessible(admin);
    const form = admin.locator('[data-testid="assign-token"]');
    await form.locator("#field-username").fill("nobody");
    await form.getByLabel("Read User Information").check();
    await form.getByRole("button", { name: "Assign token" }).click();
    await admin.waitForSelector("#field-username-helper");
    expect(await admin.textContent("#field-username-helper")).toContain("There is no user named nobody");
    await expectAccessible(admin);
    await form.locator("#field-username").fill("bob");
    await form.getByLabel("View all visible repositories").check();
    await form.getByRole("button", { name: "Assign token" }).click();
    await admin.waitForURL((url) => url.searchParams.get("assigned") === "bob");
    expect(await admin.textContent('[data-testid="assigned"]')).toContain("Token assigned to bob");
    await expectAccessible(admin);
    await admin.context().close();

    const page = await openPage(browser, DESKTOP);
    await signIn(page, server.url, "bob", "bob-password");
    await page.goto(`${server.url}/settings/authorizations`);
    expect(await page.textContent('.pf-v6-c-tabs__link[aria-current="page"]')).toContain("Authorized applications");
    expect(await page.textContent('[data-testid="assignment-row"]')).toContain("Read User Information");
    await expectAccessible(page);
    const narrow = await openPage(browser, MOBILE);
    await narrow.context().addCookies(await page.context().cookies());
    await narrow.goto(page.url());
    expect(await fitsViewport(narrow)).toBe(true);
    await narrow.context().close();

    await page.click('a[aria-label="Approve deployer"]');
    await page.waitForURL((url) => url.pathname === "/oauth/authorize");
    expect(await page.textContent("h1")).toBe("Authorize deployer");
    await expectAccessible(page);
    await page.click('button:has-text("Authorize application")');
    await page.waitForURL((url) => url.pathname === "/oauth/localapp");
    await page.waitForFunction(() => (document.getElementById("local-token") as HTMLInputElement | null)?.value !== "");
    // The token left the address bar once shown.
    expect(new URL(page.url()).hash).toBe("");
    const token = await page.inputValue('[data-testid="local-token"]');
    await expectAccessible(page);
    const me = await fetch(`${server.url}/api/v1/user/`, { headers: { authorization: `Bearer ${token}` } });
    expect(((await me.json()) as { username: string }).username).toBe("bob");

    await assign("repo:write");
    await page.goto(`${server.url}/settings/authorizations`);
    expect(await page.locator('[data-testid="assignment-row"]').count()).toBe(1);
    await page.click('a[aria-label="Decline deployer"]');
    await page.waitForURL((url) => url.pathname.endsWith("/decline"));
    await expectAccessible(page);
    await page.click('[data-testid="confirm"]');
    await page.waitForURL(`${server.url}/settings/authorizations`);
    expect(await page.textContent('[data-testid="empty-state"]')).toContain("No applications waiting");
    await expectAccessible(page);
    await page.context().close();
  });
});

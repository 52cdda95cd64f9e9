// A repository's life in Chromium at phone width (390 px): created from the repositories list (a
// bad name refused at its field), described in Markdown from its Settings tab (hostile parts shown
// as text on the Information tab), made public, then deleted after typing its full name. Every page visited passes the accessibility
// check and fits the screen.
import type { Browser, Page } from "playwright";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOrganization } from "../../server/domain/accounts/organizations.ts";
import { createUser, toPrincipal } from "../../server/domain/accounts/users.ts";
import { findRepository } from "../../server/domain/repositories/repositories.ts";
import { type TestServer, testServer } from "../support/test-app.ts";
import { fitsViewport, focusedId, launchChromium, MOBILE, openPage, signIn, expectAccessible } from "./browser.ts";

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  server = await testServer();
  const dana = await createUser(server.deps.db, { username: "dana", password: "dana-password" }, { principal: { kind: "anonymous" } });
  await createOrganization(server.deps.db, { name: "shipyard" }, { principal: toPrincipal(dana) });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function check(page: Page): Promise<void> {
  await expectAccessible(page);
  expect(await fitsViewport(page)).toBe(true);
}

const DESCRIPTION = "# Shipyard tools\n\nBuilt **nightly**. <script>window.pwned = 1</script> [docs](https://example.com/docs) [bad](javascript:window.pwned=2)";

const CREATE = 'form[action="/repositories/new"] button[type="submit"]';

describe("repositories in the browser", () => {
  it("are created, described, made public and deleted after typing the name", async () => {
    const page = await openPage(browser, MOBILE);
    await signIn(page, server.url, "dana", "dana-password");
    await page.goto(`${server.url}/repositories`);
    await page.click('[data-testid="create-repository"]');
    await page.waitForURL(`${server.url}/repositories/new`);
    await check(page);

    await page.selectOption("#field-namespace", "shipyard");
    await page.fill("#field-name", "Bad Name");
    await page.click(CREATE);
    expect(await page.textContent("#field-name-helper.pf-m-error")).toContain("Invalid repository name");
    expect(await focusedId(page, "field-name")).toBe("field-name");
    await check(page);

    await page.fill("#field-name", "tools");
    await page.click(CREATE);
    await page.waitForURL(`${server.url}/repository/shipyard/tools`);
    expect((await page.textContent('[data-testid="visibility"]'))?.trim()).toBe("private");
    await check(page);

    await page.click('nav[aria-label="Repository"] a:has-text("Settings")');
    await page.waitForURL(`${server.url}/repository/shipyard/tools?tab=settings`);
    await check(page);
    await page.fill("#field-description", DESCRIPTION);
    await page.click('[data-testid="repository-admin"] button:has-text("Save description")');
    await page.waitForURL(`${server.url}/repository/shipyard/tools?tab=settings&saved=description`);
    // Stored as typed (the browser's CRLF line breaks back to LF), and shown so in the text box again.
    expect((await findRepository(server.deps.db, { namespace: "shipyard", name: "tools" }))?.description).toBe(DESCRIPTION);
    expect(await page.inputValue("#field-description")).toBe(DESCRIPTION);
    await check(page);
    await page.click('nav[aria-label="Repository"] a:has-text("Information")');
    await page.waitForSelector('[data-testid="description"] h1');
    expect(await page.textContent('[data-testid="description"] h1')).toBe("Shipyard tools");
    expect(await page.textContent('[data-testid="description"] strong')).toBe("nightly");
    expect(await page.getAttribute('[data-testid="description"] a', "href")).toBe("https://example.com/docs");
    expect(await page.locator('[data-testid="description"] a').count()).toBe(1);
    expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
    await check(page);
    await page.click('nav[aria-label="Repository"] a:has-text("Settings")');
    await page.waitForURL(`${server.url}/repository/shipyard/tools?tab=settings`);

    await page.selectOption("#field-visibility", "public");
    await page.click('[data-testid="repository-admin"] button:has-text("Save visibility")');
    await page.waitForFunction(() => document.querySelector('[data-testid="visibility"]')?.textContent?.trim() === "public");
    expect(await page.textContent('[data-testid="settings-notice"]')).toContain("The repository is now public.");
    await check(page);

    await page.click('[data-testid="delete-repository"]');
    await page.waitForURL(`${server.url}/repository-delete/shipyard/tools`);
    await check(page);
    await page.fill("#field-confirm", "tools");
    await page.click('[data-testid="confirm"]');
    expect(await page.textContent("#field-confirm-helper.pf-m-error")).toContain("Type shipyard/tools to delete it");
    await check(page);
    await page.fill("#field-confirm", "shipyard/tools");
    await page.click('[data-testid="confirm"]');
    await page.waitForURL(`${server.url}/repositories`);
    await check(page);
    expect(await findRepository(server.deps.db, { namespace: "shipyard", name: "tools" })).toBeUndefined();
  });
});

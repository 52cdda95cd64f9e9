// Finding repositories in Chromium: the signed-out landing page, typing `httpd` into the
// masthead's search box (suggestions from every namespace as one types, private ones only for
// those who may read them), picking one, Enter for the full results, Explore with its filter and
// empty state, and a user's page. Every page visited passes the accessibility check and fits the
// screen at phone width.
import type { Browser, Page } from "playwright";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOrganization } from "../../server/domain/accounts/organizations.ts";
import { createUser, toPrincipal } from "../../server/domain/accounts/users.ts";
import { createRepository, type Visibility } from "../../server/domain/repositories/repositories.ts";
import { type TestServer, testServer } from "../support/test-app.ts";
import { DESKTOP, expectAccessible, fitsViewport, launchChromium, MOBILE, openPage, signIn } from "./browser.ts";

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  server = await testServer();
  const anonymous = { principal: { kind: "anonymous" as const } };
  const alice = await createUser(server.deps.db, { username: "alice", password: "alice-password" }, anonymous);
  const bob = await createUser(server.deps.db, { username: "bob", password: "bob-password" }, anonymous);
  await createOrganization(server.deps.db, { name: "webfolk" }, { principal: toPrincipal(alice) });
  const repos: [typeof alice, string, string, Visibility][] = [
    [alice, "alice", "httpd", "public"],
    [alice, "alice", "httpd-private", "private"],
    [bob, "bob", "httpd-tools", "public"],
    [alice, "webfolk", "httpd-mirror", "public"],
    [bob, "bob", "postgres", "public"],
  ];
  for (const [owner, namespace, name, visibility] of repos) {
    await createRepository(server.deps.db, { principal: toPrincipal(owner) }, { namespace, name, visibility, description: `${name} image` });
  }
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

const SEARCH = '[data-testid="header-search"]';
const suggestions = (page: Page) => page.locator('[data-testid="search-suggestion"]');
const suggestionTexts = async (page: Page) => (await suggestions(page).allTextContents()).map((t) => t.trim());
const repoRows = (page: Page) => page.locator('[data-testid="repo-row"]');

describe("search and explore in Chromium", () => {
  it("greets signed-out visitors, suggests httpd repositories of every namespace as they type, and opens the one picked", async () => {
    const page = await openPage(browser, MOBILE);
    await page.goto(`${server.url}/`);
    expect(await page.textContent("h1")).toContain("Quayside container registry");
    await check(page);

    await page.locator(SEARCH).pressSequentially("httpd", { delay: 30 });
    await expect.poll(() => suggestions(page).count()).toBeGreaterThan(0);
    const texts = await suggestionTexts(page);
    expect(texts).toEqual(expect.arrayContaining(["alice/httpd", "bob/httpd-tools", "webfolk/httpd-mirror"]));
    expect(texts.join(" ")).not.toContain("httpd-private");
    await check(page);

    await suggestions(page).filter({ hasText: "bob/httpd-tools" }).click();
    await page.waitForURL(`${server.url}/repository/bob/httpd-tools`);
    expect(await page.textContent("h1")).toContain("bob/httpd-tools");
    await check(page);
    await page.context().close();
  });

  it("goes to the full results on Enter, with the signed-in user's private repositories", async () => {
    const page = await openPage(browser, DESKTOP);
    await signIn(page, server.url, "alice", "alice-password");
    await page.locator(SEARCH).pressSequentially("httpd", { delay: 30 });
    await expect.poll(() => suggestionTexts(page)).toContain("alice/httpd-private");
    await check(page);

    await page.locator(SEARCH).press("Enter");
    await page.waitForURL(`${server.url}/search?q=httpd`);
    expect(await page.textContent("h1")).toContain("Results for “httpd”");
    expect(await repoRows(page).count()).toBe(4);
    // The box's suggestions close once focus leaves it.
    expect(await page.locator("#search-suggestions").isVisible()).toBe(false);
    await check(page);

    // Users and organizations are suggested by the start of their names.
    await page.locator(SEARCH).pressSequentially("webf", { delay: 30 });
    await expect.poll(() => suggestionTexts(page)).toContainEqual(expect.stringContaining("webfolk"));
    await suggestions(page).filter({ hasText: "webfolk" }).first().click();
    await page.waitForURL(`${server.url}/organization/webfolk`);
    await check(page);
    await page.context().close();
  });

  it("explores public repositories with a filter (htmx) and an empty state, and shows a user's page", async () => {
    const page = await openPage(browser, MOBILE);
    await page.goto(`${server.url}/`);
    await page.click('[data-testid="landing-explore"]');
    await page.waitForURL(`${server.url}/explore`);
    expect(await repoRows(page).count()).toBe(4);
    expect(await page.textContent("main")).not.toContain("httpd-private");
    await check(page);

    await page.evaluate(() => ((window as { stayed?: boolean }).stayed = true));
    await page.locator('input[name="filter"]').pressSequentially("post", { delay: 30 });
    await expect.poll(() => repoRows(page).count()).toBe(1);
    expect(await repoRows(page).first().textContent()).toContain("bob/postgres");
    expect(await page.evaluate(() => (window as { stayed?: boolean }).stayed)).toBe(true);
    await check(page);

    await page.locator('input[name="filter"]').fill("zzz");
    await expect.poll(() => page.locator('[data-testid="empty-state"]').count()).toBe(1);
    expect(await page.textContent('[data-testid="empty-state"]')).toContain("No public repositories match");
    await check(page);

    await page.goto(`${server.url}/user/alice`);
    expect(await page.textContent("h1")).toContain("alice");
    expect(await repoRows(page).count()).toBe(1);
    await check(page);
    await page.context().close();
  });
});

// The web UI in a real browser (Debian's Chromium driven by Playwright) against a real server:
// first-run setup, the empty state, an image pushed over /v2 showing up, the htmx filter box,
// the repository page, and signing out. Chromium is required: without it this test fails.
import type { Browser, Page } from "playwright";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestServer, testServer } from "../support/test-app.ts";
import { DESKTOP, expectAccessible, launchChromium, openPage } from "./browser.ts";
import { pushImage as pushAs } from "./push-image.ts";

const SCREENSHOT = "/tmp/quayside-ui.png";
const ADMIN = { username: "admin", password: "admin-password-1" };

let server: TestServer;
let browser: Browser;
let page: Page;

/** Pushes a one-layer image over the OCI API, as a registry client would. */
const pushImage = (repo: string, tag: string) => pushAs(server, ADMIN, repo, tag);

const repoRows = () => page.locator('[data-testid="repo-row"]');

beforeAll(async () => {
  server = await testServer();
  browser = await launchChromium();
  page = await openPage(browser, DESKTOP);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe("web UI in Chromium", () => {
  it("runs first-run setup, which signs the new administrator in", async () => {
    await page.goto(`${server.url}/`);
    expect(new URL(page.url()).pathname).toBe("/setup");
    // PatternFly and htmx both loaded from /static.
    expect(await page.evaluate(() => getComputedStyle(document.body).fontFamily)).toContain("Red Hat Text");
    expect(await page.evaluate(() => typeof (window as { htmx?: unknown }).htmx)).toBe("object");
    await expectAccessible(page);

    await page.fill("#field-username", ADMIN.username);
    await page.fill("#field-password", ADMIN.password);
    await page.click('button[type="submit"]');
    await page.waitForURL(`${server.url}/`);
    await expect.poll(() => page.textContent('[data-testid="signed-in-user"]')).toBe(ADMIN.username);
  });

  it("shows how to push when there are no repositories", async () => {
    const empty = page.locator('[data-testid="empty-state"]');
    expect(await empty.textContent()).toContain("No repositories yet");
    expect(await empty.textContent()).toContain(`podman login ${server.host}`);
    expect(await empty.textContent()).toContain(`podman push ${server.host}/admin/<repo>:<tag>`);
    await expectAccessible(page);
  });

  it("lists pushed repositories and narrows them with the filter box (htmx, no reload)", async () => {
    await pushImage("admin/webapp", "v1");
    await pushImage("admin/database", "15");
    await page.reload();
    await expect.poll(() => repoRows().count()).toBe(2);

    // A full page load would wipe this marker; an htmx swap keeps it.
    await page.evaluate(() => ((window as { stayed?: boolean }).stayed = true));
    await page.locator('input[name="filter"]').pressSequentially("web", { delay: 30 });
    await expect.poll(() => repoRows().count()).toBe(1);
    expect(await repoRows().first().textContent()).toContain("admin/webapp");
    expect(await page.evaluate(() => (window as { stayed?: boolean }).stayed)).toBe(true);
    expect(new URL(page.url()).search).toBe("?filter=web");
    await expectAccessible(page);
  });

  it("shows the repository page with its tag and pull command", async () => {
    await page.click('a[href="/repository/admin/webapp"]');
    await page.waitForURL(`${server.url}/repository/admin/webapp`);
    expect(await page.textContent("h1")).toContain("admin/webapp");
    expect(await page.textContent('[data-testid="visibility"]')).toContain("private");
    expect(await page.textContent('[data-testid="pull-command"]')).toContain(`podman pull ${server.host}/admin/webapp:v1`);
    await page.click('nav[aria-label="Repository"] a:has-text("Tags")');
    await page.waitForURL(`${server.url}/repository/admin/webapp?tab=tags`);
    const rows = page.locator('[data-testid="tag-row"]');
    expect(await rows.count()).toBe(1);
    const row = await rows.first().textContent();
    expect(row).toContain("v1");
    expect(row).toMatch(/sha256:[0-9a-f]{12}/);
    expect(row).toMatch(/\d+(\.\d)? KiB/);
    await page.screenshot({ path: SCREENSHOT, fullPage: true, animations: "disabled" });
    await expectAccessible(page);
  });

  it("signs out", async () => {
    await page.click('form[action="/signout"] button');
    await page.waitForURL(`${server.url}/`);
    expect(await page.locator('[data-testid="signed-in-user"]').count()).toBe(0);
    expect(await page.locator('a[href="/signin"]').count()).toBeGreaterThan(0);
    // Both repositories are private: the anonymous list is empty.
    expect(await repoRows().count()).toBe(0);
    await expectAccessible(page);
    await page.goto(`${server.url}/repository/admin/webapp`);
    expect(await page.textContent("h1")).toContain("Not found");
    await expectAccessible(page);
  });
});

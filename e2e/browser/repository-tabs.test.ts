// The repository page's tabs in Chromium: Information, the Tags tab (filter, expanded view with
// labels, a multi-arch tag opened onto its child manifests, "Fetch tag" copying a pull command to
// the clipboard), Tag history, Usage logs and Settings. Every page and state visited passes the accessibility
// check.
import type { Browser, Page } from "playwright";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser } from "../../server/domain/accounts/users.ts";
import { type TestServer, testServer } from "../support/test-app.ts";
import { DESKTOP, expectAccessible, fitsViewport, launchChromium, MOBILE, openPage, signIn } from "./browser.ts";
import { pushConfiguredImage, pushIndex } from "./push-image.ts";

const IVY = { username: "ivy", password: "ivy-password-1" };

let server: TestServer;
let browser: Browser;
let webDigest: string;

beforeAll(async () => {
  server = await testServer();
  await createUser(server.deps.db, IVY, { principal: { kind: "anonymous" } });
  await pushConfiguredImage(server, IVY, "ivy/shop", { labels: { "org.example.team": "payments" } }, "db-1");
  webDigest = (await pushConfiguredImage(server, IVY, "ivy/shop", { labels: { maintainer: "ivy", "org.example.tier": "web" } }, "web-1", "web-2")).digest;
  const amd = await pushConfiguredImage(server, IVY, "ivy/shop", {}, "multi-amd64");
  const arm = await pushConfiguredImage(server, IVY, "ivy/shop", { architecture: "arm64", variant: "v8" }, "multi-arm64");
  await pushIndex(server, IVY, "ivy/shop", "multi", [
    { ...amd, platform: { os: "linux", architecture: "amd64" } },
    { ...arm, platform: { os: "linux", architecture: "arm64", variant: "v8" } },
  ]);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const tagNames = (page: Page) => page.locator('[data-testid="tag-name"]').allTextContents();
const tab = (page: Page, label: string) => page.click(`nav[aria-label="Repository"] a:has-text("${label}")`);

async function signedIn(viewport = DESKTOP): Promise<Page> {
  const page = await openPage(browser, viewport);
  await signIn(page, server.url, IVY.username, IVY.password);
  return page;
}

describe("repository tabs", () => {
  it("go from Information to Tags, Tag history, Usage logs and Settings, each accessible", async () => {
    const page = await signedIn();
    await page.goto(`${server.url}/repository/ivy/shop`);
    expect(await page.textContent('[data-testid="pull-command"]')).toContain(`podman pull ${server.host}/ivy/shop:`);
    expect(await page.textContent('[data-testid="storage-used"]')).toMatch(/\d+(\.\d)? KiB/);
    await expectAccessible(page);

    await tab(page, "Tags");
    await page.waitForURL(`${server.url}/repository/ivy/shop?tab=tags`);
    expect((await tagNames(page)).sort()).toEqual(["db-1", "multi", "multi-amd64", "multi-arm64", "web-1", "web-2"]);
    await expectAccessible(page);

    await tab(page, "Tag history");
    await page.waitForURL(`${server.url}/repository/ivy/shop?tab=history`);
    expect(await page.locator('[data-testid="history-row"]').count()).toBeGreaterThan(0);
    await expectAccessible(page);

    await tab(page, "Usage logs");
    await page.waitForURL(`${server.url}/repository/ivy/shop?tab=logs`);
    expect(await page.locator('[data-testid="log-row"]').count()).toBeGreaterThan(0);
    expect(await page.locator('[data-testid="log-row"]').first().textContent()).toContain("push_repo");
    await expectAccessible(page);

    await tab(page, "Settings");
    await page.waitForURL(`${server.url}/repository/ivy/shop?tab=settings`);
    expect(await page.locator('[data-testid="repository-admin"]').count()).toBe(1);
    await expectAccessible(page);
    await page.context().close();
  });

  it("filter tags with htmx, and the expanded view shows each tag's labels", async () => {
    const page = await signedIn();
    await page.goto(`${server.url}/repository/ivy/shop?tab=tags`);
    await page.evaluate(() => ((window as { stayed?: boolean }).stayed = true));
    await page.locator('input[name="filter"]').fill("WEB");
    await expect.poll(() => tagNames(page)).toEqual(["web-2", "web-1"]);
    expect(new URL(page.url()).search).toBe("?tab=tags&filter=WEB");

    await page.click('[data-testid="view-expanded"]');
    await expect.poll(() => page.locator('[data-testid="tag-labels"]').count()).toBe(2);
    expect(new URL(page.url()).search).toBe("?tab=tags&view=expanded&filter=WEB");
    expect(await page.evaluate(() => (window as { stayed?: boolean }).stayed)).toBe(true); // htmx swaps, no reload
    const labels = await page.locator('#tag-web-1 [data-testid="label"]').allTextContents();
    expect(labels.map((l) => l.trim()).sort()).toEqual(["maintainer = ivy", "org.example.tier = web"]);
    await expectAccessible(page);

    // The view survives a change of filter.
    await page.locator('input[name="filter"]').fill("db");
    await expect.poll(() => tagNames(page)).toEqual(["db-1"]);
    expect((await page.locator('#tag-db-1 [data-testid="label"]').allTextContents()).map((l) => l.trim())).toEqual(["org.example.team = payments"]);
    await page.click('[data-testid="view-compact"]');
    await expect.poll(() => page.locator('[data-testid="tag-labels"]').count()).toBe(0);
    await expectAccessible(page);
    await page.context().close();
  });

  it("open a multi-arch tag onto its child manifests and close it again", async () => {
    const page = await signedIn();
    await page.goto(`${server.url}/repository/ivy/shop?tab=tags`);
    const toggle = page.locator('#tag-multi [data-testid="child-toggle"]');
    expect(await toggle.getAttribute("aria-expanded")).toBe("false");
    await toggle.click();
    const children = page.locator('#tag-multi [data-testid="child-manifest"]');
    await expect.poll(() => children.count()).toBe(2);
    const cells = async (i: number) => (await children.nth(i).locator("td").allTextContents()).map((t) => t.trim());
    expect((await cells(0)).slice(0, 3)).toEqual(["linux", "amd64", "–"]);
    expect((await cells(1)).slice(0, 3)).toEqual(["linux", "arm64", "v8"]);
    expect(await children.nth(1).locator("a").getAttribute("href")).toMatch(/^\/repository\/ivy\/shop\/manifest\/sha256:[0-9a-f]{64}$/);
    expect(await page.locator('#tag-multi [data-testid="child-toggle"]').getAttribute("aria-expanded")).toBe("true");
    await expectAccessible(page);

    await page.locator('#tag-multi [data-testid="child-toggle"]').click();
    await expect.poll(() => children.count()).toBe(0);
    expect(await page.locator('#tag-multi [data-testid="child-toggle"]').getAttribute("aria-expanded")).toBe("false");
    await page.context().close();
  });

  it("copy a pull command from Fetch tag to the clipboard", async () => {
    const page = await signedIn();
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.url });
    await page.goto(`${server.url}/repository/ivy/shop?tab=tags`);
    await page.click('#tag-web-1 [data-testid="fetch-tag"] summary');
    const byDigest = page.locator("#fetch-web-1-podman-digest");
    await expect.poll(() => byDigest.isVisible()).toBe(true);
    expect(await byDigest.inputValue()).toBe(`podman pull ${server.host}/ivy/shop@${webDigest}`);
    expect(await page.inputValue("#fetch-web-1-docker-tag")).toBe(`docker pull ${server.host}/ivy/shop:web-1`);
    await expectAccessible(page);

    await page.click('[data-copy-from="fetch-web-1-podman-digest"]');
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(`podman pull ${server.host}/ivy/shop@${webDigest}`);
    expect(await page.getAttribute('[data-copy-from="fetch-web-1-podman-digest"]', "data-copied")).toBe("true");
    expect(await page.textContent("#copy-status")).toBe("Copied");
    await page.context().close();
  });

  it("fit a phone's width, Tags tab included", async () => {
    const page = await signedIn(MOBILE);
    for (const path of ["/repository/ivy/shop", "/repository/ivy/shop?tab=tags&view=expanded&expand=multi"]) {
      await page.goto(`${server.url}${path}`);
      expect(await fitsViewport(page), path).toBe(true);
      await expectAccessible(page);
    }
    await page.context().close();
  });
});

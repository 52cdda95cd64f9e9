// The repository and tag tables in Chromium, at desktop width and at 390 px: the pull command,
// the pager (range and total, or the tags shown and their total; keyboard focus), the filter box (input of any kind, one
// case-insensitive rule, long text) and the layout of their cells.
import type { Browser, Page } from "playwright";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createRepository } from "../../server/domain/repositories/repositories.ts";
import { createUser, toPrincipal } from "../../server/domain/accounts/users.ts";
import { type TestServer, testServer } from "../support/test-app.ts";
import { DESKTOP, expectAccessible, fitsViewport, launchChromium, MOBILE, openPage } from "./browser.ts";
import { pushImage } from "./push-image.ts";

const ALICE = { username: "alice", password: "alice-password-1" };
/** t00 … t29 and Release-1, pushed after `latest`: 32 tags, two pages of 25. */
const MANY_TAGS = [...Array.from({ length: 30 }, (_, i) => `t${String(i).padStart(2, "0")}`), "Release-1"] as const;

let server: TestServer;
let browser: Browser;
const opened: Page[] = [];

/** A fresh page at the given width (each visit starts from a clean context). */
async function visit(path: string, viewport = DESKTOP): Promise<Page> {
  const page = await openPage(browser, viewport);
  opened.push(page);
  await page.goto(`${server.url}${path}`);
  return page;
}

const tagRows = (page: Page) => page.locator('[data-testid="tag-row"]');
const repoRows = (page: Page) => page.locator('[data-testid="repo-row"]');
const pullCommand = (page: Page) => page.locator('[data-testid="pull-command"]').textContent();
const filterBox = (page: Page) => page.locator('input[name="filter"]');

beforeAll(async () => {
  server = await testServer();
  const alice = await createUser(server.deps.db, ALICE, { principal: { kind: "anonymous" } });
  const actor = { principal: toPrincipal(alice) };
  for (const name of ["many", "nolatest", "empty"]) {
    await createRepository(server.deps.db, actor, { namespace: "alice", name, visibility: "public" });
  }
  await pushImage(server, ALICE, "alice/many", "latest", ...MANY_TAGS);
  await pushImage(server, ALICE, "alice/nolatest", "v1", "v2");
  browser = await launchChromium();
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((page) => page.context().close()));
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe("pull command", () => {
  it("shows latest on the Information tab, else the most recent tag", async () => {
    const page = await visit("/repository/alice/many");
    expect(await pullCommand(page)).toContain(`podman pull ${server.host}/alice/many:latest`);
    await expectAccessible(page);

    await page.goto(`${server.url}/repository/alice/nolatest`);
    expect(await pullCommand(page)).toContain(`podman pull ${server.host}/alice/nolatest:v2`);
    await expectAccessible(page);
  });

  for (const viewport of [DESKTOP, MOBILE]) {
    it(`shows how to push into an empty repository (${viewport.width} px)`, async () => {
      const page = await visit("/repository/alice/empty", viewport);
      expect(await page.locator('[data-testid="pull-command"]').count()).toBe(0);
      const push = await page.locator('[data-testid="push-commands"]').textContent();
      expect(push).toContain(`podman login ${server.host}`);
      expect(push).toContain(`podman tag <image> ${server.host}/alice/empty:latest`);
      expect(push).toContain(`podman push ${server.host}/alice/empty:latest`);
      expect(await page.textContent("main")).not.toContain("podman pull");
      expect(await fitsViewport(page)).toBe(true);
      await expectAccessible(page);
      await page.screenshot({ path: `/tmp/quayside-empty-${viewport.width}.png`, fullPage: true, animations: "disabled" });
    });
  }
});

describe("pager", () => {
  for (const viewport of [DESKTOP, MOBILE]) {
    it(`shows the range and the total (${viewport.width} px)`, async () => {
      const page = await visit("/repository/alice/many?tab=tags", viewport);
      const range = page.locator('[data-testid="pager-range"]');
      await expect.poll(() => range.isVisible()).toBe(true);
      expect((await range.textContent())?.replace(/\s+/g, " ").trim()).toBe("25 of 32 tags");
      expect(await fitsViewport(page)).toBe(true);
      await expectAccessible(page);
      await page.screenshot({ path: `/tmp/quayside-tags-${viewport.width}.png`, fullPage: true, animations: "disabled" });
      await range.scrollIntoViewIfNeeded();
      await page.screenshot({ path: `/tmp/quayside-pager-${viewport.width}.png`, animations: "disabled" });

      await page.click('a[aria-label="Go to next page"]');
      await expect.poll(async () => (await range.textContent())?.replace(/\s+/g, " ").trim()).toBe("7 of 32 tags");
      expect(await range.isVisible()).toBe(true);
      await expectAccessible(page);
    });
  }

  it("keeps keyboard focus on the pager after Next and Previous", async () => {
    const page = await visit("/repository/alice/many?tab=tags");
    await page.locator('a[aria-label="Go to next page"]').focus();
    await page.keyboard.press("Enter");
    await expect.poll(() => tagRows(page).count()).toBe(7);
    expect(new URL(page.url()).searchParams.get("after")).toMatch(/~t0[0-9]$/);
    const focused = () =>
      page.evaluate(() => {
        const active = document.activeElement;
        return active?.closest('nav[aria-label="Pagination"]') ? active.getAttribute("aria-label") : active?.tagName;
      });
    // The last page: Next cannot be followed but keeps the focus, announced as unavailable.
    expect(await focused()).toBe("Go to next page");
    expect(await page.locator(':focus').getAttribute("aria-disabled")).toBe("true");
    await expectAccessible(page);

    await page.keyboard.press("Shift+Tab");
    expect(await focused()).toBe("Go to previous page");
    await page.keyboard.press("Enter");
    await expect.poll(() => tagRows(page).count()).toBe(25);
    expect(await focused()).toBe("Go to previous page");
    // Enter on an unavailable page link does nothing.
    await page.keyboard.press("Enter");
    expect(await tagRows(page).count()).toBe(25);
    await expectAccessible(page);
  });
});

describe("filter box", () => {
  it("filters on any change of its text: paste, autofill, typing", async () => {
    // fill() sets the value and fires `input` alone, as pasting with the mouse or autofill do.
    const page = await visit("/repository/alice/many?tab=tags");
    await page.evaluate(() => ((window as { stayed?: boolean }).stayed = true));
    await filterBox(page).fill("t2");
    await expect.poll(() => tagRows(page).count()).toBe(10);
    expect(new URL(page.url()).search).toBe("?tab=tags&filter=t2");
    expect(await page.evaluate(() => (window as { stayed?: boolean }).stayed)).toBe(true); // an htmx swap
    await expectAccessible(page);

    const list = await visit("/repositories");
    expect(await repoRows(list).count()).toBe(3);
    await filterBox(list).fill("nolat");
    await expect.poll(() => repoRows(list).count()).toBe(1);
    await expectAccessible(list);
  });

  it("still filters without JavaScript, as a GET form", async () => {
    const context = await browser.newContext({ viewport: DESKTOP, javaScriptEnabled: false });
    const page = await context.newPage();
    opened.push(page);
    await page.goto(`${server.url}/repository/alice/many?tab=tags`);
    await filterBox(page).fill("release");
    await filterBox(page).press("Enter");
    await page.waitForURL(/\?tab=tags&filter=release/);
    expect(await tagRows(page).count()).toBe(1);
    // axe-core runs as a script in the page: check the same address with JavaScript on.
    await expectAccessible(await visit(new URL(page.url()).pathname + new URL(page.url()).search));
  });

  it("ignores case in tag and repository names alike", async () => {
    const page = await visit("/repository/alice/many?tab=tags");
    await filterBox(page).fill("release");
    await expect.poll(() => tagRows(page).count()).toBe(1);
    expect(await tagRows(page).first().textContent()).toContain("Release-1");
    await filterBox(page).fill("T0");
    await expect.poll(() => tagRows(page).count()).toBe(10);
    await expectAccessible(page);

    const list = await visit("/repositories");
    await filterBox(list).fill("ALICE/MANY");
    await expect.poll(() => repoRows(list).count()).toBe(1);
    await expectAccessible(list);
  });

  for (const viewport of [DESKTOP, MOBILE]) {
    it(`keeps a filter longer than 255 characters and shows that nothing matches (${viewport.width} px)`, async () => {
      const long = "t".repeat(300);
      const page = await visit("/repository/alice/many?tab=tags", viewport);
      await filterBox(page).fill(long);
      await expect.poll(() => tagRows(page).count()).toBe(0);
      expect(await page.textContent('[data-testid="empty-state"]')).toContain("No tags match");
      expect(await fitsViewport(page)).toBe(true);
      await expectAccessible(page);

      // The same address loaded afresh keeps the text in the box.
      await page.goto(`${server.url}/repository/alice/many?tab=tags&filter=${long}`);
      expect(await filterBox(page).inputValue()).toBe(long);
      expect(await tagRows(page).count()).toBe(0);
      expect(await page.textContent('[data-testid="empty-state"]')).toContain("No tags match");
      expect(await fitsViewport(page)).toBe(true);
      await expectAccessible(page);
    });
  }
});

describe("table cells and addresses", () => {
  it("sizes the visibility label to its text on a phone", async () => {
    const page = await visit("/repositories", MOBILE);
    const label = page.locator('[data-testid="repo-row"] [data-testid="visibility"]').first();
    const cell = page.locator('[data-testid="repo-row"] td[data-label="Visibility"]').first();
    const labelWidth = (await label.boundingBox())!.width;
    const cellWidth = (await cell.boundingBox())!.width;
    expect(labelWidth).toBeLessThan(cellWidth / 2);
    expect(await fitsViewport(page)).toBe(true);
    await expectAccessible(page);
  });

  it("corrects an invalid page position in the address bar", async () => {
    for (const bad of ["abc", "0", "-1", "2020-01-01~t01", "99999999999999999999"]) {
      const page = await visit(`/repository/alice/many?tab=tags&filter=t&after=${bad}`);
      expect(new URL(page.url()).search).toBe("?tab=tags&filter=t");
      expect(await tagRows(page).count()).toBe(25);
      await expectAccessible(page);
    }
  });
});

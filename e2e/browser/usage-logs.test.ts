// Usage logs in Chromium: the repository tab filtered by dates and by text (htmx swaps, the
// address bar kept in step), a row opened onto its full description, the chart, the export dialog; the
// organization's and the user's logs; every page accessible and within a phone's width.
import type { Browser, Page } from "playwright";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog } from "../../db/schema.ts";
import { createOrganization } from "../../server/domain/accounts/organizations.ts";
import { createUser, toPrincipal } from "../../server/domain/accounts/users.ts";
import { createRepository } from "../../server/domain/repositories/repositories.ts";
import { type TestServer, testServer } from "../support/test-app.ts";
import { DESKTOP, expectAccessible, fitsViewport, launchChromium, MOBILE, openPage, signIn } from "./browser.ts";

const IVY = { username: "ivy", password: "ivy-password-1" };
const DAY = 86_400_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  server = await testServer();
  const ivy = await createUser(server.deps.db, IVY, { principal: { kind: "anonymous" } });
  const actor = { principal: toPrincipal(ivy) };
  const org = await createOrganization(server.deps.db, { name: "harbour", email: "" }, actor);
  const repo = await createRepository(server.deps.db, actor, { namespace: "harbour", name: "crane", visibility: "private" });
  const now = Date.now();
  const row = (kind: string, tag: string, at: number) => ({
    kind,
    namespaceId: org.namespaceId,
    repositoryId: repo.id,
    performerId: ivy.id,
    ip: "192.0.2.7",
    metadata: { tag, repo: "crane", namespace: "harbour", manifest_digest: `sha256:${"ab".repeat(32)}` },
    createdAt: new Date(at),
  });
  await server.deps.db.insert(auditLog).values([
    row("push_repo", "stable", now - 60_000),
    row("delete_tag", "nightly", now - 2 * DAY),
    row("create_tag", "ancient", now - 20 * DAY),
  ]);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const kinds = (page: Page) => page.locator('[data-testid="log-row"] dd code').allTextContents();

async function signedIn(viewport = DESKTOP): Promise<Page> {
  const page = await openPage(browser, viewport);
  await signIn(page, server.url, IVY.username, IVY.password);
  return page;
}

describe("usage logs", () => {
  it("filter by date and text, open a row, show the chart", async () => {
    const page = await signedIn();
    await page.goto(`${server.url}/repository/harbour/crane?tab=logs`);
    expect(await kinds(page)).toEqual(expect.arrayContaining(["push_repo", "delete_tag"]));
    expect(await kinds(page)).not.toContain("create_tag");
    expect(await page.locator('[data-testid="log-chart"] svg rect').count()).toBeGreaterThan(0);
    await expectAccessible(page);
    await page.evaluate(() => ((window as { stayed?: boolean }).stayed = true));

    // Back three weeks: the old row appears, swapped in by htmx.
    await page.fill("#log-from", isoDay(Date.now() - 21 * DAY));
    await expect.poll(() => kinds(page)).toContain("create_tag");
    expect(new URL(page.url()).searchParams.get("from")).toBe(isoDay(Date.now() - 21 * DAY));

    await page.fill("#log-filter", "nightly");
    await expect.poll(() => kinds(page)).toEqual(["delete_tag"]);
    expect(new URL(page.url()).searchParams.get("filter")).toBe("nightly");
    expect(await page.locator('[data-testid="log-chart-kind"]').allTextContents()).toEqual(["delete_tag 1"]);
    expect(await page.evaluate(() => (window as { stayed?: boolean }).stayed)).toBe(true);

    // The row opens onto its description's details.
    const entry = page.locator('[data-testid="log-entry"]').first();
    expect(await entry.locator("dl").isVisible()).toBe(false);
    await entry.locator("summary").click();
    await expect.poll(() => entry.locator("dl").isVisible()).toBe(true);
    expect(await entry.locator("dl").textContent()).toContain("nightly");
    await expectAccessible(page);

    // The export dialog opens onto its form.
    await page.click('[data-testid="export-logs"] summary');
    await expect.poll(() => page.locator("#field-callback_email").isVisible()).toBe(true);
    await expectAccessible(page);
    await page.context().close();
  });

  it("the organization's and the user's logs, each accessible", async () => {
    const page = await signedIn();
    await page.goto(`${server.url}/organization/harbour`);
    await page.click('nav[aria-label="Organization"] a:has-text("Usage logs")');
    await page.waitForURL(`${server.url}/organization/harbour/logs`);
    expect(await kinds(page)).toEqual(expect.arrayContaining(["push_repo", "create_repo"]));
    await expectAccessible(page);
    await page.goto(`${server.url}/settings/logs`);
    expect(await kinds(page)).toContain("user_create");
    await expectAccessible(page);
    await page.context().close();
  });

  it("fit a phone's width", async () => {
    const page = await signedIn(MOBILE);
    for (const path of ["/repository/harbour/crane?tab=logs", "/organization/harbour/logs", "/settings/logs"]) {
      await page.goto(`${server.url}${path}`);
      await page.locator('[data-testid="log-entry"] summary').first().click();
      await page.click('[data-testid="export-logs"] summary');
      expect(await fitsViewport(page), path).toBe(true);
      await expectAccessible(page);
    }
    await page.context().close();
  });
});

// A repository's notifications in Chromium: its admin opens them from the Settings tab, creates a
// webhook through the dialog (choosing the method swaps its settings in place; a bad URL is
// refused at its field), tests it (the server's worker POSTs to a receiver on loopback), sees it
// disabled once its events have failed and re-enables it, and deletes it after the question.
// Every state passes the accessibility check, and the list fits a phone's width.
import type { Browser, Page } from "playwright";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repositoryNotifications } from "../../db/schema.ts";
import { createUser, toPrincipal } from "../../server/domain/accounts/users.ts";
import { createRepository } from "../../server/domain/repositories/repositories.ts";
import { type HttpReceiver, startHttpReceiver } from "../support/http-receiver.ts";
import { type TestServer, testServer } from "../support/test-app.ts";
import { expectAccessible, fitsViewport, launchChromium, MOBILE, openPage, signIn, textOf } from "./browser.ts";

const DANA = { username: "dana", password: "dana-password-1" };

let server: TestServer;
let browser: Browser;
let receiver: HttpReceiver;

beforeAll(async () => {
  receiver = await startHttpReceiver();
  const receiverHost = new URL(receiver.url("/")).host;
  server = await testServer({ QUAYSIDE_SSRF_ALLOWED_HOSTS: receiverHost });
  const dana = await createUser(server.deps.db, DANA, { principal: { kind: "anonymous" } });
  await createRepository(server.deps.db, { principal: toPrincipal(dana) }, { namespace: "dana", name: "app", visibility: "private" });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await receiver?.close();
});

const rowsText = async (page: Page) => (await page.locator('[data-testid="notification-row"]').allTextContents()).join(" | ");
const CREATE = '#notification-config button[type="submit"]';

describe("repository notifications in the browser", () => {
  it("are created, tested, disabled, re-enabled and deleted by the repository's admin", async () => {
    const page = await openPage(browser);
    await signIn(page, server.url, DANA.username, DANA.password);
    await page.goto(`${server.url}/repository/dana/app?tab=settings`);
    await page.click('[data-testid="repository-notifications"]');
    await page.waitForURL(`${server.url}/repository-notifications/dana/app`);
    expect(await textOf(page, "empty-state")).toContain("No notifications yet");
    await expectAccessible(page);

    // Event, then method: htmx swaps in the chosen method's settings.
    await page.click('[data-testid="create-notification"] summary');
    await page.selectOption("#field-method", "slack");
    await page.waitForSelector('label[for="field-url"]:has-text("Slack incoming webhook URL")');
    expect(await page.locator("#field-template").count()).toBe(0);
    await page.selectOption("#field-method", "webhook");
    // Only the webhook has a body template (a label test would also match Slack's "…webhook URL").
    await page.waitForSelector("#field-template");
    await expectAccessible(page);

    await page.fill("#field-title", "Deploy hook");
    await page.fill("#field-url", "ftp://example.com/hook");
    await page.click(CREATE);
    expect(await page.textContent("#field-url-helper.pf-m-error")).toContain("Invalid webhook URL");
    expect(await page.inputValue("#field-title")).toBe("Deploy hook");
    await expectAccessible(page);

    await page.fill("#field-url", receiver.url("/hook"));
    await page.click(CREATE);
    await page.waitForURL(/created=Deploy/);
    expect(await textOf(page, "notification-notice")).toContain("Created the notification Deploy hook.");
    expect(await rowsText(page)).toContain("Deploy hookPush to repositoryWebhook POST");
    expect(await textOf(page, "notification-enabled")).toBe("Enabled");
    await expectAccessible(page);

    // Test: the worker POSTs the event's sample data to the receiver.
    await page.click('button[aria-label="Test Deploy hook"]');
    await page.waitForURL(/tested=Deploy/);
    const [delivered] = await receiver.waitFor(1, (r) => r.url === "/hook");
    expect(delivered!.body).toMatchObject({ repository: "dana/app", namespace: "dana", name: "app" });

    // Three events failed in a row: disabled, shown so, until re-enabled.
    await server.deps.db.update(repositoryNotifications).set({ numberOfFailures: 3 }).where(eq(repositoryNotifications.title, "Deploy hook"));
    await page.reload();
    expect(await textOf(page, "notification-disabled")).toBe("Disabled after 3 failed events");
    await expectAccessible(page);
    await page.click('button[aria-label="Re-enable Deploy hook"]');
    await page.waitForURL(/reenabled=Deploy/);
    expect(await textOf(page, "notification-enabled")).toBe("Enabled");
    expect(await page.isVisible('button[aria-label="Re-enable Deploy hook"]')).toBe(false);

    await page.click('a[aria-label="Delete Deploy hook"]');
    await page.waitForURL(/repository-notification-delete/);
    await expectAccessible(page);
    await page.click('[data-testid="confirm"]');
    await page.waitForURL(/deleted=Deploy/);
    expect(await textOf(page, "empty-state")).toContain("No notifications yet");
    await page.close();
  });

  it("fits a phone's width with a notification listed and the dialog open", async () => {
    const page = await openPage(browser, MOBILE);
    await signIn(page, server.url, DANA.username, DANA.password);
    await page.goto(`${server.url}/repository-notifications/dana/app?event=repo_image_expiry&method=webhook`);
    await page.fill("#field-days", "7");
    await page.fill("#field-url", receiver.url("/a-rather-long-path/for-the-expiry-hook/that-should-wrap"));
    await page.click(CREATE);
    await page.waitForURL(/created=/);
    expect(await fitsViewport(page)).toBe(true);
    await page.click('[data-testid="create-notification"] summary');
    expect(await fitsViewport(page)).toBe(true);
    await expectAccessible(page);
    await page.close();
  });
});

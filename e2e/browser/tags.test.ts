// A tag's life in Chromium: move it to another manifest after the question showing from and to,
// set an expiry and see it, delete it after the question and restore it from its history.
// Every page visited passes the accessibility check.
import type { Browser } from "playwright";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser } from "../../server/domain/accounts/users.ts";
import { type TestServer, testServer } from "../support/test-app.ts";
import { expectAccessible, launchChromium, openPage, signIn, textOf } from "./browser.ts";
import { pushImage } from "./push-image.ts";

const ALICE = { username: "alice", password: "alice-password" };

let server: TestServer;
let browser: Browser;
let first: string;
let second: string;

beforeAll(async () => {
  server = await testServer();
  await createUser(server.deps.db, ALICE, { principal: { kind: "anonymous" } });
  first = await pushImage(server, ALICE, "alice/site", "web");
  second = await pushImage(server, ALICE, "alice/site", "next");
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe("a tag in the browser", () => {
  it("is moved after a question, given an expiry, deleted after a question and restored from its history", async () => {
    const page = await openPage(browser);
    await signIn(page, server.url, ALICE.username, ALICE.password);
    const tagPage = `${server.url}/repository-tag/alice/site?tag=web`;
    await page.goto(tagPage);
    expect(await textOf(page, "tag-digest")).toBe(first);
    await expectAccessible(page);

    // Move: the question shows from and to, and nothing moves until it is answered.
    await page.fill("#field-digest", second);
    await page.click('[data-testid="move-tag"] button[type="submit"]');
    await page.waitForURL(/\/repository-tag-move\//);
    expect(await textOf(page, "confirm-from")).toBe(first.slice(0, 19));
    expect(await textOf(page, "confirm-to")).toBe(second.slice(0, 19));
    await expectAccessible(page);
    await page.click('[data-testid="confirm"]');
    await page.waitForURL(/\/repository-tag\/alice\/site\?tag=web&done=moved/);
    expect(await textOf(page, "tag-notice")).toBe("Moved web.");
    expect(await textOf(page, "tag-digest")).toBe(second);
    await expectAccessible(page);

    // Expiry: a month from now, typed into the date-time field (UTC), shown once saved.
    const expiry = new Date(Math.ceil((Date.now() + 30 * 86_400_000) / 60_000) * 60_000);
    await page.fill("#field-expires_at", expiry.toISOString().slice(0, 16));
    await page.click('[data-testid="tag-expiration"] button[type="submit"]');
    await page.waitForURL(/done=expiration/);
    expect(await textOf(page, "tag-expires")).toBe(expiry.toUTCString());
    await expectAccessible(page);
    // …and in the repository's Tags tab, the EXPIRES column of that tag's row.
    await page.goto(`${server.url}/repository/alice/site?tab=tags`);
    const row = page.locator('[data-testid="tag-row"]', { has: page.locator('[data-testid="tag-name"]', { hasText: /^web$/ }) });
    expect(await row.locator('[data-testid="tag-expires"]').getAttribute("datetime")).toBe(expiry.toISOString());
    await page.goto(tagPage);

    // Delete, after the question; the history then offers Restore.
    await page.click('[data-testid="delete-tag"] a');
    await page.waitForURL(/\/repository-tag-delete\//);
    await expectAccessible(page);
    await page.click('[data-testid="confirm"]');
    await page.waitForURL(/done=deleted/);
    expect(await textOf(page, "tag-notice")).toBe("Deleted web.");
    expect(await page.locator('[data-testid="tag-digest"]').count()).toBe(0);
    await expectAccessible(page);
    await page.click(`button[aria-label="Restore web to ${second.slice(0, 19)}"]`);
    await page.waitForURL(/done=restored/);
    expect(await textOf(page, "tag-notice")).toBe("Restored web.");
    expect(await textOf(page, "tag-digest")).toBe(second);
    expect(await page.locator('[data-testid="history-row"]').count()).toBe(3);
    await expectAccessible(page);
  });
});

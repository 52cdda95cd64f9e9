// The bell in Chromium: a registry push to a repository with a "Quay Notification" on repo_push
// reaches it through the delivery job; events delivered in-app (to the user and to their
// organization) show as the masthead's count on any page; the bell leads to the notifications
// page, which lists them with their repositories linked; Dismiss and Dismiss all swap the list
// and the bell follows; every state accessible and within a phone's width.
import type { Browser, Page } from "playwright";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOrganization } from "../../server/domain/accounts/organizations.ts";
import { createUser, toPrincipal } from "../../server/domain/accounts/users.ts";
import { deliverInApp } from "../../server/domain/notifications/in-app.ts";
import { createNotification } from "../../server/domain/notifications/notifications.ts";
import { createRepository } from "../../server/domain/repositories/repositories.ts";
import { type TestServer, testServer } from "../support/test-app.ts";
import { DESKTOP, expectAccessible, fitsViewport, launchChromium, MOBILE, openPage, signIn, textOf } from "./browser.ts";
import { pushImage } from "./push-image.ts";

const IVY = { username: "ivy", password: "ivy-password-1" };

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  server = await testServer();
  const ivy = await createUser(server.deps.db, IVY, { principal: { kind: "anonymous" } });
  const actor = { principal: toPrincipal(ivy) };
  await createOrganization(server.deps.db, { name: "harbour", email: "" }, actor);
  const crane = await createRepository(server.deps.db, actor, { namespace: "harbour", name: "crane", visibility: "private" });
  // Quay's "Quay Notification" on pushes to harbour/crane, to ivy: the path a real event takes.
  const repo = { id: crane.id, namespaceId: crane.namespaceId, namespace: "harbour", name: "crane" };
  const onPush = { event: "repo_push", method: "quay_notification", config: { target: { kind: "user", name: "ivy" } }, eventConfig: {} };
  await createNotification(server.deps, repo, onPush, actor);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const event = (tags: string[]) => ({ repository: "harbour/crane", namespace: "harbour", name: "crane", docker_url: "x", homepage: "y", updated_tags: tags });

async function signedIn(viewport = DESKTOP): Promise<Page> {
  const page = await openPage(browser, viewport);
  await signIn(page, server.url, IVY.username, IVY.password);
  return page;
}

const bellCount = (page: Page) => page.locator('[data-testid="notification-count"]').allTextContents();
const sentences = (page: Page) => page.locator('[data-testid="notification-sentence"]').allTextContents();

describe("the notification bell", () => {
  it("shows a push once its quay_notification has been delivered (registry push, delivery job, bell)", async () => {
    const page = await signedIn();
    await page.goto(`${server.url}/explore`);
    expect(await bellCount(page)).toEqual([]);
    await pushImage(server, IVY, "harbour/crane", "pushed-tag");
    await expect
      .poll(async () => (await page.reload(), bellCount(page)), { timeout: 30_000, interval: 500 })
      .toEqual(["1"]);
    await page.click('[data-testid="notification-bell"]');
    await page.waitForURL(`${server.url}/notifications`);
    expect(await sentences(page)).toEqual(["Tag pushed-tag was pushed to harbour/crane."]);
    await expectAccessible(page);
    await page.click('[data-testid="dismiss-all"]');
    await expect.poll(() => bellCount(page)).toEqual([]);
    await page.context().close();
  });

  it("shows delivered events, leads to the list, and follows dismissals", async () => {
    const page = await signedIn();
    await page.goto(`${server.url}/explore`);
    expect(await bellCount(page)).toEqual([]);
    expect(await page.getAttribute('[data-testid="notification-bell"]', "aria-label")).toBe("Notifications: none unread");

    await deliverInApp(server.deps, { repositoryNamespace: "harbour", target: { kind: "user", name: "ivy" }, kind: "repo_push", metadata: event(["latest"]) });
    await deliverInApp(server.deps, { repositoryNamespace: "harbour", target: { kind: "org", name: "harbour" }, kind: "repo_push", metadata: event(["v1", "v2"]) });
    await page.reload();
    expect(await bellCount(page)).toEqual(["2"]);
    await expectAccessible(page);

    await page.click('[data-testid="notification-bell"]');
    await page.waitForURL(`${server.url}/notifications`);
    expect(await sentences(page)).toEqual(["Tags v1 and v2 were pushed to harbour/crane.", "Tag latest was pushed to harbour/crane."]);
    expect(await page.getAttribute('[data-testid="notification-repository"] >> nth=0', "href")).toBe("/repository/harbour/crane");
    await expectAccessible(page);

    // Dismissing one swaps the list in place, and the bell is counted again.
    await page.evaluate(() => ((window as { stayed?: boolean }).stayed = true));
    await page.locator('[data-testid="dismiss"]').first().click();
    await expect.poll(() => sentences(page)).toEqual(["Tag latest was pushed to harbour/crane."]);
    await expect.poll(() => bellCount(page)).toEqual(["1"]);
    expect(await page.evaluate(() => (window as { stayed?: boolean }).stayed)).toBe(true);
    await expectAccessible(page);

    await page.click('[data-testid="dismiss-all"]');
    await expect.poll(() => textOf(page, "empty-state")).toContain("No new notifications");
    await expect.poll(() => bellCount(page)).toEqual([]);
    await expectAccessible(page);
    await page.context().close();
  });

  it("fits a phone's width, with and without notifications", async () => {
    await deliverInApp(server.deps, { repositoryNamespace: "harbour", target: { kind: "user", name: "ivy" }, kind: "build_failure", metadata: { ...event([]), error_message: "the build step exited with code 1" } });
    const page = await signedIn(MOBILE);
    await page.goto(`${server.url}/notifications`);
    expect(await bellCount(page)).toEqual(["1"]);
    expect(await sentences(page)).toEqual(["Build of harbour/crane failed: the build step exited with code 1"]);
    expect(await fitsViewport(page)).toBe(true);
    await expectAccessible(page);
    await page.click('[data-testid="dismiss-all"]');
    await expect.poll(() => bellCount(page)).toEqual([]);
    expect(await fitsViewport(page)).toBe(true);
    await expectAccessible(page);
    await page.context().close();
  });
});

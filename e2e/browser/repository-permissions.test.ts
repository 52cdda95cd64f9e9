// A repository's permissions in Chromium: its admin opens them from the repository's Settings,
// gives a user and a team roles (names suggested from the organization's members, robots and
// teams; an unknown name refused at its field), changes a role and removes one after the question; an organization's Default permissions tab
// likewise, and a repository created afterwards carries the grant. Every page passes the
// accessibility check.
import type { Browser, Page } from "playwright";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOrganization } from "../../server/domain/accounts/organizations.ts";
import { saveTeam } from "../../server/domain/accounts/teams.ts";
import { teamGrantsOn } from "../../server/domain/repositories/repository-permissions.ts";
import { createUser, toPrincipal } from "../../server/domain/accounts/users.ts";
import { createRepository, findRepository } from "../../server/domain/repositories/repositories.ts";
import { type TestServer, testServer } from "../support/test-app.ts";
import { expectAccessible, launchChromium, openPage, signIn } from "./browser.ts";

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  server = await testServer();
  const anyone = { principal: { kind: "anonymous" as const } };
  const dana = await createUser(server.deps.db, { username: "dana", password: "dana-password" }, anyone);
  await createUser(server.deps.db, { username: "erik", password: "erik-password" }, anyone);
  const org = await createOrganization(server.deps.db, { name: "shipyard" }, { principal: toPrincipal(dana) });
  await saveTeam(server.deps, { principal: toPrincipal(dana) }, org, "crew", { role: "member" });
  await createRepository(server.deps.db, { principal: toPrincipal(dana) }, { namespace: "shipyard", name: "hull", visibility: "private" });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});


const ADD = '[data-testid="add-permission"] button[type="submit"]';
const rowsText = async (page: Page) => (await page.locator('[data-testid="permission-row"]').allTextContents()).join(" | ");

describe("repository permissions in the browser", () => {
  it("are given, changed and removed by the repository's admin", async () => {
    const page = await openPage(browser);
    await signIn(page, server.url, "dana", "dana-password");
    await page.goto(`${server.url}/repository/shipyard/hull?tab=settings`);
    await page.click('[data-testid="repository-permissions"]');
    await page.waitForURL(`${server.url}/repository-permissions/shipyard/hull`);
    // The creator is the repository's admin by a grant of their own.
    expect(await rowsText(page)).toContain("dana");
    // The name field suggests the organization's members and teams.
    expect(await page.locator("#permission-names option").evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value))).toEqual(
      expect.arrayContaining(["dana", "crew"]),
    );
    await expectAccessible(page);

    await page.fill("#field-name", "nobody");
    await page.click(ADD);
    expect(await page.textContent("#field-name-helper.pf-m-error")).toContain("No user or robot named nobody");
    await expectAccessible(page);

    await page.fill("#field-name", "erik");
    await page.selectOption("#field-role", "write");
    await page.click(ADD);
    await page.waitForURL(/saved=erik/);
    expect(await page.textContent('[data-testid="permission-notice"]')).toContain("Saved the role of erik");
    await page.selectOption("#field-kind", "team");
    await page.fill("#field-name", "crew");
    await page.click(ADD);
    await page.waitForURL(/saved=crew/);
    expect(await rowsText(page)).toContain("crew");
    await expectAccessible(page);

    await page.selectOption('select[aria-label="Role of erik"]', "admin");
    await page.click('button[aria-label="Save the role of erik"]');
    await page.waitForURL(/saved=erik/);
    expect(await page.locator('select[aria-label="Role of erik"]').inputValue()).toBe("admin");

    await page.click('a[aria-label="Remove erik"]');
    await page.waitForURL(/repository-permission-remove/);
    await expectAccessible(page);
    await page.click('[data-testid="confirm"]');
    await page.waitForURL(/removed=erik/);
    expect(await rowsText(page)).not.toContain("erik");
    await expectAccessible(page);
    await page.close();
  });

  it("are a 404 for anyone who is not the repository's (or organization's) admin", async () => {
    const page = await openPage(browser);
    await signIn(page, server.url, "erik", "erik-password");
    const res = await page.goto(`${server.url}/repository-permissions/shipyard/hull`);
    expect(res?.status()).toBe(404);
    expect((await page.goto(`${server.url}/organization/shipyard/default-permissions`))?.status()).toBe(404);
    await page.close();
  });
});

describe("an organization's default permissions in the browser", () => {
  it("are added, changed and removed from the organization's tab, and grant on new repositories", async () => {
    const page = await openPage(browser);
    await signIn(page, server.url, "dana", "dana-password");
    await page.goto(`${server.url}/organization/shipyard`);
    await page.click('a:has-text("Default permissions")');
    await page.waitForURL(`${server.url}/organization/shipyard/default-permissions`);
    expect(await page.textContent('[data-testid="empty-state"]')).toContain("No default permissions");
    await expectAccessible(page);

    const add = '[data-testid="add-default-permission"] button[type="submit"]';
    await page.fill("#field-name", "ghosts");
    await page.click(add);
    expect(await page.textContent("#field-name-helper.pf-m-error")).toContain("No team ghosts in shipyard");
    await expectAccessible(page);
    await page.fill("#field-name", "crew");
    await page.selectOption("#field-role", "write");
    await page.click(add);
    await page.waitForURL(/default-permissions\?saved/);
    expect(await page.locator('[data-testid="default-permission-row"]').allTextContents()).toEqual([expect.stringContaining("crew (team)")]);
    await expectAccessible(page);

    await page.selectOption('select[aria-label="Role of crew"]', "admin");
    await page.click('button[aria-label="Save the role of crew"]');
    await page.waitForURL(/saved/);
    expect(await page.locator('select[aria-label="Role of crew"]').inputValue()).toBe("admin");

    await page.goto(`${server.url}/repositories/new?namespace=shipyard`);
    await page.fill("#field-name", "deck");
    await page.click('form[action="/repositories/new"] button[type="submit"]');
    await page.waitForURL(`${server.url}/repository/shipyard/deck`);
    const deck = (await findRepository(server.deps.db, { namespace: "shipyard", name: "deck" }))!;
    expect(await teamGrantsOn(server.deps.db, deck.id)).toEqual([{ name: "crew", role: "admin" }]);

    await page.goto(`${server.url}/organization/shipyard/default-permissions`);
    await page.click('a[aria-label="Remove the default permission of crew"]');
    await page.waitForURL(/delete$/);
    await expectAccessible(page);
    await page.click('[data-testid="confirm"]');
    await page.waitForURL(/removed/);
    expect(await page.textContent('[data-testid="empty-state"]')).toContain("No default permissions");
    await page.close();
  });
});

// Organizations in Chromium: creating one (a taken name refused at its field), its tabs, a team
// created and given a member who is then removed after a confirmation, the settings saved, and
// the organization deleted only once its name is typed. Every page visited passes the
// accessibility check; strangers get 404 where only members may look. With mail configured, a
// person new to the organization is invited and joins through the mailed link.
import type { Browser, Page } from "playwright";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser } from "../../server/domain/accounts/users.ts";
import { findOrganization } from "../../server/domain/accounts/organizations.ts";
import { type SmtpSink, startSmtpSink } from "../support/smtp-sink.ts";
import { type TestServer, testServer } from "../support/test-app.ts";
import { DESKTOP, fitsViewport, focusedId, launchChromium, MOBILE, openPage, signIn, expectAccessible } from "./browser.ts";

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  server = await testServer();
  for (const username of ["alice", "bob"]) {
    await createUser(server.deps.db, { username, password: `${username}-password` }, { principal: { kind: "anonymous" } });
  }
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Signs in as one of this file's users (password `<name>-password`) on `at` (a test server's URL). */
const signInAs = (page: Page, username: string, at: string = server.url) => signIn(page, at, username, `${username}-password`);

describe("organizations", () => {
  it("are created, given teams and members, configured and deleted, each destructive step confirmed", async () => {
    const page = await openPage(browser, DESKTOP);
    await signInAs(page, "alice");
    await page.goto(`${server.url}/repositories`);
    await page.click('[data-testid="create-organization"]');
    await page.waitForURL(`${server.url}/organizations/new`);
    await expectAccessible(page);

    await page.fill("#field-name", "bob");
    await page.click('button[type="submit"]:has-text("Create organization")');
    expect(await page.textContent("#field-name-helper")).toContain("A user or organization with this name already exists");
    expect(await focusedId(page, "field-name")).toBe("field-name");
    await expectAccessible(page);

    await page.fill("#field-name", "acme");
    await page.fill("#field-email", "ops@acme.test");
    await page.click('button[type="submit"]:has-text("Create organization")');
    await page.waitForURL(`${server.url}/organization/acme`);
    expect(await page.textContent("h1")).toBe("acme");
    expect(await page.textContent('[data-testid="empty-state"]')).toContain("podman push");
    await expectAccessible(page);

    await page.goto(`${server.url}/repositories`);
    expect(await page.textContent('[data-testid="your-organizations"]')).toContain("acme");
    await expectAccessible(page);
    await page.click('[data-testid="your-organizations"] a:has-text("acme")');
    await page.waitForURL(`${server.url}/organization/acme`);
    await page.click('a.pf-v6-c-tabs__link:has-text("Teams and membership")');
    await page.waitForURL(`${server.url}/organization/acme/teams`);
    expect(await page.locator('[data-testid="team-row"]').count()).toBe(1); // owners
    expect(await page.textContent('[data-testid="member-row"]')).toContain("alice");
    await expectAccessible(page);

    await page.fill("#field-name", "Bad Team");
    await page.click('[data-testid="create-team"] button[type="submit"]');
    expect(await page.textContent("#field-name-helper")).toContain("Invalid team name Bad Team");
    await expectAccessible(page);
    await page.fill("#field-name", "devs");
    await page.fill("#field-description", "Developers");
    await page.selectOption("#field-role", "creator");
    await page.click('[data-testid="create-team"] button[type="submit"]');
    await page.waitForURL(`${server.url}/organization/acme/teams/devs`);
    expect(await page.textContent('[data-testid="team-role"]')).toContain("Creator");
    expect(await page.locator('[data-testid="empty-state"]').count()).toBe(1);
    await expectAccessible(page);

    await page.fill("#field-member", "nobody");
    await page.click('[data-testid="add-member"] button[type="submit"]');
    expect(await page.textContent("#field-member-helper")).toContain("There is no user or robot account named nobody");
    await expectAccessible(page);
    await page.fill("#field-member", "bob");
    await page.click('[data-testid="add-member"] button[type="submit"]');
    await page.waitForURL(`${server.url}/organization/acme/teams/devs`);
    expect(await page.textContent('[data-testid="team-member-row"]')).toContain("bob");
    await expectAccessible(page);

    // Bob, now a member, sees the teams but not the settings.
    const bob = await openPage(browser, DESKTOP);
    await signInAs(bob, "bob");
    await bob.goto(`${server.url}/organization/acme/teams/devs`);
    expect(await bob.locator('[data-testid="add-member"]').count()).toBe(0);
    expect((await bob.goto(`${server.url}/organization/acme/settings`))!.status()).toBe(404);
    await bob.context().close();

    await page.click('a[aria-label="Remove bob"]');
    await page.waitForURL(`${server.url}/organization/acme/teams/devs/members/bob/remove`);
    await expectAccessible(page);
    await page.click('[data-testid="confirm"]');
    await page.waitForURL(`${server.url}/organization/acme/teams/devs`);
    expect(await page.locator('[data-testid="team-member-row"]').count()).toBe(0);

    await page.goto(`${server.url}/organization/acme/settings`);
    await expectAccessible(page);
    await page.selectOption("#field-tag_expiration_s", "604800");
    await page.click('button:has-text("Save settings")');
    await page.waitForURL(`${server.url}/organization/acme/settings?saved=1`);
    expect((await findOrganization(server.deps.db, "acme"))!.tagExpirationS).toBe(604_800);
    await expectAccessible(page);

    const narrow = await openPage(browser, MOBILE);
    await narrow.context().addCookies(await page.context().cookies());
    await narrow.goto(`${server.url}/organization/acme/teams`);
    expect(await fitsViewport(narrow)).toBe(true);
    await narrow.context().close();

    await page.fill("#field-confirm", "acm");
    await page.click('button:has-text("Delete organization")');
    await page.waitForURL(`${server.url}/organization/acme/delete`);
    await page.waitForLoadState("load");
    expect(await page.textContent("#field-confirm-helper")).toContain("Type acme exactly");
    expect(await findOrganization(server.deps.db, "acme")).toBeDefined();
    await expectAccessible(page);
    await page.fill("#field-confirm", "acme");
    await page.click('button:has-text("Delete organization")');
    await page.waitForURL(`${server.url}/`);
    expect(await findOrganization(server.deps.db, "acme")).toBeUndefined();
    await page.context().close();
  });

  it("show strangers the repositories tab only", async () => {
    const page = await openPage(browser, DESKTOP);
    await signInAs(page, "alice");
    await page.goto(`${server.url}/organizations/new`);
    await page.fill("#field-name", "initech");
    await page.click('button[type="submit"]:has-text("Create organization")');
    await page.waitForURL(`${server.url}/organization/initech`);
    await page.context().close();

    const stranger = await openPage(browser, DESKTOP);
    await stranger.goto(`${server.url}/organization/initech`);
    expect(await stranger.locator("a.pf-v6-c-tabs__link").allTextContents()).toEqual(["Repositories"]);
    await expectAccessible(stranger);
    expect((await stranger.goto(`${server.url}/organization/initech/teams`))!.status()).toBe(404);
    expect((await stranger.goto(`${server.url}/organization/alice`))!.status()).toBe(404);
    await stranger.context().close();
  });
});

describe("with mail configured", () => {
  let mailServer: TestServer;
  let smtp: SmtpSink;

  beforeAll(async () => {
    smtp = await startSmtpSink();
    mailServer = await testServer({ QUAYSIDE_SMTP_URL: smtp.url });
    for (const username of ["alice", "carol"]) {
      await createUser(mailServer.deps.db, { username, password: `${username}-password`, email: `${username}@example.test` }, { principal: { kind: "anonymous" } });
    }
  });
  afterAll(async () => {
    await mailServer?.close();
    await smtp?.close();
  });

  const signInThere = (page: Page, username: string) => signInAs(page, username, mailServer.url);

  it("adding someone new invites them, and the mailed link lets them join", async () => {
    const page = await openPage(browser, DESKTOP);
    await signInThere(page, "alice");
    await page.goto(`${mailServer.url}/organizations/new`);
    await page.fill("#field-name", "acme");
    await page.click('button[type="submit"]:has-text("Create organization")');
    await page.waitForURL(`${mailServer.url}/organization/acme`);
    await page.goto(`${mailServer.url}/organization/acme/teams/owners`);
    await page.fill("#field-member", "carol");
    await page.click('[data-testid="add-member"] button[type="submit"]');
    await page.waitForURL(`${mailServer.url}/organization/acme/teams/owners?invited=carol`);
    expect(await page.textContent('[data-testid="invited"]')).toContain("carol was invited by mail");
    await expectAccessible(page);
    await page.context().close();

    const code = smtp.invitationCode("carol@example.test");
    const carol = await openPage(browser, DESKTOP);
    await signInThere(carol, "carol");
    await carol.goto(`${mailServer.url}/confirminvite?code=${encodeURIComponent(code)}`);
    expect(await carol.textContent("h1")).toBe("Join team owners of acme?");
    await expectAccessible(carol);
    await carol.click('[data-testid="accept"]');
    await carol.waitForURL(`${mailServer.url}/organization/acme/teams/owners`);
    expect(await carol.locator('[data-testid="team-member-row"]').allTextContents()).toEqual([
      expect.stringContaining("alice"),
      expect.stringContaining("carol"),
    ]);
    await expectAccessible(carol);
    await carol.context().close();
  });
});

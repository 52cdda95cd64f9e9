// In Chromium, an organization admin configures a proxy cache from the organization page: the
// Proxy cache tab's empty state, Validate against a real upstream (distribution with htpasswd on
// loopback) showing a failed login and then Valid in place (htmx: the typed password stays),
// Save, the configuration shown without the password, and Remove behind its question; a member
// sees the configuration read-only. Every state passes the accessibility check, at desktop and
// phone widths.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createOrganization } from "../../server/domain/accounts/organizations.ts";
import { addTeamMember, findAccount, saveTeam } from "../../server/domain/accounts/teams.ts";
import { createUser, toPrincipal } from "../../server/domain/accounts/users.ts";
import { type ProxyUpstream, startProxyUpstream } from "../support/proxy-upstream.ts";
import { type TestServer, testServer } from "../support/test-app.ts";
import { expectAccessible, fitsViewport, launchChromium, MOBILE, navigate, openPage, signIn, textOf } from "./browser.ts";

const ADMIN = { username: "admin", password: "admin-password-1", email: "admin@example.com" };
const MEMBER = { username: "member", password: "member-password-1", email: "member@example.com" };
const SYSTEM = { principal: { kind: "anonymous" as const }, ip: null };

let server: TestServer;
let upstream: ProxyUpstream;
let browser: Browser;
let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "quayside-proxy-browser-"));
  upstream = await startProxyUpstream(work);
  server = await testServer({ QUAYSIDE_SSRF_ALLOWED_HOSTS: "127.0.0.1" });
  const admin = await createUser(server.deps.db, ADMIN, SYSTEM);
  await createUser(server.deps.db, MEMBER, SYSTEM);
  const actor = { principal: toPrincipal(admin) };
  for (const name of ["cache-desktop", "cache-phone"]) {
    const org = await createOrganization(server.deps.db, { name, email: "" }, actor);
    const { team } = await saveTeam(server.deps, actor, org, "readers", { role: "member" });
    await addTeamMember(server.deps, actor, org, team, (await findAccount(server.deps.db, MEMBER.username))!);
  }
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await upstream?.close();
  await rm(work, { recursive: true, force: true });
});

for (const [label, viewport] of [["desktop", undefined], ["phone", MOBILE]] as const) {
  it(`configures, validates, shows and removes a proxy cache (${label})`, async () => {
    const orgName = `cache-${label}`;
    const page = await openPage(browser, viewport);
    await signIn(page, server.url, ADMIN.username, ADMIN.password);
    await page.goto(`${server.url}/organization/${orgName}`);
    await navigate(page, 'a:has-text("Proxy cache")');
    expect(new URL(page.url()).pathname).toBe(`/organization/${orgName}/proxy-cache`);
    expect(await textOf(page, "empty-state")).toContain("Not a proxy cache");
    await expectAccessible(page);
    expect(await fitsViewport(page)).toBe(true);

    await page.fill("#field-upstream_registry", upstream.host);
    await page.fill("#field-upstream_registry_username", upstream.username);
    await page.fill("#field-upstream_registry_password", "wrong-password");
    await page.fill("#field-expiration_s", "3600");
    await page.check("#field-insecure");
    await page.click('[data-testid="validate-proxy-cache"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="proxy-validation"]')?.textContent?.includes("Failed login"));
    expect(await textOf(page, "proxy-validation")).toBe("Failed login to remote registry. Please verify entered details and try again.");
    await expectAccessible(page);

    await page.fill("#field-upstream_registry_password", upstream.password);
    await page.click('[data-testid="validate-proxy-cache"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="proxy-validation"]')?.textContent?.startsWith("Valid"));
    // Swapped in place: still the same page, the password still typed for Save.
    expect(await page.inputValue("#field-upstream_registry_password")).toBe(upstream.password);
    await expectAccessible(page);
    expect(await fitsViewport(page)).toBe(true);

    await navigate(page, 'button:has-text("Save")');
    expect(await textOf(page, "proxy-cache-notice")).toBe("Saved the proxy cache configuration.");
    const facts = await textOf(page, "proxy-cache-facts");
    expect(facts).toContain(upstream.host);
    expect(facts).toContain("Set");
    expect(facts).toContain("1 hour");
    expect(await page.content()).not.toContain(upstream.password);
    await expectAccessible(page);
    expect(await fitsViewport(page)).toBe(true);

    const memberPage = await openPage(browser, viewport);
    await signIn(memberPage, server.url, MEMBER.username, MEMBER.password);
    await memberPage.goto(`${server.url}/organization/${orgName}/proxy-cache`);
    expect(await textOf(memberPage, "proxy-cache-facts")).toContain(upstream.host);
    expect(await memberPage.locator('[data-testid="remove-proxy-cache"]').count()).toBe(0);
    await expectAccessible(memberPage);
    await memberPage.context().close();

    await navigate(page, '[data-testid="remove-proxy-cache"]');
    await expectAccessible(page);
    await navigate(page, '[data-testid="confirm"]');
    expect(await textOf(page, "proxy-cache-notice")).toBe("Removed the proxy cache configuration.");
    expect(await textOf(page, "empty-state")).toContain("Not a proxy cache");
    await page.context().close();
  }, 60_000);
}

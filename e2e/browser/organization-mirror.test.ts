// In Chromium at a phone's width, an organization's admin makes it a mirror of a real upstream's
// namespace (distribution with htpasswd on loopback, filled by skopeo) from the Mirroring tab: the
// empty state with the form, a refusal at its field, the saved settings (never the password),
// "Sync now", and the repositories' table filling with the synced repository without a reload
// (htmx polling), linking to it. Every state passes the accessibility check and fits the width.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createOrganization } from "../../server/domain/accounts/organizations.ts";
import { createRobot } from "../../server/domain/accounts/robots.ts";
import { createUser, toPrincipal } from "../../server/domain/accounts/users.ts";
import { type TestServer, testServer } from "../support/test-app.ts";
import { LayoutWriter, OCI_IMAGE, randomLayer, startUpstreamRegistry, type UpstreamRegistry } from "../support/upstream-registry.ts";
import { expectAccessibleAndFitting, launchChromium, MOBILE, navigate, openPage, signIn, textOf } from "./browser.ts";

const ALICE = { username: "alice", password: "alice-password-1", email: "alice@example.com" };
const SYSTEM = { principal: { kind: "anonymous" as const }, ip: null };

let server: TestServer;
let upstream: UpstreamRegistry;
let browser: Browser;
let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "quayside-org-mirror-browser-"));
  upstream = await startUpstreamRegistry();
  const layout = new LayoutWriter(work);
  await upstream.push(await layout.tag("a", await layout.image([randomLayer(700)], undefined, "v1"), OCI_IMAGE), "team/app", "v1");
  await upstream.push(await layout.tag("t", await layout.image([randomLayer(800)], undefined, "v1"), OCI_IMAGE), "team/tools", "v1");
  server = await testServer({ QUAYSIDE_SSRF_ALLOWED_HOSTS: "127.0.0.1" });
  const alice = await createUser(server.deps.db, ALICE, SYSTEM);
  const actor = { principal: toPrincipal(alice) };
  const org = await createOrganization(server.deps.db, { name: "mirrors", email: "" }, actor);
  await createRobot(server.deps.db, { id: org.namespaceId, name: org.name }, "sync", {}, actor);
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await upstream?.close();
  await rm(work, { recursive: true, force: true });
});

it("configures an organization mirror, syncs it now and sees the repositories fill without a reload (phone width)", async () => {
  const page = await openPage(browser, MOBILE);
  await signIn(page, server.url, ALICE.username, ALICE.password);
  await page.goto(`${server.url}/organization/mirrors`);
  await navigate(page, 'a[href="/organization/mirrors/mirroring"]');
  expect(await textOf(page, "empty-state")).toContain("Not a mirror");
  await expectAccessibleAndFitting(page);

  // A refusal comes back at its field, in the API's words.
  await page.fill("#field-external_registry_url", "http://10.1.2.3:5000");
  await page.fill("#field-external_namespace", "team");
  await page.fill("#field-repository_filters", "app");
  await page.selectOption("#field-robot_username", "mirrors+sync");
  await page.fill("#field-sync_start_date", "2099-01-01T00:00");
  await page.fill("#field-external_registry_username", upstream.username);
  await page.fill("#field-external_registry_password", upstream.password);
  await navigate(page, 'button:has-text("Start mirroring")');
  expect(await page.textContent("#field-external_registry_url-helper")).toContain("The provided registry URL is not allowed");
  await expectAccessibleAndFitting(page);

  await page.fill("#field-external_registry_url", `http://${upstream.host}`);
  await page.fill("#field-external_registry_password", upstream.password);
  await navigate(page, 'button:has-text("Start mirroring")');
  expect(await textOf(page, "mirror-notice")).toContain("now a mirror");
  expect(await textOf(page, "mirror-sync-status")).toContain("Never run");
  expect(await page.content()).not.toContain(upstream.password);
  expect(await page.getAttribute("#mirror-status", "hx-trigger")).toBeNull();
  await expectAccessibleAndFitting(page);

  // Sync now: the status and the table refresh in place until the sync is done.
  await page.evaluate(() => ((window as unknown as { unreloaded: boolean }).unreloaded = true));
  await page.click('button:has-text("Sync now")');
  await page.waitForFunction(() => document.querySelector('[data-testid="mirror-sync-status"]')?.textContent?.includes("Success"), undefined, { timeout: 60_000 });
  expect(await page.evaluate(() => (window as unknown as { unreloaded?: boolean }).unreloaded)).toBe(true);
  const rows = await page.locator('[data-testid="org-mirror-repository"]').allTextContents();
  expect(rows).toHaveLength(1);
  expect(rows[0]).toContain("app");
  expect(rows[0]).toContain("Success");
  expect(await page.getAttribute('[data-testid="org-mirror-repository"] a', "href")).toBe("/repository/mirrors/app");
  expect(await page.getAttribute("#mirror-status", "hx-trigger")).toBeNull();
  await expectAccessibleAndFitting(page);
  await page.context().close();
}, 120_000);

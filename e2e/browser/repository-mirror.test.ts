// In Chromium at a phone's width, a repository admin makes a repository a mirror of a real
// upstream (distribution with htpasswd on loopback, filled by skopeo) from Settings → Mirroring:
// the empty state, a refusal at its field, the saved settings (never the password), "Sync now",
// the status turning to Success without a reload (htmx polling), the synced tags in the Tags tab
// under the mirror banner, and the repo_mirror_sync_* rows in the repository's Usage logs tab.
// Every state passes the accessibility check and fits the width.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright";
import { afterAll, beforeAll, expect, it } from "vitest";
import { findNamespace } from "../../server/domain/accounts/namespaces.ts";
import { createRobot } from "../../server/domain/accounts/robots.ts";
import { createUser, toPrincipal } from "../../server/domain/accounts/users.ts";
import { createRepository } from "../../server/domain/repositories/repositories.ts";
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
  work = await mkdtemp(join(tmpdir(), "quayside-mirror-browser-"));
  upstream = await startUpstreamRegistry();
  const layout = new LayoutWriter(work);
  const shared = randomLayer(2048);
  await upstream.push(await layout.tag("a", await layout.image([shared, randomLayer(700)], undefined, "1-a"), OCI_IMAGE), "team/app", "1-a");
  await upstream.push(await layout.tag("b", await layout.image([shared, randomLayer(800)], undefined, "1-b"), OCI_IMAGE), "team/app", "1-b");
  await upstream.push(await layout.tag("x", await layout.image([randomLayer(900)], undefined, "2-x"), OCI_IMAGE), "team/app", "2-x");
  server = await testServer({ QUAYSIDE_SSRF_ALLOWED_HOSTS: "127.0.0.1" });
  const alice = await createUser(server.deps.db, ALICE, SYSTEM);
  const actor = { principal: toPrincipal(alice) };
  await createRepository(server.deps.db, actor, { namespace: "alice", name: "mirrored", visibility: "private" });
  const ns = (await findNamespace(server.deps.db, "alice"))!;
  await createRobot(server.deps.db, { id: ns.id, name: ns.name }, "mirror", {}, actor);
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await upstream?.close();
  await rm(work, { recursive: true, force: true });
});

it("configures a mirror, syncs it now and watches the status change without a reload (phone width)", async () => {
  const page = await openPage(browser, MOBILE);
  await signIn(page, server.url, ALICE.username, ALICE.password);
  await page.goto(`${server.url}/repository/alice/mirrored?tab=settings`);
  await navigate(page, '[data-testid="repository-mirroring"]');
  expect(await textOf(page, "empty-state")).toContain("Not a mirror");
  await expectAccessibleAndFitting(page);

  await navigate(page, 'button:has-text("Make this a mirror repository")');
  expect(await textOf(page, "mirror-notice")).toContain("now a mirror");
  expect(await textOf(page, "mirror-sync")).toContain("No upstream configured yet");
  await expectAccessibleAndFitting(page);

  // A refusal comes back at its field, in the API's words.
  await page.fill("#field-external_reference", "10.1.2.3/team/app");
  await page.fill("#field-root_rule", "1-*");
  await page.fill("#field-external_registry_username", upstream.username);
  await page.fill("#field-external_registry_password", upstream.password);
  await page.fill("#field-sync_start_date", "2099-01-01T00:00");
  await page.selectOption("#field-robot_username", "alice+mirror");
  await page.uncheck("#field-verify_tls");
  await navigate(page, 'button:has-text("Save mirror settings")');
  expect(await page.textContent("#field-external_reference-helper")).toContain("External reference is not allowed");
  await expectAccessibleAndFitting(page);

  await page.fill("#field-external_reference", `${upstream.host}/team/app`);
  await page.fill("#field-external_registry_password", upstream.password);
  await navigate(page, 'button:has-text("Save mirror settings")');
  expect(await textOf(page, "mirror-notice")).toBe("Mirror settings saved.");
  expect(await textOf(page, "mirror-banner")).toContain(`${upstream.host}/team/app`);
  expect(await textOf(page, "mirror-sync-status")).toContain("Never run");
  expect(await page.content()).not.toContain(upstream.password);
  // Nothing is due (the start is far ahead): the status does not poll.
  expect(await page.getAttribute("#mirror-status", "hx-trigger")).toBeNull();
  await expectAccessibleAndFitting(page);

  // Sync now: htmx swaps the status in place and it polls until the sync is done.
  await page.evaluate(() => ((window as unknown as { unreloaded: boolean }).unreloaded = true));
  await page.click('button:has-text("Sync now")');
  await page.waitForFunction(() => document.querySelector('[data-testid="mirror-sync-status"]')?.textContent?.includes("Success"), undefined, { timeout: 60_000 });
  expect(await page.evaluate(() => (window as unknown as { unreloaded?: boolean }).unreloaded)).toBe(true);
  expect(await textOf(page, "mirror-last-sync")).toMatch(/UTC$/);
  // Idle again: the last fragment carries no polling.
  expect(await page.getAttribute("#mirror-status", "hx-trigger")).toBeNull();
  await expectAccessibleAndFitting(page);

  await page.goto(`${server.url}/repository/alice/mirrored?tab=tags`);
  expect(await textOf(page, "mirror-banner")).toContain(`${upstream.host}/team/app`);
  const tags = await page.locator('[data-testid="tag-name"]').allTextContents();
  expect(tags.map((t) => t.trim()).sort()).toEqual(["1-a", "1-b"]);
  await expectAccessibleAndFitting(page);

  await page.goto(`${server.url}/repository/alice/mirrored?tab=logs`);
  const kinds = await page.locator('[data-testid="log-row"] dd code').allTextContents();
  expect(kinds).toEqual(expect.arrayContaining(["repo_mirror_sync_now_requested", "repo_mirror_sync_started", "repo_mirror_sync_success"]));
  await expectAccessibleAndFitting(page);
  await page.context().close();
}, 120_000);

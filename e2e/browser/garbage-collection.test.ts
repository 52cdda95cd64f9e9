// In Chromium, as a superuser: the garbage-collection page from the masthead link, Run now and
// its progress, and "why is this blob kept?" for a pushed layer (through htmx), at desktop and
// phone widths. Every page visited passes the accessibility check.
import type { Browser } from "playwright";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createUser } from "../../server/domain/accounts/users.ts";
import { type TestServer, testServer } from "../support/test-app.ts";
import { expectAccessible, fitsViewport, launchChromium, MOBILE, openPage, signIn, textOf } from "./browser.ts";
import { pushImage } from "./push-image.ts";

const ROOT = { username: "root", password: "root-password-1", email: "root@example.com" };

let server: TestServer;
let browser: Browser;
let layerDigest: string;

beforeAll(async () => {
  server = await testServer();
  await createUser(server.deps.db, { ...ROOT, superuser: true }, { principal: { kind: "anonymous" }, ip: null });
  const digest = await pushImage(server, ROOT, "root/app", "latest");
  const auth = await fetch(`${server.url}/v2/auth?service=${server.host}&scope=repository:root/app:pull`, {
    headers: { authorization: `Basic ${Buffer.from(`${ROOT.username}:${ROOT.password}`).toString("base64")}` },
  });
  const { token } = (await auth.json()) as { token: string };
  const manifest = await fetch(`${server.url}/v2/root/app/manifests/${digest}`, {
    headers: { authorization: `Bearer ${token}`, accept: "application/vnd.oci.image.manifest.v1+json" },
  });
  layerDigest = ((await manifest.json()) as { layers: { digest: string }[] }).layers[0]!.digest;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

for (const [label, viewport] of [["desktop", undefined], ["phone", MOBILE]] as const) {
  it(`runs a collection and explains why a layer is kept (${label})`, async () => {
    const page = await openPage(browser, viewport);
    await signIn(page, server.url, ROOT.username, ROOT.password);
    await Promise.all([page.waitForEvent("load"), page.click('[data-testid="admin-link"]')]);
    expect(new URL(page.url()).pathname).toBe("/superuser/gc");
    await expectAccessible(page);

    await Promise.all([page.waitForEvent("load"), page.click('[data-testid="gc-run-now"]')]);
    expect(await textOf(page, "gc-started")).toMatch(/collection run (has started|is already going on)/);
    await expectAccessible(page);
    // The status card refreshes itself (htmx, every 2 s) until the run is over.
    await page.waitForFunction(() => document.querySelector('[data-testid="gc-facts"]')?.textContent?.includes("Idle"), undefined, { timeout: 20_000 });

    await page.fill("#field-digest", layerDigest);
    await page.click('button:has-text("Explain")');
    await page.waitForSelector('[data-testid="gc-verdict"]');
    expect(await textOf(page, "gc-verdict")).toMatch(/\): kept$/);
    expect(await textOf(page, "gc-manifests")).toContain("Live tag latest on root/app@");
    expect(new URL(page.url()).searchParams.get("digest")).toBe(layerDigest);
    await expectAccessible(page);
    expect(await fitsViewport(page)).toBe(true);
    await page.context().close();
  }, 60_000);
}

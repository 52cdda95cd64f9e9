// The web UI in a real browser (Debian's Chromium driven by Playwright) against a real server:
// first-run setup, the empty state, an image pushed over /v2 showing up, the htmx filter box,
// the repository page, and signing out. Chromium is required: without it this test fails.
import { createHash } from "node:crypto";
import type { Browser, Page } from "playwright";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestServer, testServer } from "../support/test-app.ts";
import { DESKTOP, expectAccessible, launchChromium, openPage } from "./browser.ts";

const SCREENSHOT = "/tmp/quayside-ui.png";
const ADMIN = { username: "admin", password: "admin-password-1" };

let server: TestServer;
let browser: Browser;
let page: Page;

const sha256 = (data: string) => `sha256:${createHash("sha256").update(data).digest("hex")}`;

/** Pushes a one-layer image over the OCI API, as a registry client would. */
async function pushImage(repo: string, tag: string): Promise<string> {
  const basic = `Basic ${Buffer.from(`${ADMIN.username}:${ADMIN.password}`).toString("base64")}`;
  const params = new URLSearchParams({ service: server.host, scope: `repository:${repo}:pull,push` });
  const auth = await fetch(`${server.url}/v2/auth?${params}`, { headers: { authorization: basic } });
  expect(auth.status).toBe(200);
  const { token } = (await auth.json()) as { token: string };
  const headers = { authorization: `Bearer ${token}` };
  const pushBlob = async (data: string) => {
    const digest = sha256(data);
    const res = await fetch(`${server.url}/v2/${repo}/blobs/uploads/?digest=${digest}`, { method: "POST", headers, body: data });
    expect(res.status).toBe(201);
    return { digest, size: Buffer.byteLength(data) };
  };
  const config = await pushBlob(JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [] } }));
  const layer = await pushBlob(`layer of ${repo}:${tag} `.repeat(200));
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: { mediaType: "application/vnd.oci.image.config.v1+json", ...config },
    layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar", ...layer }],
  });
  const res = await fetch(`${server.url}/v2/${repo}/manifests/${tag}`, {
    method: "PUT",
    headers: { ...headers, "content-type": "application/vnd.oci.image.manifest.v1+json" },
    body: manifest,
  });
  expect(res.status).toBe(201);
  return sha256(manifest);
}

const repoRows = () => page.locator('[data-testid="repo-row"]');

beforeAll(async () => {
  server = await testServer();
  browser = await launchChromium();
  page = await openPage(browser, DESKTOP);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe("web UI in Chromium", () => {
  it("runs first-run setup, which signs the new administrator in", async () => {
    await page.goto(`${server.url}/`);
    expect(new URL(page.url()).pathname).toBe("/setup");
    // PatternFly and htmx both loaded from /static.
    expect(await page.evaluate(() => getComputedStyle(document.body).fontFamily)).toContain("Red Hat Text");
    expect(await page.evaluate(() => typeof (window as { htmx?: unknown }).htmx)).toBe("object");

    await page.fill("#field-username", ADMIN.username);
    await page.fill("#field-password", ADMIN.password);
    await page.click('button[type="submit"]');
    await page.waitForURL(`${server.url}/`);
    await expect.poll(() => page.textContent('[data-testid="signed-in-user"]')).toBe(ADMIN.username);
  });

  it("shows how to push when there are no repositories", async () => {
    const empty = page.locator('[data-testid="empty-state"]');
    expect(await empty.textContent()).toContain("No repositories yet");
    expect(await empty.textContent()).toContain(`podman login ${server.host}`);
    expect(await empty.textContent()).toContain(`podman push ${server.host}/admin/<repo>:<tag>`);
  });

  it("lists pushed repositories and narrows them with the filter box (htmx, no reload)", async () => {
    await pushImage("admin/webapp", "v1");
    await pushImage("admin/database", "15");
    await page.reload();
    await expect.poll(() => repoRows().count()).toBe(2);

    // A full page load would wipe this marker; an htmx swap keeps it.
    await page.evaluate(() => ((window as { stayed?: boolean }).stayed = true));
    await page.locator('input[name="filter"]').pressSequentially("web", { delay: 30 });
    await expect.poll(() => repoRows().count()).toBe(1);
    expect(await repoRows().first().textContent()).toContain("admin/webapp");
    expect(await page.evaluate(() => (window as { stayed?: boolean }).stayed)).toBe(true);
    expect(new URL(page.url()).search).toBe("?filter=web");
  });

  it("shows the repository page with its tag and pull command", async () => {
    await page.click('a[href="/repository/admin/webapp"]');
    await page.waitForURL(`${server.url}/repository/admin/webapp`);
    expect(await page.textContent("h1")).toContain("admin/webapp");
    expect(await page.textContent('[data-testid="visibility"]')).toContain("private");
    expect(await page.textContent('[data-testid="pull-command"]')).toContain(`podman pull ${server.host}/admin/webapp:v1`);
    const rows = page.locator('[data-testid="tag-row"]');
    expect(await rows.count()).toBe(1);
    const row = await rows.first().textContent();
    expect(row).toContain("v1");
    expect(row).toMatch(/sha256:[0-9a-f]{12}/);
    expect(row).toMatch(/\d+(\.\d)? KiB/);
    await page.screenshot({ path: SCREENSHOT, fullPage: true, animations: "disabled" });
    await expectAccessible(page);
  });

  it("signs out", async () => {
    await page.click('form[action="/signout"] button');
    await page.waitForURL(`${server.url}/`);
    expect(await page.locator('[data-testid="signed-in-user"]').count()).toBe(0);
    expect(await page.locator('a[href="/signin"]').count()).toBeGreaterThan(0);
    // Both repositories are private: the anonymous list is empty.
    expect(await repoRows().count()).toBe(0);
    await page.goto(`${server.url}/repository/admin/webapp`);
    expect(await page.textContent("h2")).toContain("Not found");
  });
});

// An image's scan in Chromium: the Tags tab's SECURITY SCAN column summarises it and leads to the
// Security page (counts by severity, the vulnerabilities with the layer and instruction that
// brought each package), whose text filter and "only fixable" box swap the table in place and
// whose pager walks 60 vulnerabilities; then the Packages page. The scan's rows are stored before
// the push (so no scan job replaces them): what indexing found is S-index's test, this is what
// people see. Every page visited passes the accessibility check, at phone width too.
import { createHash } from "node:crypto";
import type { Browser, Page } from "playwright";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser } from "../../server/domain/accounts/users.ts";
import type { Severity } from "../../server/domain/notifications/catalog.ts";
import { storeScan } from "../../server/domain/scanning/fixtures/scan-rows.ts";
import { type TestServer, testServer } from "../support/test-app.ts";
import { expectAccessible, fitsViewport, launchChromium, MOBILE, openPage, signIn } from "./browser.ts";

const ALICE = { username: "alice", password: "alice-password" };
const sha256 = (data: string) => `sha256:${createHash("sha256").update(data).digest("hex")}`;

let server: TestServer;
let browser: Browser;
let digest: string;

/** Pushes a two-layer image (COPY, then RUN) to alice/app:v1, calling `beforeManifest` with its digests before the manifest goes up. */
async function pushImage(beforeManifest: (digest: string, layers: string[]) => Promise<void>): Promise<string> {
  const basic = `Basic ${Buffer.from(`${ALICE.username}:${ALICE.password}`).toString("base64")}`;
  const auth = await fetch(`${server.url}/v2/auth?${new URLSearchParams({ service: server.host, scope: "repository:alice/app:pull,push" })}`, { headers: { authorization: basic } });
  const headers = { authorization: `Bearer ${((await auth.json()) as { token: string }).token}` };
  const blob = async (data: string) => {
    const res = await fetch(`${server.url}/v2/alice/app/blobs/uploads/?digest=${sha256(data)}`, { method: "POST", headers, body: data });
    expect(res.status).toBe(201);
    return { digest: sha256(data), size: Buffer.byteLength(data) };
  };
  const layers = [await blob("base layer bytes"), await blob("app layer bytes")];
  const config = await blob(
    JSON.stringify({
      architecture: "amd64",
      os: "linux",
      rootfs: { type: "layers", diff_ids: layers.map((l) => l.digest) },
      history: [{ created_by: "/bin/sh -c #(nop) ADD file:base in / " }, { created_by: "/bin/sh -c pip install requests" }],
    }),
  );
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: { mediaType: "application/vnd.oci.image.config.v1+json", ...config },
    layers: layers.map((l) => ({ mediaType: "application/vnd.oci.image.layer.v1.tar", ...l })),
  });
  await beforeManifest(sha256(manifest), layers.map((l) => l.digest));
  const res = await fetch(`${server.url}/v2/alice/app/manifests/v1`, {
    method: "PUT",
    headers: { ...headers, "content-type": "application/vnd.oci.image.manifest.v1+json" },
    body: manifest,
  });
  expect(res.status).toBe(201);
  return sha256(manifest);
}

beforeAll(async () => {
  server = await testServer();
  await createUser(server.deps.db, ALICE, { principal: { kind: "anonymous" } });
  const severities: Severity[] = ["High", "Medium", "Low"];
  digest = await pushImage((d, layers) =>
    storeScan(server.deps.db, d, {
      distribution: { id: "debian", versionId: "12", prettyName: "Debian GNU/Linux 12 (bookworm)" },
      packages: [
        {
          name: "openssl",
          version: "3.0.11",
          layerIndex: 0,
          layerDigest: layers[0]!,
          vulnerabilities: [
            { id: "CVE-2024-0001", severity: "Critical", fixedBy: "3.0.12" },
            { id: "CVE-2024-0002", severity: "Critical" },
          ],
        },
        {
          name: "requests",
          version: "2.31.0",
          ecosystem: "pypi",
          layerIndex: 1,
          layerDigest: layers[1]!,
          vulnerabilities: Array.from({ length: 58 }, (_, i) => ({ id: `PYSEC-2024-${100 + i}`, severity: severities[i % 3]!, fixedBy: i < 5 ? "2.32.0" : "" })),
        },
        { name: "zlib1g", version: "1.2.13", layerIndex: 0, layerDigest: layers[0]! },
      ],
    }),
  );
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const advisories = (page: Page) => page.locator('[data-testid="advisory"]').allTextContents();

describe("an image's scan in the browser", () => {
  it("is summarised on the Tags tab and shown, filtered and paged on the Security page", async () => {
    const page = await openPage(browser);
    await signIn(page, server.url, ALICE.username, ALICE.password);
    await page.goto(`${server.url}/repository/alice/app?tab=tags`);
    const summary = page.locator('[data-testid="scan-summary"]');
    expect((await summary.textContent())?.trim()).toBe("2 Critical · 6 fixable");
    expect(await summary.locator("[data-severity]").getAttribute("data-severity")).toBe("Critical");
    await expectAccessible(page);

    await summary.click();
    await page.waitForURL(`${server.url}/repository/alice/app/manifest/${digest}?tab=security`);
    expect((await page.textContent('[data-testid="severity-total"]'))?.trim()).toBe("60 vulnerabilities, 6 of them fixable.");
    expect(await page.locator('[data-testid="severity-count"][data-severity="Critical"] b').textContent()).toBe("2");
    expect((await advisories(page)).slice(0, 3)).toEqual(["CVE-2024-0001", "CVE-2024-0002", "PYSEC-2024-100"]);
    expect(await page.locator('[data-testid="vulnerability-row"]').count()).toBe(50);
    const firstRow = page.locator('[data-testid="vulnerability-row"]').first();
    expect(await firstRow.locator('[data-testid="layer-instruction"]').textContent()).toBe("ADD file:base in /");
    await expectAccessible(page);

    // The pager swaps the table and keeps the address in step.
    await page.click("#vulnerability-table-next");
    await page.waitForURL(/page=2/);
    expect(await page.locator('[data-testid="vulnerability-row"]').count()).toBe(10);
    expect(await page.locator('[data-testid="vulnerability-row"] [data-testid="layer-instruction"]').first().textContent()).toBe("RUN pip install requests");

    // Typing filters in place; "only fixable" narrows further.
    await page.goto(`${server.url}/repository/alice/app/manifest/${digest}?tab=security`);
    await page.fill('input[name="filter"]', "openssl");
    await page.waitForURL(/filter=openssl/);
    await expect.poll(() => advisories(page)).toEqual(["CVE-2024-0001", "CVE-2024-0002"]);
    await page.check("#only-fixable");
    await page.waitForURL(/fixable=1/);
    await expect.poll(() => advisories(page)).toEqual(["CVE-2024-0001"]);
    await expectAccessible(page);
    await page.fill('input[name="filter"]', "no such thing");
    await expect.poll(() => page.locator('[data-testid="empty-state"]').textContent()).toContain("No vulnerabilities match");
    await expectAccessible(page);
  });

  it("lists the packages with their summaries and layers", async () => {
    const page = await openPage(browser);
    await signIn(page, server.url, ALICE.username, ALICE.password);
    await page.goto(`${server.url}/repository/alice/app/manifest/${digest}`);
    await page.click('a.pf-v6-c-tabs__link:has-text("Packages")');
    await page.waitForURL(/tab=packages/);
    const rows = await page.locator('[data-testid="package-row"]').allInnerTexts();
    expect(rows.map((r) => r.replace(/\s+/g, " ").trim())).toEqual([
      expect.stringMatching(/^openssl 3\.0\.11 Debian package 2 \(highest Critical\) · 1 fixable Layer 1 ADD file:base in \/$/),
      expect.stringMatching(/^requests 2\.31\.0 Python 58 \(highest High\) · 5 fixable Layer 2 RUN pip install requests$/),
      expect.stringMatching(/^zlib1g 1\.2\.13 Debian package None Layer 1 ADD file:base in \/$/),
    ]);
    await expectAccessible(page);
  });

  it("holds at phone width", async () => {
    const page = await openPage(browser, MOBILE);
    await signIn(page, server.url, ALICE.username, ALICE.password);
    for (const tab of ["security", "packages"]) {
      await page.goto(`${server.url}/repository/alice/app/manifest/${digest}?tab=${tab}`);
      expect(await fitsViewport(page)).toBe(true);
      await expectAccessible(page);
    }
  });
});

// A scanned image's SBOM and the comparison of two tags in Chromium: the image page offers both
// downloads (a real download of a document that validates) and attaches an SBOM as a referrer,
// which then shows under Referrers; the Tags tab's "Compare tags" leads to the tag boxes and the
// tables of what changed. Every state passes the accessibility check, at phone width too. The
// scans' rows are stored by the test (what indexing finds is S-index's test, this is what people
// see) on a server with the scanner's jobs switched off, so no scan job replaces them.
import { readFile } from "node:fs/promises";
import type { Browser } from "playwright";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser } from "../../server/domain/accounts/users.ts";
import { schemaErrors } from "../../server/domain/scanning/fixtures/sbom-schemas/validate.ts";
import { storeScan } from "../../server/domain/scanning/fixtures/scan-rows.ts";
import { tagDiffScans } from "../../server/domain/scanning/fixtures/tag-diff-scans.ts";
import { type TestServer, testServer } from "../support/test-app.ts";
import { expectAccessible, fitsViewport, launchChromium, MOBILE, openPage, signIn, textOf } from "./browser.ts";
import { pushConfiguredImage } from "./push-image.ts";

const ALICE = { username: "alice", password: "alice-password" };

let server: TestServer;
let browser: Browser;
let v1: string;

beforeAll(async () => {
  server = await testServer({ QUAYSIDE_SECURITY_SCANNER: "false" });
  await createUser(server.deps.db, ALICE, { principal: { kind: "anonymous" } });
  const digests: string[] = [];
  for (const tag of ["v1", "v2"]) {
    digests.push((await pushConfiguredImage(server, ALICE, "alice/app", { labels: { build: tag } }, tag)).digest);
  }
  [v1] = digests as [string];
  const { older, newer } = tagDiffScans(`sha256:${"a".repeat(64)}`);
  await storeScan(server.deps.db, digests[0]!, { packages: older });
  await storeScan(server.deps.db, digests[1]!, { packages: newer });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe("SBOMs and tag comparison in the browser", () => {
  it("downloads the SBOM and attaches it as a referrer from the image page", async () => {
    const page = await openPage(browser);
    await signIn(page, server.url, ALICE.username, ALICE.password);
    await page.goto(`${server.url}/repository/alice/app/manifest/${v1}`);
    await expectAccessible(page);

    const [download] = await Promise.all([page.waitForEvent("download"), page.click('[data-testid="sbom-downloads"] a:has-text("CycloneDX")')]);
    expect(download.suggestedFilename()).toBe(`app_${v1.slice(7, 19)}.cdx.json`);
    expect(schemaErrors("cyclonedx", JSON.parse(await readFile((await download.path())!, "utf8")))).toEqual([]);

    await page.selectOption("#field-format", "spdx");
    await page.click('[data-testid="sbom-attach"] button[type="submit"]');
    await page.waitForURL((url) => url.searchParams.has("sbom-attached"));
    expect(await textOf(page, "manifest-notice")).toMatch(/^Attached the SBOM as referrer sha256:[0-9a-f]{64}\.$/);
    expect(await page.locator('[data-testid="referrer-row"]').allTextContents()).toEqual([expect.stringContaining("application/spdx+json")]);
    await expectAccessible(page);
  });

  it("compares two tags from the Tags tab, at desktop and phone width", async () => {
    for (const viewport of [undefined, MOBILE]) {
      const page = await openPage(browser, viewport);
      await signIn(page, server.url, ALICE.username, ALICE.password);
      await page.goto(`${server.url}/repository/alice/app?tab=tags`);
      await page.click('[data-testid="compare-tags"]');
      await page.waitForURL(`${server.url}/repository-tagdiff/alice/app`);
      await expectAccessible(page);
      await page.fill("#field-from", "v1");
      await page.fill("#field-to", "v2");
      await page.click('button[type="submit"]:has-text("Compare")');
      await page.waitForURL((url) => url.searchParams.get("to") === "v2");
      expect(await textOf(page, "tagdiff-summary")).toBe("1 added, 1 removed, 2 changed; 4 vulnerabilities fixed, 2 introduced.");
      expect(await page.locator('[data-testid="tagdiff-package"]').count()).toBe(4);
      expect(await page.locator('[data-testid="tagdiff-vulnerability"]').count()).toBe(6);
      await expectAccessible(page);
      expect(await fitsViewport(page)).toBe(true);
      await page.context().close();
    }
  });
});

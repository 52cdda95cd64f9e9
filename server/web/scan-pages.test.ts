import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pushBuiltImage, pushIndex } from "../../e2e/support/built-image.ts";
import { type PageClient, signedInClient } from "../../e2e/support/page-client.ts";
import { RegistryClient } from "../../e2e/support/registry-client.ts";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";
import type { Severity } from "../domain/notifications/catalog.ts";
import { storeScan } from "../domain/scanning/fixtures/scan-rows.ts";

let env: TestEnv;
let alice: PageClient;
let image: { digest: string; layers: string[] };
const others: Record<"queued" | "failed" | "clean" | "many", { digest: string; layers: string[] }> = {} as never;

const security = (digest: string, query = "") => `/repository/alice/app/manifest/${digest}?tab=security${query}`;
const packages = (digest: string, query = "") => `/repository/alice/app/manifest/${digest}?tab=packages${query}`;
const texts = (html: string, testid: string) => [...html.matchAll(new RegExp(`data-testid="${testid}"[^>]*>([^<]*)<`, "g"))].map((m) => m[1]!.trim());
const htmx = (target: string) => ({ "hx-request": "true", "hx-target": target });

beforeAll(async () => {
  env = await testEnv();
  await env.user("alice");
  await env.user("mallory");
  alice = await signedInClient(env.app, "alice");
  const registry = new RegistryClient(env, { username: "alice", password: "password-alice" });
  image = await pushBuiltImage(registry, "alice/app", "v1", {});
  for (const [i, name] of (["queued", "failed", "clean", "many"] as const).entries()) others[name] = await pushBuiltImage(registry, "alice/app", name, { n: String(i) });
  const child = await pushBuiltImage(registry, "alice/app", "arm", { arch: "arm" });
  await pushIndex(registry, "alice/app", "multi", [child]);
  await storeScan(env.deps.db, image.digest, {
    distribution: { id: "debian", versionId: "12", prettyName: "Debian GNU/Linux 12 (bookworm)" },
    packages: [
      {
        name: "openssl",
        version: "3.0.11",
        layerIndex: 0,
        layerDigest: image.layers[0]!,
        vulnerabilities: [
          { id: "CVE-2024-0001", severity: "Critical", fixedBy: "3.0.12", link: "https://security-tracker.debian.org/tracker/CVE-2024-0001" },
          { id: "CVE-2024-0002", severity: "Critical" },
          { id: "CVE-2024-0003", severity: "Low", fixedBy: "3.0.12" },
        ],
      },
      { name: "requests", version: "2.31.0", ecosystem: "pypi", layerIndex: 1, layerDigest: image.layers[1]!, vulnerabilities: [{ id: "GHSA-aaaa-bbbb-cccc", severity: "Medium", fixedBy: "2.32.0" }] },
      { name: "zlib1g", version: "1.2.13", layerIndex: 0, layerDigest: image.layers[0]! },
    ],
  });
  await storeScan(env.deps.db, others.failed.digest, { status: "failed", error: "layer could not be read" });
  await storeScan(env.deps.db, others.clean.digest, { packages: [{ name: "bash", version: "5.2", layerIndex: 0, layerDigest: others.clean.layers[0]! }] });
  const severities: Severity[] = ["High", "Medium"];
  await storeScan(env.deps.db, others.many.digest, {
    packages: [
      {
        name: "bigpkg",
        version: "1",
        layerIndex: 0,
        layerDigest: others.many.layers[0]!,
        vulnerabilities: Array.from({ length: 60 }, (_, i) => ({ id: `CVE-2020-${String(1000 + i)}`, severity: severities[i % 2]!, fixedBy: i % 3 === 0 ? "2" : "" })),
      },
    ],
  });
});
afterAll(() => env.close());

describe("the Tags tab's SECURITY SCAN column", () => {
  it("summarises each image's scan, coloured by its highest severity, linking to its Security page", async () => {
    const html = await (await alice.get("/repository/alice/app?tab=tags")).text();
    const cell = (digest: string) => new RegExp(`<a href="${security(digest).replace(/[?]/g, "\\?")}"[^>]*data-testid="scan-summary">([\\s\\S]*?)</a>`).exec(html)?.[1];
    expect(cell(image.digest)).toContain('data-severity="Critical"');
    expect(cell(image.digest)).toContain("2 Critical · 3 fixable");
    expect(cell(others.queued.digest)).toBe("Queued");
    expect(cell(others.failed.digest)).toBe("Failed");
    expect(cell(others.clean.digest)).toBe("Passed");
    expect(cell(others.many.digest)).toContain("30 High · 20 fixable");
    expect(html).toContain("See child manifests");
  });

  it("says Not scanned with the scanner switched off", async () => {
    const off = await testEnv({ QUAYSIDE_SECURITY_SCANNER: "false" });
    try {
      await off.user("bob");
      await pushBuiltImage(new RegistryClient(off, { username: "bob", password: "password-bob" }), "bob/app", "v1", {});
      const html = await (await (await signedInClient(off.app, "bob")).get("/repository/bob/app?tab=tags")).text();
      expect(html).toContain("Not scanned");
      expect(html).not.toContain('data-testid="scan-summary"');
    } finally {
      await off.close();
    }
  });
});

describe("the Security page", () => {
  it("shows the counts by severity and the vulnerabilities, most severe first, with package, versions and layer", async () => {
    const res = await alice.get(security(image.digest));
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("Built on Debian GNU/Linux 12 (bookworm).");
    expect(texts(html, "severity-total")).toEqual(["4 vulnerabilities, 3 of them fixable."]);
    const counts = [...html.matchAll(/data-testid="severity-count" data-severity="(\w+)">[\s\S]*?<b class="qs-severity-number">(\d+)<\/b>/g)].map((m) => [m[1], Number(m[2])]);
    expect(counts).toEqual([["Critical", 2], ["High", 0], ["Medium", 1], ["Low", 1], ["Negligible", 0], ["Unknown", 0]]);
    expect(texts(html, "advisory")).toEqual(["CVE-2024-0001", "CVE-2024-0002", "GHSA-aaaa-bbbb-cccc", "CVE-2024-0003"]);
    expect(html).toContain('<a href="https://security-tracker.debian.org/tracker/CVE-2024-0001" rel="noopener noreferrer"');
    const first = html.slice(html.indexOf('data-testid="vulnerability-row"'));
    expect(first).toMatch(/openssl[\s\S]*<code>3\.0\.11<\/code>[\s\S]*<code>3\.0\.12<\/code>[\s\S]*Layer 1[\s\S]*COPY file:abc in \//);
    // requests came with the second layer, made by the RUN step.
    expect(html).toMatch(/GHSA-aaaa-bbbb-cccc[\s\S]*?Layer 2<\/span> <code class="qs-instruction"[^>]*>RUN echo hi &gt; \/f<\/code>/);
    expect(html).toContain("No fix yet");
  });

  it("filters by text and only fixable; htmx gets the table alone", async () => {
    const html = await (await alice.get(security(image.digest, "&filter=openssl&fixable=1"))).text();
    expect(texts(html, "advisory")).toEqual(["CVE-2024-0001", "CVE-2024-0003"]);
    expect(html).toMatch(/id="only-fixable"[^>]*checked/);
    const fragment = await (await alice.get(security(image.digest, "&filter=GHSA"), htmx("vulnerability-table"))).text();
    expect(fragment.startsWith('<div id="vulnerability-table"')).toBe(true);
    expect(texts(fragment, "advisory")).toEqual(["GHSA-aaaa-bbbb-cccc"]);
    const none = await (await alice.get(security(image.digest, "&filter=nothing-like-this"))).text();
    expect(none).toContain("No vulnerabilities match");
  });

  it("pages 50 at a time, keeping the filter", async () => {
    const first = await (await alice.get(security(others.many.digest, "&fixable=1"))).text();
    expect(texts(first, "advisory")).toHaveLength(20);
    const all = await (await alice.get(security(others.many.digest))).text();
    expect(texts(all, "advisory")).toHaveLength(50);
    expect(all).toContain(`href="${security(others.many.digest, "&amp;page=2")}"`);
    const second = await (await alice.get(security(others.many.digest, "&page=2"))).text();
    expect(texts(second, "advisory")).toHaveLength(10);
    expect(second).toMatch(/51 - 60<\/b>\s*of <b>60<\/b>/);
    const past = await alice.get(security(others.many.digest, "&page=9"));
    expect(past.status).toBe(302);
  });

  it("says when there is no report yet, or none can be made", async () => {
    expect(await (await alice.get(security(others.queued.digest))).text()).toContain("Queued for scanning");
    const failed = await (await alice.get(security(others.failed.digest))).text();
    expect(failed).toContain("The scan failed");
    expect(failed).toContain("layer could not be read");
    expect(await (await alice.get(security(others.clean.digest))).text()).toContain("No known vulnerabilities");
  });

  it("is the repository's readers' only", async () => {
    const mallory = await signedInClient(env.app, "mallory");
    expect((await mallory.get(security(image.digest))).status).toBe(404);
    expect((await mallory.get(packages(image.digest))).status).toBe(404);
  });
});

describe("the Packages page and the manifest's tabs", () => {
  it("lists the packages with their vulnerability summary and layer, filtered by name", async () => {
    const html = await (await alice.get(packages(image.digest))).text();
    const rows = [...html.matchAll(/data-testid="package-row">([\s\S]*?)<\/tr>/g)].map((m) => m[1]!.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").trim());
    expect(rows).toEqual([
      "openssl 3.0.11 Debian package 3 (highest Critical) · 2 fixable Layer 1 COPY file:abc in /",
      "requests 2.31.0 Python 1 (highest Medium) · 1 fixable Layer 2 RUN echo hi &gt; /f",
      "zlib1g 1.2.13 Debian package None Layer 1 COPY file:abc in /",
    ]);
    const fragment = await (await alice.get(packages(image.digest, "&filter=req"), htmx("package-table"))).text();
    expect(fragment.startsWith('<div id="package-table"')).toBe(true);
    expect(fragment).toContain("requests");
    expect(fragment).not.toContain("openssl");
  });

  it("links Details, Security and Packages from an image's page", async () => {
    const html = await (await alice.get(`/repository/alice/app/manifest/${image.digest}`)).text();
    expect(html).toContain(`href="${security(image.digest)}"`);
    expect(html).toContain(`href="${packages(image.digest)}"`);
  });
});

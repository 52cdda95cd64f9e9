// The built-in scanner end to end on a real server (issue 15's acceptance). One image is built
// with buildah (FROM scratch, one layer per Containerfile step) holding a dpkg status, an apk
// installed database, an rpm sqlite database, a Python dist-info, a node_modules package.json, a
// Go binary, a JAR and a Ruby gemspec, and pushed with podman as alice/scanned:v1 (Debian 12 by
// its os-release); the same image with an Alpine os-release on top goes up as :alpine. Fixture
// advisories made for this test (fixtures/advisories/image-*.json) are imported through the
// `quayside vulndb import` command: OSV and Debian's tracker before the push (matched while the
// server's own security-scan job indexes), Alpine's secdb after (re-matched without reading a
// layer). Then: every package is found with the layer that brought it; the Clair-shaped API
// gives each fixture vulnerability on its package with the severity Quay's table gives it, its
// fix and its layer; and in Chromium the Tags tab's column and the Security page show them.
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eq, sql } from "drizzle-orm";
import type { Browser } from "playwright";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { manifestScans } from "../../db/schema.ts";
import { createAccessToken } from "../../server/domain/accounts/oauth-tokens.ts";
import { createUser } from "../../server/domain/accounts/users.ts";
import { buildElf, framedModinfo, inlineBuildInfo } from "../../server/domain/scanning/fixtures/build-elf.ts";
import { buildZip } from "../../server/domain/scanning/fixtures/build-zip.ts";
import { vulndbCommand } from "../../server/vulndb-command.ts";
import { expectAccessible, launchChromium, openPage, signIn } from "../browser/browser.ts";
import { ClientSandbox, ok, requireTools } from "../clients/tools.ts";
import { basic } from "../support/registry-client.ts";
import { type TestServer, testServer } from "../support/test-app.ts";

const ALICE = { username: "alice", password: "alice-password-1" };
const FIXTURES = new URL("../../server/domain/scanning/fixtures/", import.meta.url);
let server: TestServer;
let sandbox: ClientSandbox;
let work: string;
let browser: Browser | undefined;
let token: string;

interface PushedImage {
  digest: string;
  /** The manifest's layer digests, base first. */
  layers: string[];
}
/** alice/scanned:v1 (Debian) and alice/scanned:alpine (the same layers and an Alpine os-release). */
let debian: PushedImage;
let alpine: PushedImage;

const dpkgStatus = (...packages: [name: string, version: string, source?: string][]) =>
  packages
    .map(([name, version, source]) => `Package: ${name}\nStatus: install ok installed\n${source ? `Source: ${source}\n` : ""}Version: ${version}\nArchitecture: amd64\n`)
    .join("\n");

/**
 * Writes the build context: one directory or file per Containerfile step. The `debian` stage is
 * the image; the last stage puts an Alpine os-release over it.
 */
async function buildContext(dir: string): Promise<void> {
  const put = async (path: string, content: string | Uint8Array) => {
    await mkdir(join(dir, path, ".."), { recursive: true });
    await writeFile(join(dir, path), content);
  };
  await put("debian/etc/os-release", 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n');
  // libc6 is built from glibc, the name Debian's tracker files its advisories under.
  await put("debian/var/lib/dpkg/status", dpkgStatus(["libc6", "2.36-9+deb12u4", "glibc"], ["openssl", "3.0.11-1~deb12u2"]));
  await put("apk/installed", "P:musl\nV:1.2.4_git20230717-r4\nA:x86_64\no:musl\n\nP:busybox\nV:1.36.1-r15\nA:x86_64\no:busybox\n\n");
  await copyFile(new URL("rpmdb.sqlite", FIXTURES), join(dir, "rpmdb.sqlite"));
  await put("python/requests-2.31.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: requests\nVersion: 2.31.0\n");
  await put("node_modules/left-pad/package.json", JSON.stringify({ name: "left-pad", version: "1.3.0" }));
  const modinfo = framedModinfo(["path\texample.com/app", "mod\texample.com/app\t(devel)\t", "dep\tgithub.com/google/uuid\tv1.3.0\th1:abc="]);
  await put("server", buildElf(inlineBuildInfo("go1.21.5", modinfo)));
  await chmod(join(dir, "server"), 0o755);
  const pom = "groupId=org.apache.commons\nartifactId=commons-text\nversion=1.9\n";
  await put("app.jar", buildZip([{ name: "META-INF/maven/org.apache.commons/commons-text/pom.properties", data: pom }]));
  await put("rack.gemspec", '# -*- encoding: utf-8 -*-\n# stub: rack 2.2.7 ruby lib\n\nGem::Specification.new do |s|\n  s.name = "rack".freeze\n  s.version = "2.2.7"\nend\n');
  await put("alpine/os-release", 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.19.1\nPRETTY_NAME="Alpine Linux v3.19"\n');
  await put(
    "Containerfile",
    [
      "FROM scratch AS debian",
      "COPY debian/ /",
      "COPY apk/installed /lib/apk/db/installed",
      "COPY rpmdb.sqlite /var/lib/rpm/rpmdb.sqlite",
      "COPY python/ /usr/lib/python3.11/site-packages/",
      "COPY node_modules/ /app/node_modules/",
      "COPY server /usr/local/bin/server",
      "COPY app.jar /opt/app/app.jar",
      "COPY rack.gemspec /usr/local/bundle/specifications/rack-2.2.7.gemspec",
      "",
      "FROM debian",
      "COPY alpine/os-release /etc/os-release",
      "",
    ].join("\n"),
  );
}

/** Builds one stage (the last without `target`) as alice/scanned:`tag`, pushes it with podman, and gives its digest and layers. */
async function buildAndPush(ctx: string, tag: string, target?: string): Promise<PushedImage> {
  const ref = `${server.host}/alice/scanned:${tag}`;
  const stage = target ? ["--target", target] : [];
  ok(await sandbox.buildah(["bud", "--layers", "--isolation", "chroot", ...stage, "-t", ref, ctx], { timeout: 120_000 }), "buildah bud");
  const digestFile = join(work, `digest-${tag}`);
  ok(
    await sandbox.podman(["push", "--tls-verify=false", "--creds", `${ALICE.username}:${ALICE.password}`, "--digestfile", digestFile, ref], { timeout: 60_000 }),
    "podman push",
  );
  const digest = (await readFile(digestFile, "utf8")).trim();
  const res = await fetch(`${server.url}/v2/alice/scanned/manifests/${digest}`, {
    headers: { authorization: basic(ALICE.username, ALICE.password), accept: "application/vnd.oci.image.manifest.v1+json" },
  });
  return { digest, layers: ((await res.json()) as { layers: { digest: string }[] }).layers.map((layer) => layer.digest) };
}

/** `quayside vulndb import` of a fixture into the server's database, as an admin runs it beside the server. */
async function importFixture(name: string): Promise<string> {
  const out: string[] = [];
  const err: string[] = [];
  const env = { DATABASE_URL: server.deps.config.databaseUrl, QUAYSIDE_DATA_DIR: server.dataDir };
  const code = await vulndbCommand(["import", new URL(`advisories/${name}`, FIXTURES).pathname], env, { out: (l) => out.push(l), err: (l) => err.push(l) });
  expect({ code, err }).toEqual({ code: 0, err: [] });
  return out.join("\n");
}

async function waitForScan(digest: string) {
  for (let i = 0; i < 600; i++) {
    const [scan] = await server.deps.db.select().from(manifestScans).where(eq(manifestScans.digest, digest));
    if (scan && scan.status !== "queued" && scan.status !== "scanning") return scan;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${digest} was not scanned within two minutes`);
}

beforeAll(async () => {
  requireTools("podman", "buildah");
  server = await testServer();
  const alice = await createUser(server.deps.db, ALICE, { principal: { kind: "anonymous" } });
  token = await createAccessToken(server.deps.db, alice.id, null, ["repo:read"]);
  sandbox = await ClientSandbox.create();
  work = await mkdtemp(join(tmpdir(), "quayside-scan-"));
  expect(await importFixture("image-osv.json")).toMatch(/\(osv\): 7 advisories — 7 added/);
  expect(await importFixture("image-debian-tracker.json")).toMatch(/\(debian-tracker\): 6 advisories — 6 added/);
  const ctx = join(work, "ctx");
  await buildContext(ctx);
  debian = await buildAndPush(ctx, "v1", "debian");
  alpine = await buildAndPush(ctx, "alpine");
  await Promise.all([waitForScan(debian.digest), waitForScan(alpine.digest)]);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await sandbox?.close();
  if (work) await rm(work, { recursive: true, force: true });
  await server?.close();
});

it("finds every package of a podman-pushed image with the layer that brought it", async () => {
  const { digest, layers } = debian;
  expect(layers).toHaveLength(8);
  expect(await waitForScan(digest)).toMatchObject({ status: "scanned", error: null, distribution: { id: "debian", versionId: "12", versionCodename: "bookworm" } });
  const found = await server.deps.db.execute<{ ecosystem: string; name: string; version: string; path: string; layer_index: number; layer_digest: string }>(sql`
    select p.ecosystem, p.name, p.version, mp.path, mp.layer_index, mp.layer_digest
    from manifest_packages mp join scanned_packages p on p.id = mp.package_id
    where mp.manifest_digest = ${digest}`);
  const at = (ecosystem: string, name: string) => {
    const pkg = found.find((p) => p.ecosystem === ecosystem && p.name === name);
    return pkg && { version: pkg.version, path: pkg.path, layer: pkg.layer_index, digest: pkg.layer_digest };
  };
  const expected: [string, string, string, string, number][] = [
    ["dpkg", "libc6", "2.36-9+deb12u4", "var/lib/dpkg/status", 0],
    ["dpkg", "openssl", "3.0.11-1~deb12u2", "var/lib/dpkg/status", 0],
    ["apk", "musl", "1.2.4_git20230717-r4", "lib/apk/db/installed", 1],
    ["apk", "busybox", "1.36.1-r15", "lib/apk/db/installed", 1],
    ["rpm", "bash", "5.1.8-6.el9", "var/lib/rpm/rpmdb.sqlite", 2],
    ["rpm", "openssl-libs", "1:3.0.7-25.el9_3", "var/lib/rpm/rpmdb.sqlite", 2],
    ["pypi", "requests", "2.31.0", "usr/lib/python3.11/site-packages/requests-2.31.0.dist-info/METADATA", 3],
    ["npm", "left-pad", "1.3.0", "app/node_modules/left-pad/package.json", 4],
    ["go", "stdlib", "v1.21.5", "usr/local/bin/server", 5],
    ["go", "github.com/google/uuid", "v1.3.0", "usr/local/bin/server", 5],
    ["maven", "org.apache.commons:commons-text", "1.9", "opt/app/app.jar", 6],
    ["gem", "rack", "2.2.7", "usr/local/bundle/specifications/rack-2.2.7.gemspec", 7],
  ];
  for (const [ecosystem, name, version, path, layer] of expected) {
    expect(at(ecosystem, name), `${ecosystem} ${name}`).toEqual({ version, path, layer, digest: layers[layer] });
  }
  // Every layer's contents were kept (the Alpine image shares the Debian one's eight), so no image on them reads them again.
  const indexed = await server.deps.db.execute<{ digest: string }>(sql`select digest from layer_indexes where digest = any(${sql.param(alpine.layers)}::text[])`);
  expect(indexed.map((row) => row.digest).sort()).toEqual([...alpine.layers].sort());
  expect(alpine.layers.slice(0, 8)).toEqual(layers);
  expect(await waitForScan(alpine.digest)).toMatchObject({ status: "scanned", distribution: { id: "alpine", versionId: "3.19.1" } });
});

interface ClairVulnerability {
  Name: string;
  Severity: string;
  FixedBy: string;
  NamespaceName: string;
  Link: string;
  Description: string;
}
interface ClairFeature {
  Name: string;
  Version: string;
  VersionFormat: string;
  NamespaceName: string;
  AddedBy: string;
  Vulnerabilities: ClairVulnerability[];
}

type SecurityReport = { status: string; data: { Layer: { Name: string; Features: ClairFeature[] } } };

/** A GET on /api/v1 as a script holding alice's OAuth token. */
async function api<T>(path: string): Promise<T> {
  const res = await fetch(`${server.url}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
}

const securityReport = (digest: string) => api<SecurityReport>(`/repository/alice/scanned/manifest/${digest}/security?vulnerabilities=true`);

/** Each feature as "name version @layer" → its vulnerabilities as "id severity fixed-by" (sorted), for features that have any. */
function vulnerableFeatures(features: ClairFeature[], layers: string[]): Record<string, string[]> {
  return Object.fromEntries(
    features
      .filter((f) => f.Vulnerabilities.length > 0)
      .map((f) => [`${f.Name} ${f.Version} @${layers.indexOf(f.AddedBy)}`, f.Vulnerabilities.map((v) => `${v.Name} ${v.Severity} ${v.FixedBy || "-"}`).sort()]),
  );
}

/** The OSV fixtures' matches, the same on both images (language packages apply whatever the distribution). */
const LANGUAGE_VULNERABILITIES = {
  "requests 2.31.0 @3": ["GHSA-e2e0-pypi-0001 Critical 2.32.0"], // CVSS 3.1 9.8; the advisory fixed in 2.31.0 is not listed
  "left-pad 1.3.0 @4": ["GHSA-e2e0-npm0-0001 Medium -"], // 5.3, no fix yet
  "github.com/google/uuid v1.3.0 @5": ["GO-2024-9001 High 1.3.1"], // 7.5
  "stdlib v1.21.5 @5": ["GO-2024-9002 Low 1.21.6"], // 3.3
  "org.apache.commons:commons-text 1.9 @6": ["GHSA-e2e0-mvn0-0001 High 1.10.0"], // CVSS v2 7.5
  "rack 2.2.7 @7": ["GHSA-e2e0-gem0-0001 Negligible 2.2.8"], // 0.0
};

describe("the Clair-shaped security API", () => {
  it("gives each fixture vulnerability on its package with Quay's severity, the fix and the layer", async () => {
    const report = await securityReport(debian.digest);
    expect(report.status).toBe("scanned");
    expect(report.data.Layer.Name).toBe(debian.digest);
    expect(vulnerableFeatures(report.data.Layer.Features, debian.layers)).toEqual({
      // Debian's urgencies sit one step below: high → Critical, medium → High, unimportant → Low, not yet assigned → Unknown.
      "libc6 2.36-9+deb12u4 @0": ["CVE-2024-91204 Critical 2.36-9+deb12u7", "CVE-2024-91205 Low -"],
      "openssl 3.0.11-1~deb12u2 @0": ["CVE-2024-91201 High 3.0.13-1~deb12u1", "CVE-2024-91203 Unknown -"],
      ...LANGUAGE_VULNERABILITIES,
    });
    // Packages without advisories are features too, with their layer.
    const musl = report.data.Layer.Features.find((f) => f.Name === "musl");
    expect(musl).toMatchObject({ Version: "1.2.4_git20230717-r4", AddedBy: debian.layers[1], Vulnerabilities: [] });
    const openssl = report.data.Layer.Features.find((f) => f.Name === "openssl")!;
    expect(openssl).toMatchObject({ VersionFormat: "", NamespaceName: "", AddedBy: debian.layers[0] });
    expect(openssl.Vulnerabilities.find((v) => v.Name === "CVE-2024-91201")).toMatchObject({
      NamespaceName: "debian-tracker",
      Link: "https://security-tracker.debian.org/tracker/CVE-2024-91201",
      Description: "Fixture: openssl flaw of medium urgency, fixed in a point release",
    });
    const requests = report.data.Layer.Features.find((f) => f.Name === "requests")!;
    expect(requests.Vulnerabilities[0]).toMatchObject({ NamespaceName: "osv", Link: "https://github.com/advisories/GHSA-e2e0-pypi-0001" });

    // The legacy image API older scripts call: the tagged image has the manifest's report, its base image the base layer's packages.
    const images = (await api<{ images: { id: string; tags: string[]; ancestors: string }[] }>("/repository/alice/scanned/image/")).images;
    const leaf = images.find((image) => image.tags.includes("v1"))!;
    const base = leaf.ancestors.split("/").filter(Boolean).at(-1)!; // parent first, base last
    const legacy = await api<SecurityReport>(`/repository/alice/scanned/image/${leaf.id}/security?vulnerabilities=true`);
    expect(legacy.data.Layer.Features).toEqual(report.data.Layer.Features);
    const baseReport = await api<SecurityReport>(`/repository/alice/scanned/image/${base}/security?vulnerabilities=true`);
    expect(vulnerableFeatures(baseReport.data.Layer.Features, debian.layers)).toEqual({
      "libc6 2.36-9+deb12u4 @0": ["CVE-2024-91204 Critical 2.36-9+deb12u7", "CVE-2024-91205 Low -"],
      "openssl 3.0.11-1~deb12u2 @0": ["CVE-2024-91201 High 3.0.13-1~deb12u1", "CVE-2024-91203 Unknown -"],
    });
  });

  it("matches an Alpine secdb imported after the scan against the Alpine image only, as Unknown", async () => {
    const before = await securityReport(alpine.digest);
    expect(vulnerableFeatures(before.data.Layer.Features, alpine.layers)).toEqual(LANGUAGE_VULNERABILITIES);
    expect(await importFixture("image-alpine-secdb-v3.19-main.json")).toMatch(/3 advisories — 3 added.*\nmatched 4 stored packages again: 2 new matches/);

    const report = await securityReport(alpine.digest);
    expect(vulnerableFeatures(report.data.Layer.Features, alpine.layers)).toEqual({
      // The secdb carries no severities; musl's fix in 1.2.3-r2 is older than the installed version.
      "musl 1.2.4_git20230717-r4 @1": ["CVE-2024-91101 Unknown 1.2.4_git20230717-r5"],
      "busybox 1.36.1-r15 @1": ["CVE-2024-91103 Unknown 1.36.1-r16"],
      ...LANGUAGE_VULNERABILITIES,
    });
    // The Debian image's apk packages belong to no Alpine release.
    const debianReport = await securityReport(debian.digest);
    expect(debianReport.data.Layer.Features.find((f) => f.Name === "musl")!.Vulnerabilities).toEqual([]);
  });
});

describe("the scan in Chromium", () => {
  it("summarises each tag by its highest severity and lists, filters and narrows to fixable on the Security page", async () => {
    browser = await launchChromium();
    const page = await openPage(browser);
    await signIn(page, server.url, ALICE.username, ALICE.password);
    await page.goto(`${server.url}/repository/alice/scanned?tab=tags`);
    const summaryOf = (tag: string) => page.locator('[data-testid="tag-row"]', { has: page.locator(`[data-testid="tag-name"]:text-is("${tag}")`) }).locator('[data-testid="scan-summary"]');
    // Debian: 2 Critical, 3 High, 1 Medium, 2 Low, 1 Negligible, 1 Unknown; 7 with a fix.
    expect((await summaryOf("v1").textContent())?.trim()).toBe("2 Critical · 7 fixable");
    const severity = summaryOf("v1").locator("[data-severity]");
    expect(await severity.getAttribute("data-severity")).toBe("Critical");
    expect(await severity.locator(".qs-severity-swatch").evaluate((swatch) => getComputedStyle(swatch).backgroundColor)).toBe("rgb(125, 16, 7)");
    expect((await summaryOf("alpine").textContent())?.trim()).toBe("1 Critical · 7 fixable");
    await expectAccessible(page);

    await summaryOf("v1").click();
    await page.waitForURL(`${server.url}/repository/alice/scanned/manifest/${debian.digest}?tab=security`);
    expect((await page.textContent('[data-testid="severity-total"]'))?.trim()).toBe("10 vulnerabilities, 7 of them fixable.");
    const counts = await page.locator('[data-testid="severity-count"]').evaluateAll((items) =>
      items.map((item) => `${item.getAttribute("data-severity")} ${item.querySelector("b")?.textContent}`),
    );
    expect(counts).toEqual(["Critical 2", "High 3", "Medium 1", "Low 2", "Negligible 1", "Unknown 1"]);
    // Advisory | Severity | Package | Current version | Fixed in | Introduced in (buildah names a COPY's content by its hash).
    const rows = await page.locator('[data-testid="vulnerability-row"]').evaluateAll((trs) =>
      trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => (td.textContent ?? "").replace(/\s+/g, " ").trim()).join(" | ")),
    );
    expect(rows.map((row) => row.replace(/(dir|file):[0-9a-f]{64}/, "$1:…"))).toEqual([
      "CVE-2024-91204 | Critical | libc6 | 2.36-9+deb12u4 | 2.36-9+deb12u7 | Layer 1 COPY dir:… in /",
      "GHSA-e2e0-pypi-0001 | Critical | requests | 2.31.0 | 2.32.0 | Layer 4 COPY dir:… in /usr/lib/python3.11/site-packages/",
      "CVE-2024-91201 | High | openssl | 3.0.11-1~deb12u2 | 3.0.13-1~deb12u1 | Layer 1 COPY dir:… in /",
      "GHSA-e2e0-mvn0-0001 | High | org.apache.commons:commons-text | 1.9 | 1.10.0 | Layer 7 COPY file:… in /opt/app/app.jar",
      "GO-2024-9001 | High | github.com/google/uuid | v1.3.0 | 1.3.1 | Layer 6 COPY file:… in /usr/local/bin/server",
      "GHSA-e2e0-npm0-0001 | Medium | left-pad | 1.3.0 | No fix yet | Layer 5 COPY dir:… in /app/node_modules/",
      "CVE-2024-91205 | Low | libc6 | 2.36-9+deb12u4 | No fix yet | Layer 1 COPY dir:… in /",
      "GO-2024-9002 | Low | stdlib | v1.21.5 | 1.21.6 | Layer 6 COPY file:… in /usr/local/bin/server",
      "GHSA-e2e0-gem0-0001 | Negligible | rack | 2.2.7 | 2.2.8 | Layer 8 COPY file:… in /usr/local/bundle/specifications/rack-2.2.7.gemspec",
      "CVE-2024-91203 | Unknown | openssl | 3.0.11-1~deb12u2 | No fix yet | Layer 1 COPY dir:… in /",
    ]);
    expect(await page.locator('[data-testid="advisory"]').first().getAttribute("href")).toBe("https://security-tracker.debian.org/tracker/CVE-2024-91204");
    await expectAccessible(page);

    await page.fill('input[name="filter"]', "openssl");
    await page.waitForURL(/filter=openssl/);
    await expect.poll(() => page.locator('[data-testid="advisory"]').allTextContents()).toEqual(["CVE-2024-91201", "CVE-2024-91203"]);
    await page.check("#only-fixable");
    await page.waitForURL(/fixable=1/);
    await expect.poll(() => page.locator('[data-testid="advisory"]').allTextContents()).toEqual(["CVE-2024-91201"]);
    await page.fill('input[name="filter"]', "");
    await expect.poll(() => page.locator('[data-testid="advisory"]').allTextContents()).toEqual([
      "CVE-2024-91204",
      "GHSA-e2e0-pypi-0001",
      "CVE-2024-91201",
      "GHSA-e2e0-mvn0-0001",
      "GO-2024-9001",
      "GO-2024-9002",
      "GHSA-e2e0-gem0-0001",
    ]);
    await expectAccessible(page);
  });
});

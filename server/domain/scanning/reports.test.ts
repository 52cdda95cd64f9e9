import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestEnv, testEnv } from "../../../e2e/support/test-app.ts";
import { storeScan } from "./fixtures/scan-rows.ts";
import { packagePage, reportFeatures, scanState, scanSummaries, vulnerabilityPage } from "./reports.ts";

const digest = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;
const IMAGE = digest(1);
const LAYER = ["sha256:" + "a".repeat(64), "sha256:" + "b".repeat(64), "sha256:" + "c".repeat(64)];

let env: TestEnv;

beforeAll(async () => {
  env = await testEnv();
  const db = env.deps.db;
  await storeScan(db, IMAGE, {
    packages: [
      {
        name: "openssl",
        version: "3.0.1",
        layerIndex: 0,
        layerDigest: LAYER[0]!,
        vulnerabilities: [
          { id: "CVE-2024-0001", severity: "Critical", fixedBy: "3.0.2", summary: "heap overflow" },
          // The same id from a second source: one vulnerability, the most severe row's severity.
          { id: "CVE-2024-0001", severity: "High", source: "debian-tracker" },
          { id: "CVE-2024-0002", severity: "Medium" },
        ],
      },
      { name: "libc6", version: "2.36", layerIndex: 1, layerDigest: LAYER[1]!, vulnerabilities: [{ id: "CVE-2024-0003", severity: "Low", fixedBy: "2.37" }] },
      {
        name: "lodash",
        version: "4.17.20",
        ecosystem: "npm",
        layerIndex: 1,
        layerDigest: LAYER[1]!,
        paths: ["app/node_modules/lodash/package.json", "app/other/node_modules/lodash/package.json"],
        vulnerabilities: [{ id: "GHSA-xxxx-yyyy-zzzz", severity: "High", fixedBy: "4.17.21" }],
      },
      { name: "zlib1g", version: "1.2.13", layerIndex: 2, layerDigest: LAYER[2]! },
    ],
  });
  await storeScan(db, digest(2), { status: "failed", error: "layer sha256:… could not be read" });
  await storeScan(db, digest(3), { status: "unsupported", distribution: null });
  await storeScan(db, digest(4), { status: "scanning" });
  await storeScan(db, digest(5), { packages: [{ name: "bash", version: "5.2", layerIndex: 0, layerDigest: LAYER[0]! }] });
});
afterAll(() => env.close());

describe("scanSummaries", () => {
  it("counts each package's vulnerabilities once per id, with the highest severity and the fixable ones", async () => {
    const summaries = await scanSummaries(env.deps.db, [IMAGE, digest(2), digest(3), digest(4), digest(5), digest(6)]);
    expect(summaries.get(IMAGE)).toEqual({
      status: "scanned",
      bySeverity: { Critical: 1, High: 1, Medium: 1, Low: 1, Negligible: 0, Unknown: 0 },
      total: 4,
      fixable: 3,
      highest: "Critical",
    });
    expect([2, 3, 4, 5, 6].map((n) => summaries.get(digest(n))!.status)).toEqual(["failed", "unsupported", "queued", "scanned", "queued"]);
    expect(summaries.get(digest(5))).toMatchObject({ total: 0, highest: null });
  });

  it("keeps a failed scan's reason", async () => {
    expect(await scanState(env.deps.db, digest(2))).toMatchObject({ status: "failed", error: "layer sha256:… could not be read" });
    expect(await scanState(env.deps.db, digest(6))).toEqual({ status: "queued", error: null, distribution: null });
  });
});

describe("vulnerabilityPage", () => {
  const all = { filter: "", onlyFixable: false, offset: 0, limit: 50 };

  it("lists the most severe first, each with its package, fix and introducing layer", async () => {
    const page = await vulnerabilityPage(env.deps.db, IMAGE, all);
    expect(page.total).toBe(4);
    expect(page.rows.map((r) => [r.id, r.severity, r.packageName, r.packageVersion, r.fixedBy, r.layerIndex])).toEqual([
      ["CVE-2024-0001", "Critical", "openssl", "3.0.1", "3.0.2", 0],
      ["GHSA-xxxx-yyyy-zzzz", "High", "lodash", "4.17.20", "4.17.21", 1],
      ["CVE-2024-0002", "Medium", "openssl", "3.0.1", "", 0],
      ["CVE-2024-0003", "Low", "libc6", "2.36", "2.37", 1],
    ]);
    expect(page.rows[1]!.layerDigest).toBe(LAYER[1]);
  });

  it("filters by text in the id, package or summary, and by having a fix", async () => {
    const ids = async (q: Partial<typeof all>) => (await vulnerabilityPage(env.deps.db, IMAGE, { ...all, ...q })).rows.map((r) => r.id);
    expect(await ids({ filter: "OPENSSL" })).toEqual(["CVE-2024-0001", "CVE-2024-0002"]);
    expect(await ids({ filter: "heap" })).toEqual(["CVE-2024-0001"]);
    expect(await ids({ filter: "ghsa" })).toEqual(["GHSA-xxxx-yyyy-zzzz"]);
    expect(await ids({ onlyFixable: true })).toEqual(["CVE-2024-0001", "GHSA-xxxx-yyyy-zzzz", "CVE-2024-0003"]);
    expect(await ids({ filter: "openssl", onlyFixable: true })).toEqual(["CVE-2024-0001"]);
  });

  it("pages, and counts the matches past the end", async () => {
    const second = await vulnerabilityPage(env.deps.db, IMAGE, { ...all, offset: 2, limit: 2 });
    expect(second.rows.map((r) => r.id)).toEqual(["CVE-2024-0002", "CVE-2024-0003"]);
    expect(second.total).toBe(4);
    expect(await vulnerabilityPage(env.deps.db, IMAGE, { ...all, offset: 10, limit: 2 })).toEqual({ rows: [], total: 4 });
  });
});

describe("packagePage and reportFeatures", () => {
  it("lists packages by name with their vulnerability summary and layer", async () => {
    const page = await packagePage(env.deps.db, IMAGE, { filter: "", offset: 0, limit: 10 });
    expect(page.total).toBe(4);
    expect(page.rows.map((r) => [r.name, r.vulnerabilities, r.fixable, r.highest, r.layerIndex])).toEqual([
      ["libc6", 1, 1, "Low", 1],
      ["lodash", 1, 1, "High", 1],
      ["openssl", 2, 1, "Critical", 0],
      ["zlib1g", 0, 0, null, 2],
    ]);
    expect((await packagePage(env.deps.db, IMAGE, { filter: "LIB", offset: 0, limit: 10 })).rows.map((r) => r.name)).toEqual(["libc6", "zlib1g"]);
  });

  it("gives every package with its vulnerabilities, optionally those of the lower layers only", async () => {
    const features = await reportFeatures(env.deps.db, IMAGE);
    expect(features.map((f) => [f.name, f.layerDigest, f.vulnerabilities.map((v) => v.id)])).toEqual([
      ["libc6", LAYER[1], ["CVE-2024-0003"]],
      ["lodash", LAYER[1], ["GHSA-xxxx-yyyy-zzzz"]],
      ["openssl", LAYER[0], ["CVE-2024-0001", "CVE-2024-0002"]],
      ["zlib1g", LAYER[2], []],
    ]);
    expect((await reportFeatures(env.deps.db, IMAGE, 0)).map((f) => f.name)).toEqual(["openssl"]);
  });
});

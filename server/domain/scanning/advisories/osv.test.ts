import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { buildZip } from "../fixtures/build-zip.ts";
import { matchAffected } from "../versions/index.ts";
import { AdvisoryFormatError } from "./advisory.ts";
import { osvEcosystem, parseOsvJson, parseOsvZip } from "./osv.ts";

const fixture = readFileSync(new URL("../fixtures/advisories/osv-pypi-record.json", import.meta.url), "utf8");

const record = (id: string, ecosystem: string, name: string, extra: object = {}): object => ({
  id,
  modified: "2024-01-01T00:00:00Z",
  affected: [{ package: { ecosystem, name }, ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed: "2.0" }] }] }],
  ...extra,
});

describe("parseOsvJson", () => {
  it("reads a record into one advisory per scanned package, with ranges, listed versions, link and severity", () => {
    const { advisories, skipped } = parseOsvJson(fixture);
    expect(advisories).toEqual([
      {
        source: "osv",
        id: "GHSA-qs7x-0000-fixt",
        aliases: ["CVE-2024-90001", "PYSEC-2024-901"],
        summary: "Fixture: path traversal in quayfixture",
        description: "A made-up advisory for Quayside's tests.",
        link: "https://github.com/advisories/GHSA-qs7x-0000-fixt",
        // AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N is 7.5.
        severity: "High",
        package: { name: "quayfixture", ecosystem: "pypi" },
        ranges: [
          { type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed: "1.4.2" }, { introduced: "2.0.0" }, { fixed: "2.0.1" }] },
        ],
        versions: ["1.4.0", "1.4.1", "2.0.0"],
        modified: "2024-03-01T12:00:00Z",
      },
    ]);
    expect(skipped).toEqual([{ id: "GHSA-qs7x-0000-fixt", reason: "ecosystem not scanned: crates.io" }]);
    // The ranges match with PEP 440's ordering.
    expect(matchAffected("pypi", "1.4.2rc1", advisories[0]!)).toEqual({ fixed: "1.4.2" });
    expect(matchAffected("pypi", "2.0.0", advisories[0]!)).toEqual({ fixed: "2.0.1" });
    expect(matchAffected("pypi", "1.4.2", advisories[0]!)).toBeUndefined();
  });

  it("reads an array of records, scopes distribution ecosystems to their release, and prefers per-package severity", () => {
    const text = JSON.stringify([
      record("DSA-0001-1", "Debian:12", "openssl"),
      record("USN-0001-1", "Ubuntu:Pro:22.04:LTS", "openssl", {
        severity: [{ type: "Ubuntu", score: "high" }],
      }),
      {
        ...record("ALPINE-0001", "Alpine:v3.19", "busybox"),
        affected: [
          {
            package: { ecosystem: "Alpine:v3.19", name: "busybox" },
            severity: [{ type: "CVSS_V2", score: "AV:N/AC:L/Au:N/C:P/I:P/A:P" }],
            ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed: "1.36.1-r2" }] }],
          },
        ],
      },
      record("GO-2024-0001", "Go", "example.com/mod"),
    ]);
    const { advisories } = parseOsvJson(text);
    expect(advisories.map((a) => [a.id, a.package, a.severity, a.link])).toEqual([
      ["DSA-0001-1", { name: "openssl", ecosystem: "dpkg", distribution: { id: "debian", release: "12" } }, "Unknown", "https://osv.dev/vulnerability/DSA-0001-1"],
      ["USN-0001-1", { name: "openssl", ecosystem: "dpkg", distribution: { id: "ubuntu", release: "22.04" } }, "High", "https://osv.dev/vulnerability/USN-0001-1"],
      ["ALPINE-0001", { name: "busybox", ecosystem: "apk", distribution: { id: "alpine", release: "3.19" } }, "High", "https://osv.dev/vulnerability/ALPINE-0001"],
      ["GO-2024-0001", { name: "example.com/mod", ecosystem: "go" }, "Unknown", "https://osv.dev/vulnerability/GO-2024-0001"],
    ]);
  });

  it("leaves out withdrawn records, records that are not OSV, and packages with only GIT ranges", () => {
    const text = JSON.stringify([
      record("GHSA-gone", "npm", "left-pad", { withdrawn: "2024-01-02T00:00:00Z" }),
      { id: 42 },
      {
        id: "GHSA-git-only",
        affected: [{ package: { ecosystem: "npm", name: "x" }, ranges: [{ type: "GIT", events: [{ introduced: "0" }] }] }],
      },
    ]);
    const { advisories, skipped } = parseOsvJson(text);
    expect(advisories).toEqual([]);
    expect(skipped.map((s) => s.id)).toEqual(["GHSA-gone", "42", "GHSA-git-only"]);
    expect(skipped[0]!.reason).toBe("withdrawn");
  });

  it("refuses text that is not JSON or not a record", () => {
    expect(() => parseOsvJson("{nope")).toThrow(AdvisoryFormatError);
    expect(() => parseOsvJson("17")).toThrow(AdvisoryFormatError);
  });
});

describe("parseOsvZip", () => {
  it("reads every JSON file of a zip (stored or deflated), ignoring other entries and reporting broken files", () => {
    for (const deflate of [false, true]) {
      const zip = buildZip(
        [
          { name: "GHSA-qs7x-0000-fixt.json", data: fixture },
          { name: "GEM-1.json", data: JSON.stringify(record("GEM-1", "RubyGems", "rack")) },
          { name: "README.txt", data: "not an advisory" },
          { name: "broken.json", data: "{" },
        ],
        { deflate },
      );
      const { advisories, skipped } = parseOsvZip(zip);
      expect(advisories.map((a) => `${a.id} ${a.package.ecosystem}/${a.package.name}`)).toEqual([
        "GHSA-qs7x-0000-fixt pypi/quayfixture",
        "GEM-1 gem/rack",
      ]);
      expect(skipped.map((s) => s.id)).toEqual(["GHSA-qs7x-0000-fixt", "broken.json"]);
    }
  });
});

describe("osvEcosystem", () => {
  it.each([
    ["PyPI", { ecosystem: "pypi" }],
    ["npm", { ecosystem: "npm" }],
    ["Maven", { ecosystem: "maven" }],
    ["RubyGems", { ecosystem: "gem" }],
    ["Debian:11", { ecosystem: "dpkg", distribution: { id: "debian", release: "11" } }],
    ["Ubuntu:20.04:LTS", { ecosystem: "dpkg", distribution: { id: "ubuntu", release: "20.04" } }],
    ["Alpine:v3.18", { ecosystem: "apk", distribution: { id: "alpine", release: "3.18" } }],
    ["Rocky Linux:9", { ecosystem: "rpm", distribution: { id: "rocky", release: "9" } }],
    ["AlmaLinux:8", { ecosystem: "rpm", distribution: { id: "almalinux", release: "8" } }],
    ["crates.io", undefined],
    ["Debian", undefined],
  ])("%s", (name, expected) => {
    expect(osvEcosystem(name)).toEqual(expected);
  });
});

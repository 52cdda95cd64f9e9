import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { matchAffected } from "../versions/index.ts";
import { AdvisoryFormatError } from "./advisory.ts";
import { parseAlpineSecdb } from "./alpine-secdb.ts";

const fixture = readFileSync(new URL("../fixtures/advisories/alpine-secdb-v3.18-main.json", import.meta.url), "utf8");

describe("parseAlpineSecdb", () => {
  it("gives one advisory per fixed vulnerability, scoped to the release, severity Unknown", () => {
    const { advisories, skipped } = parseAlpineSecdb(fixture);
    expect(skipped).toEqual([]);
    expect(advisories.map((a) => [a.id, a.aliases, a.package.name, a.ranges[0]!.events])).toEqual([
      ["CVE-2023-90010", [], "openssl", [{ introduced: "0" }, { fixed: "3.1.4-r0" }]],
      ["CVE-2023-90011", [], "openssl", [{ introduced: "0" }, { fixed: "3.1.2-r0" }]],
      ["CVE-2023-90012", ["GHSA-aaaa-bbbb-cccc"], "openssl", [{ introduced: "0" }, { fixed: "3.1.2-r0" }]],
      ["CVE-2022-90014", [], "busybox", [{ introduced: "0" }, { fixed: "1.36.1-r1" }]],
    ]);
    expect(advisories[0]).toMatchObject({
      source: "alpine-secdb",
      severity: "Unknown",
      link: "https://security.alpinelinux.org/vuln/CVE-2023-90010",
      package: { ecosystem: "apk", distribution: { id: "alpine", release: "3.18" } },
      versions: [],
    });
    // Installed versions below the fix are affected, with apk's ordering.
    expect(matchAffected("apk", "3.1.4_rc1-r0", advisories[0]!)).toEqual({ fixed: "3.1.4-r0" });
    expect(matchAffected("apk", "3.1.4-r0", advisories[0]!)).toBeUndefined();
  });

  it("gives no advisory for a vulnerability fixed in version 0 (never affected)", () => {
    expect(parseAlpineSecdb(fixture).advisories.some((a) => a.id === "CVE-2022-90013")).toBe(false);
  });

  it("refuses JSON of another shape", () => {
    expect(() => parseAlpineSecdb('{"packages": []}')).toThrow(AdvisoryFormatError);
    expect(() => parseAlpineSecdb("[")).toThrow(AdvisoryFormatError);
  });
});

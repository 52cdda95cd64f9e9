import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { matchAffected } from "../versions/index.ts";
import { AdvisoryFormatError } from "./advisory.ts";
import { parseDebianTracker } from "./debian-tracker.ts";

const fixture = readFileSync(new URL("../fixtures/advisories/debian-tracker.json", import.meta.url), "utf8");

describe("parseDebianTracker", () => {
  it("gives one advisory per affected release, with the fix and the urgency normalized", () => {
    const { advisories } = parseDebianTracker(fixture);
    expect(advisories.map((a) => [a.id, a.package.name, a.package.distribution?.release, a.severity, a.ranges[0]!.events])).toEqual([
      ["CVE-2024-90020", "openssl", "bookworm", "High", [{ introduced: "0" }, { fixed: "3.0.13-1~deb12u1" }]],
      ["CVE-2024-90020", "openssl", "bullseye", "Low", [{ introduced: "0" }]],
      ["CVE-2024-90020", "openssl", "sid", "Unknown", [{ introduced: "0" }, { fixed: "3.1.4-1" }]],
      ["TEMP-0000001-FIXTURE", "zlib", "bookworm", "Critical", [{ introduced: "0" }]],
    ]);
    expect(advisories[0]).toMatchObject({
      source: "debian-tracker",
      description: "Fixture: made-up flaw in openssl",
      link: "https://security-tracker.debian.org/tracker/CVE-2024-90020",
      package: { ecosystem: "dpkg", distribution: { id: "debian" } },
    });
    // dpkg's ordering: the tilde backport below the fix is still affected.
    expect(matchAffected("dpkg", "3.0.11-1~deb12u2", advisories[0]!)).toEqual({ fixed: "3.0.13-1~deb12u1" });
    expect(matchAffected("dpkg", "3.0.13-1~deb12u1", advisories[0]!)).toBeUndefined();
    // Open: every version is affected, nothing fixes it yet.
    expect(matchAffected("dpkg", "1.1.1w-0+deb11u1", advisories[1]!)).toEqual({});
  });

  it("leaves out releases never affected (fixed in 0) and reports malformed entries", () => {
    const { advisories, skipped } = parseDebianTracker(fixture);
    expect(advisories.some((a) => a.package.distribution?.release === "buster")).toBe(false);
    expect(skipped).toEqual([{ id: "CVE-2024-90021", reason: "malformed entry for zlib" }]);
  });

  it("refuses JSON of another shape", () => {
    expect(() => parseDebianTracker("[]")).toThrow(AdvisoryFormatError);
    expect(() => parseDebianTracker("nope")).toThrow(AdvisoryFormatError);
  });
});

import { describe, expect, it } from "vitest";
import { compareVersions, matchAffected, matchRange, type VersionRange } from "./index.ts";

describe("compareVersions", () => {
  it("uses each ecosystem's own ordering", () => {
    expect(compareVersions("dpkg", "1.0~rc1", "1.0")).toBe(-1);
    expect(compareVersions("rpm", "1.0~rc1", "1.0")).toBe(-1);
    expect(compareVersions("apk", "1.0_rc1-r0", "1.0-r0")).toBe(-1);
    expect(compareVersions("pypi", "1.0rc1", "1.0")).toBe(-1);
    expect(compareVersions("npm", "1.0.0-rc.1", "1.0.0")).toBe(-1);
    expect(compareVersions("go", "v1.0.0-rc.1", "1.0.0")).toBe(-1);
    expect(compareVersions("maven", "1.0-RC1", "1.0")).toBe(-1);
    expect(compareVersions("gem", "1.0.rc1", "1.0")).toBe(-1);
    // The same two strings order differently by ecosystem: 1.0a is a pre-release in PyPI, later in dpkg.
    expect(compareVersions("pypi", "1.0a", "1.0")).toBe(-1);
    expect(compareVersions("dpkg", "1.0a", "1.0")).toBe(1);
    expect(compareVersions("maven", "1.0", "1")).toBe(0);
  });
});

const range = (type: VersionRange["type"], ...events: VersionRange["events"]): VersionRange => ({ type, events });

describe("matchRange (OSV events)", () => {
  it("holds versions from introduced up to fixed, and names the fix", () => {
    const r = range("ECOSYSTEM", { introduced: "1.2.0" }, { fixed: "1.2.5" });
    expect(matchRange("pypi", "1.1.9", r)).toBeUndefined();
    expect(matchRange("pypi", "1.2.0", r)).toEqual({ fixed: "1.2.5" });
    expect(matchRange("pypi", "1.2.5rc1", r)).toEqual({ fixed: "1.2.5" });
    expect(matchRange("pypi", "1.2.5", r)).toBeUndefined();
    expect(matchRange("pypi", "1.3", r)).toBeUndefined();
  });

  it("reads introduced 0 as from the first version, and events in any order", () => {
    const r = range("ECOSYSTEM", { fixed: "2.0.0" }, { introduced: "0" });
    expect(matchRange("npm", "0.0.1", r)).toEqual({ fixed: "2.0.0" });
    expect(matchRange("npm", "2.0.0", r)).toBeUndefined();
  });

  it("handles several introduced/fixed pairs (a regression reintroduced)", () => {
    const r = range(
      "ECOSYSTEM",
      { introduced: "0" },
      { fixed: "1.0.5" },
      { introduced: "1.1.0" },
      { fixed: "1.1.3" },
      { introduced: "2.0.0" },
    );
    expect(matchRange("gem", "1.0.4", r)).toEqual({ fixed: "1.0.5" });
    expect(matchRange("gem", "1.0.7", r)).toBeUndefined();
    expect(matchRange("gem", "1.1.2", r)).toEqual({ fixed: "1.1.3" });
    expect(matchRange("gem", "1.1.3", r)).toBeUndefined();
    // Affected and nothing fixes it yet.
    expect(matchRange("gem", "2.5", r)).toEqual({});
  });

  it("stops after last_affected (inclusive) and at a limit", () => {
    const last = range("ECOSYSTEM", { introduced: "1.0" }, { last_affected: "1.4" });
    expect(matchRange("maven", "1.4", last)).toEqual({});
    expect(matchRange("maven", "1.4.1", last)).toBeUndefined();
    const limited = range("ECOSYSTEM", { introduced: "0" }, { limit: "3.0" });
    expect(matchRange("maven", "2.9", limited)).toEqual({});
    expect(matchRange("maven", "3.0", limited)).toBeUndefined();
  });

  it("uses the distribution's ordering for distro packages (epochs, tildes)", () => {
    const r = range("ECOSYSTEM", { introduced: "0" }, { fixed: "1:2.3-1" });
    expect(matchRange("dpkg", "2.9-1", r)).toEqual({ fixed: "1:2.3-1" });
    expect(matchRange("dpkg", "1:2.3-1~deb12u1", r)).toEqual({ fixed: "1:2.3-1" });
    expect(matchRange("dpkg", "1:2.3-1", r)).toBeUndefined();
  });

  it("uses Semantic Versioning for SEMVER ranges whatever the ecosystem", () => {
    const r = range("SEMVER", { introduced: "0" }, { fixed: "1.2.3" });
    expect(matchRange("go", "v1.2.3-0.20220101000000-abcdefabcdef", r)).toEqual({ fixed: "1.2.3" });
    expect(matchRange("go", "v1.2.3", r)).toBeUndefined();
  });
});

describe("matchAffected", () => {
  it("matches any range or an explicitly listed version", () => {
    const affected = {
      ranges: [range("ECOSYSTEM", { introduced: "2.0" }, { fixed: "2.1" })],
      versions: ["1.5.0"],
    };
    expect(matchAffected("pypi", "2.0.1", affected)).toEqual({ fixed: "2.1" });
    expect(matchAffected("pypi", "1.5", affected)).toEqual({});
    expect(matchAffected("pypi", "1.6", affected)).toBeUndefined();
  });
});

import { describe, expect, it } from "vitest";
import { appliesToDistribution } from "./advisory.ts";

describe("appliesToDistribution", () => {
  const bookworm = { id: "debian", versionId: "12", versionCodename: "bookworm" };
  const alpine = { id: "alpine", versionId: "3.18.4" };

  it("matches the release by version id, major.minor or codename", () => {
    expect(appliesToDistribution({ id: "debian", release: "12" }, bookworm)).toBe(true);
    expect(appliesToDistribution({ id: "debian", release: "bookworm" }, bookworm)).toBe(true);
    expect(appliesToDistribution({ id: "alpine", release: "3.18" }, alpine)).toBe(true);
  });

  it("does not match another distribution or release", () => {
    expect(appliesToDistribution({ id: "debian", release: "bullseye" }, bookworm)).toBe(false);
    expect(appliesToDistribution({ id: "ubuntu", release: "12" }, bookworm)).toBe(false);
    expect(appliesToDistribution({ id: "alpine", release: "3.1" }, alpine)).toBe(false);
    expect(appliesToDistribution({ id: "debian", release: "12" }, undefined)).toBe(false);
  });

  it("applies language advisories everywhere", () => {
    expect(appliesToDistribution(undefined, bookworm)).toBe(true);
    expect(appliesToDistribution(undefined, undefined)).toBe(true);
  });
});

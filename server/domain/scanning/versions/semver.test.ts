import { describe, it } from "vitest";
import { expectAscending, expectEqual } from "../fixtures/ordering.ts";
import { compareSemver } from "./semver.ts";

describe("semantic version ordering", () => {
  it("orders pre-releases by their identifiers, before the release", () => {
    expectAscending(compareSemver, [
      "1.0.0-alpha",
      "1.0.0-alpha.1",
      "1.0.0-alpha.beta",
      "1.0.0-beta",
      "1.0.0-beta.2",
      "1.0.0-beta.11",
      "1.0.0-rc.1",
      "1.0.0",
      "1.0.1",
      "1.2.0",
      "1.10.0",
      "2.0.0-0",
      "2.0.0",
      "10.0.0",
      "99999999999999999999.0.0",
    ]);
  });

  it("ignores build metadata, a leading v and missing minor or patch", () => {
    expectEqual(compareSemver, [
      ["1.0.0", "v1.0.0", "=1.0.0", "1.0.0+build.5", "1.0", "1"],
      ["1.0.0-rc.1+sha.abc", "1.0.0-rc.1"],
    ]);
  });

  it("sorts text that is no version below every version", () => {
    expectAscending(compareSemver, ["latest", "0.0.0-0"]);
  });
});

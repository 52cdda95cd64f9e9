import { describe, it } from "vitest";
import { expectAscending, expectEqual } from "../fixtures/ordering.ts";
import { compareMaven } from "./maven.ts";

describe("Maven version ordering", () => {
  it("orders qualifiers alpha < beta < milestone < rc < snapshot < release < sp < unknown", () => {
    expectAscending(compareMaven, [
      "1-alpha1",
      "1-alpha2",
      "1-alpha-10",
      "1-beta1",
      "1-beta-2",
      "1-milestone1",
      "1-m2",
      "1-rc1",
      "1-cr2",
      "1-SNAPSHOT",
      "1",
      "1-sp",
      "1-sp1",
      "1-abc",
      "1-xyz",
      "1-1",
      "1.1",
    ]);
  });

  it("orders numbers by value, above qualifiers", () => {
    expectAscending(compareMaven, [
      "2.0",
      "2.0.1",
      "2.0.10",
      "2.1-alpha1",
      "2.1",
      "2.1-1",
      "2.1.0.1",
      "2.2",
      "2.10",
      "10",
      "100000000000000000000",
    ]);
    expectAscending(compareMaven, ["5.3.0.M1", "5.3.0.RC1", "5.3.0.RELEASE", "5.3.0.SP1", "5.3.1"]);
  });

  it("ignores trailing zeros and release qualifiers, and reads a, b, m before a digit as alpha, beta, milestone", () => {
    expectEqual(compareMaven, [
      ["1", "1.0", "1.0.0", "1-0", "1.0-0", "1-ga", "1-final", "1.0.RELEASE", "1-GA"],
      ["1a1", "1-alpha-1", "1.0-alpha1", "1-ALPHA1", "1alpha1"],
      ["1b2", "1-beta-2"],
      ["1m3", "1-milestone-3"],
      ["1cr1", "1-rc1", "1RC1"],
      ["2.0.0.Final", "2"],
    ]);
  });
});

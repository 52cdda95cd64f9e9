import { describe, it } from "vitest";
import { expectAscending, expectEqual } from "../fixtures/ordering.ts";
import { compareApk } from "./apk.ts";

describe("apk version ordering", () => {
  it("orders pre-release suffixes before, post-release ones after, the release", () => {
    expectAscending(compareApk, [
      "1.2_alpha",
      "1.2_alpha1",
      "1.2_alpha2",
      "1.2_beta1",
      "1.2_pre1",
      "1.2_rc1",
      "1.2_rc2",
      "1.2",
      "1.2-r1",
      "1.2-r2",
      "1.2-r10",
      "1.2_cvs1",
      "1.2_svn1",
      "1.2_git20230101",
      "1.2_hg1",
      "1.2_p1",
      "1.2_p2",
      "1.2_p2-r1",
    ]);
    // Alpine's packages always carry a revision, which keeps x.0_rc before x.0 (see below for the bare case).
    expectAscending(compareApk, ["1.0_alpha1-r0", "1.0_rc1-r0", "1.0-r0", "1.0_p1-r0"]);
  });

  it("orders numbers by value, a letter after them, and longer versions after shorter", () => {
    expectAscending(compareApk, ["1", "1.0", "1.01", "1.1", "1.1a", "1.1b", "1.1.1", "1.2", "1.9", "1.10", "2.1_rc1", "2.1"]);
    expectAscending(compareApk, ["3.0.8-r0", "3.0.8-r1", "3.0.9-r0", "3.0.10-r0", "3.1.0_alpha1-r0", "3.1.0-r0", "3.1.4-r0"]);
  });

  it("treats a component with leading zeros as minus their count, as apk-tools 2 does", () => {
    expectAscending(compareApk, ["1.001", "1.0", "1.01", "1.1"]);
    // apk's quirk, kept so matches agree with apk: after a bare ".0", a suffix reads as a longer version.
    expectAscending(compareApk, ["1.0", "1.0_rc1"]);
  });

  it("holds identical versions equal", () => {
    expectEqual(compareApk, [["1.2.3-r4"], ["20230101"], ["1.0_rc1"]]);
  });
});

import { describe, expect, it } from "vitest";
import { expectAscending, expectEqual } from "../fixtures/ordering.ts";
import { compareRpm, parseEvr, rpmvercmp } from "./rpm.ts";

describe("rpm version ordering", () => {
  it("compares alphanumeric runs in turn, numbers newer than letters, tilde first, caret after the version", () => {
    expectAscending(rpmvercmp, [
      "1.0~~",
      "1.0~rc1",
      "1.0~rc2",
      "1.0",
      "1.0^",
      "1.0^git1",
      "1.0^git2",
      "1.0a",
      "1.0b",
      "1.0.1",
      "1.01.2",
      "1.2",
      "1.10",
      "1.100000000000000000000",
    ]);
    expectAscending(rpmvercmp, ["1.el8", "1.el8_2", "1.el8_10", "2.el8", "2.fc38"]);
    // A numeric run is newer than an alphabetic one at the same place.
    expectAscending(rpmvercmp, ["1.a", "1.1"]);
  });

  it("ignores which separators stand between runs", () => {
    expectEqual(rpmvercmp, [["1.0", "1_0", "1+0", "1..0"], ["2.0.1", "2.0-1".replace("-", ".")]]);
  });

  it("compares epoch, then version, then release; a missing release sorts first", () => {
    expectAscending(compareRpm, [
      "3.0.7-27.el9",
      "3.0.7-27.el9_3",
      "3.0.7-28.el9",
      "3.0.8-1.el9",
      "1:1.0-1.el9",
      "1:1.0-2.el9",
      "2:0.1-1",
    ]);
    expectAscending(compareRpm, ["1.2", "1.2-0", "1.2-1"]);
    expectEqual(compareRpm, [["0:1.2-3", "1.2-3", "00:1.2-3"]]);
  });

  it("splits epoch at the first colon and release at the last hyphen", () => {
    expect(parseEvr("1:2.3-4.el9")).toEqual({ epoch: "1", version: "2.3", release: "4.el9" });
    expect(parseEvr("2.3")).toEqual({ epoch: "0", version: "2.3", release: undefined });
  });
});

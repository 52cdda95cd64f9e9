import { describe, expect, it } from "vitest";
import { expectAscending, expectEqual } from "../fixtures/ordering.ts";
import { compareDpkg, parseDpkgVersion } from "./dpkg.ts";

describe("dpkg version ordering", () => {
  it("orders tildes before everything, letters before other symbols, numbers by value", () => {
    expectAscending(compareDpkg, [
      "1.0~~",
      "1.0~~a",
      "1.0~",
      "1.0~rc1",
      "1.0~rc2",
      "1.0",
      "1.0-1",
      "1.0-1ubuntu0.1",
      "1.0-1ubuntu1",
      "1.0-1+deb12u1",
      "1.0-2",
      "1.0-10",
      "1.0a",
      "1.0a+b",
      "1.0+dfsg",
      "1.0.1",
      "1.1",
      "1.9",
      "1.10",
      "1.100000000000000000001",
    ]);
  });

  it("compares the epoch first, then upstream, then revision", () => {
    expectAscending(compareDpkg, ["9.9-9", "1:0.1-1", "1:0.1-2", "1:1.0-1", "2:0.0.1"]);
  });

  it("holds a missing epoch as 0 and a missing revision as equal to -0", () => {
    expectEqual(compareDpkg, [
      ["1.2.3", "0:1.2.3", "1.2.3-0", "0:1.2.3-0"],
      ["1.02", "1.2"],
    ]);
  });

  it("splits at the first colon and the last hyphen", () => {
    expect(parseDpkgVersion("2:1.2-3-4")).toEqual({ epoch: "2", upstream: "1.2-3", revision: "4" });
    expect(parseDpkgVersion("1.2:3")).toEqual({ epoch: "0", upstream: "1.2:3", revision: "" });
  });
});

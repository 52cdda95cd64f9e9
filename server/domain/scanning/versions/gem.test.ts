import { describe, it } from "vitest";
import { expectAscending, expectEqual } from "../fixtures/ordering.ts";
import { compareGem } from "./gem.ts";

describe("RubyGems version ordering", () => {
  it("orders pre-releases (any letter) before the release, numbers by value", () => {
    expectAscending(compareGem, [
      "0.9",
      "1.0.a",
      "1.0.a.2",
      "1.0.b1",
      "1.0.pre",
      "1.0.rc1",
      "1.0",
      "1.0.1",
      "1.1",
      "1.9",
      "1.10",
      "1.10.0.1",
      "2",
    ]);
  });

  it("drops trailing zeros and reads - as .pre.", () => {
    expectEqual(compareGem, [
      ["1", "1.0", "1.0.0"],
      ["1.0.a", "1.a", "1.0.0.a"],
      ["1.0-1", "1.0.pre.1"],
    ]);
  });

  it("sorts text that is no gem version below every version", () => {
    expectAscending(compareGem, ["junk", "0.0.1"]);
  });
});

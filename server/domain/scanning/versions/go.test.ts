import { describe, it } from "vitest";
import { expectAscending, expectEqual } from "../fixtures/ordering.ts";
import { compareGo } from "./go.ts";

describe("Go module version ordering", () => {
  it("orders pseudo-versions by time, before the release they precede", () => {
    expectAscending(compareGo, [
      "v0.0.0-20191109021931-daa7c04131f5",
      "v0.0.0-20200101000000-aaaaaaaaaaaa",
      "v0.1.0",
      "v1.2.3-pre",
      "v1.2.3-pre.0.20220101000000-abcdefabcdef",
      "v1.2.3",
      "v1.2.4-0.20220101000000-abcdefabcdef",
      "v1.2.4",
      "v2.0.0+incompatible",
      "v2.1.0",
    ]);
  });

  it("reads versions with or without v, ignoring +incompatible", () => {
    expectEqual(compareGo, [
      ["v1.2.3", "1.2.3"],
      ["v2.0.0+incompatible", "v2.0.0", "2.0.0"],
    ]);
  });

  it("reads Go toolchain versions", () => {
    expectAscending(compareGo, ["go1.20.14", "go1.21beta1", "go1.21rc2", "go1.21.0", "1.21.1", "go1.21.10", "go1.22.0"]);
  });
});

import { describe, expect, it } from "vitest";
import { expectAscending, expectEqual } from "../fixtures/ordering.ts";
import { comparePep440, parsePep440 } from "./pep440.ts";

describe("PEP 440 version ordering", () => {
  it("orders dev, pre, release, post and local versions", () => {
    expectAscending(comparePep440, [
      "1.0.dev0",
      "1.0.dev456",
      "1.0a1.dev1",
      "1.0a1",
      "1.0a2",
      "1.0a12.dev456",
      "1.0a12",
      "1.0b1.dev456",
      "1.0b2",
      "1.0b2.post345.dev456",
      "1.0b2.post345",
      "1.0rc1.dev456",
      "1.0rc1",
      "1.0",
      "1.0+abc.5",
      "1.0+abc.7",
      "1.0+5",
      "1.0.post456.dev34",
      "1.0.post456",
      "1.0.1",
      "1.1.dev1",
      "1.1",
      "1.10",
      "1!0.1",
    ]);
  });

  it("orders local segments: numbers above words, longer after shorter", () => {
    expectAscending(comparePep440, ["1.0+abc", "1.0+abc.1", "1.0+1", "1.0+1.a", "1.0+2", "1.0+10"]);
  });

  it("reads PEP 440's alternative spellings as their normal forms", () => {
    expectEqual(comparePep440, [
      ["1.0", "1", "1.0.0", "v1.0", "V1.0.0", "0!1.0"],
      ["1.0a1", "1.0alpha1", "1.0-a1", "1.0.a.1", "1.0A1"],
      ["1.0b0", "1.0beta", "1.0-b"],
      ["1.0rc1", "1.0c1", "1.0pre1", "1.0preview1", "1.0-rc-1"],
      ["1.0.post1", "1.0-1", "1.0post1", "1.0.rev1", "1.0r1", "1.0-post-1"],
      ["1.0.post0", "1.0.post", "1.0-r"],
      ["1.0.dev0", "1.0dev", "1.0-dev0"],
      ["1.0+ubuntu-1", "1.0+ubuntu_1", "1.0+UBUNTU.1"],
    ]);
  });

  it("sorts text that is no PEP 440 version below every version", () => {
    expect(parsePep440("1.0-beta-x")).toBeUndefined();
    expectAscending(comparePep440, ["french toast", "0.0.0a0"]);
  });
});

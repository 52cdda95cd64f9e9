import { describe, expect, it } from "vitest";
import { globPattern, matchingTags, parseGlobList } from "./tag-globs.ts";

describe("tag globs (fnmatch)", () => {
  it("matches whole tags with *, ?, sets and negated sets", () => {
    const tags = ["1-alpha", "1-beta", "10", "latest", "v1.2", "v1.10", "2-alpha", "x.y"];
    expect(matchingTags(tags, ["1-*"])).toEqual(["1-alpha", "1-beta"]);
    expect(matchingTags(tags, ["latest", "v?.*"])).toEqual(["latest", "v1.2", "v1.10"]);
    expect(matchingTags(tags, ["[12]-*"])).toEqual(["1-alpha", "1-beta", "2-alpha"]);
    expect(matchingTags(tags, ["[!1]-alpha"])).toEqual(["2-alpha"]);
    expect(matchingTags(tags, ["x.y"])).toEqual(["x.y"]);
    expect(matchingTags(["xzy"], ["x.y"])).toEqual([]);
    expect(globPattern("[]a]").test("]")).toBe(true);
    expect(globPattern("a[").test("a[")).toBe(true);
  });

  it("reads Quay's comma-separated list", () => {
    expect(parseGlobList(" 1-*, latest ,, v?.*")).toEqual(["1-*", "latest", "v?.*"]);
  });
});

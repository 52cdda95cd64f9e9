import { expect, it } from "vitest";
import { ContentCache } from "./content-cache.ts";
import type { Repository } from "./repositories.ts";

const repo = (id: number) => ({ id, namespace: "ns", name: `r${id}` }) as Repository;

it("does not store what was read before an invalidation", () => {
  const cache = new ContentCache();
  const readAt = cache.version;
  cache.forgetContent(1);
  cache.rememberTagNames(1, ["a"], readAt);
  expect(cache.tagNames(1)).toBeUndefined();
  cache.rememberTagNames(1, ["a"], cache.version);
  expect(cache.tagNames(1)).toEqual(["a"]);
});

it("keeps the repository record when only its content changed", () => {
  const cache = new ContentCache();
  cache.rememberRepository("ns/r1", repo(1), cache.version);
  cache.rememberTagNames(1, ["a"], cache.version);
  cache.forgetContent(1);
  expect(cache.repository("ns/r1")).toEqual(repo(1));
  expect(cache.tagNames(1)).toBeUndefined();
  cache.forget(1);
  expect(cache.repository("ns/r1")).toBeUndefined();
});

it("holds a bounded number of tag names in all", () => {
  const cache = new ContentCache();
  const names = (n: number) => Array.from({ length: n }, (_, i) => `t${i}`);
  cache.rememberTagNames(1, names(200_000), cache.version);
  cache.rememberTagNames(2, names(50_000), cache.version);
  expect(cache.tagNames(1)).toHaveLength(200_000);
  // Over the budget: the lists held so far make room.
  cache.rememberTagNames(3, names(100_000), cache.version);
  expect(cache.tagNames(1)).toBeUndefined();
  expect(cache.tagNames(3)).toHaveLength(100_000);
  // Replacing a list counts only the new one.
  for (let i = 0; i < 5; i++) cache.rememberTagNames(3, names(100_000), cache.version);
  cache.rememberTagNames(4, names(150_000), cache.version);
  expect(cache.tagNames(3)).toHaveLength(100_000);
});

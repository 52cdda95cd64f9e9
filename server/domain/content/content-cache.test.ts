import { expect, it } from "vitest";
import { ContentCache } from "./content-cache.ts";
import type { StoredManifest } from "./manifests.ts";
import type { Repository } from "../repositories/repositories.ts";

const MiB = 1024 * 1024;

const repo = (id: number) => ({ id, namespace: "ns", name: `r${id}` }) as Repository;

it("does not store what was read before an invalidation", () => {
  const cache = new ContentCache(MiB);
  const readAt = cache.version;
  cache.forgetContent(1);
  cache.rememberTagNames(1, ["a"], readAt);
  expect(cache.tagNames(1)).toBeUndefined();
  cache.rememberTagNames(1, ["a"], cache.version);
  expect(cache.tagNames(1)).toEqual(["a"]);
});

it("keeps the repository record when only its content changed", () => {
  const cache = new ContentCache(MiB);
  cache.rememberRepository("ns/r1", repo(1), cache.version);
  cache.rememberTagNames(1, ["a"], cache.version);
  cache.forgetContent(1);
  expect(cache.repository("ns/r1")).toEqual(repo(1));
  expect(cache.tagNames(1)).toBeUndefined();
  cache.forget(1);
  expect(cache.repository("ns/r1")).toBeUndefined();
});

it("on `namespace:<id>` drops that namespace's records (and the roles held on them) and the catalogs only", () => {
  const cache = new ContentCache(MiB);
  const inNamespace = (id: number, namespaceId: number) => ({ ...repo(id), namespaceId }) as Repository;
  cache.rememberRepository("ns/r1", inNamespace(1, 7), cache.version);
  cache.rememberRepository("ns/r2", inNamespace(2, 8), cache.version);
  cache.rememberTagNames(2, ["a"], cache.version);
  cache.rememberCatalog("user:1", ["ns/r1"], cache.version);
  cache["onNotification"]("namespace:7"); // as a team or membership change of namespace 7 announces
  expect(cache.repository("ns/r1")).toBeUndefined();
  expect(cache.catalog("user:1")).toBeUndefined();
  expect(cache.repository("ns/r2")).toEqual(inNamespace(2, 8));
  expect(cache.tagNames(2)).toEqual(["a"]);
});

it("holds a bounded number of bytes of tag names in all", () => {
  const cache = new ContentCache(MiB);
  // 100-character names: ~132 bytes each, so the 16 MiB budget holds about 127 000.
  const names = (n: number) => Array.from({ length: n }, (_, i) => `t${i}`.padEnd(100, "."));
  cache.rememberTagNames(1, names(60_000), cache.version);
  cache.rememberTagNames(2, names(20_000), cache.version);
  expect(cache.tagNames(1)).toHaveLength(60_000);
  // Over the budget: the lists held so far make room.
  cache.rememberTagNames(3, names(60_000), cache.version);
  expect(cache.tagNames(1)).toBeUndefined();
  expect(cache.tagNames(3)).toHaveLength(60_000);
  // Replacing a list counts only the new one.
  for (let i = 0; i < 5; i++) cache.rememberTagNames(3, names(60_000), cache.version);
  cache.rememberTagNames(4, names(40_000), cache.version);
  expect(cache.tagNames(3)).toHaveLength(60_000);
  // One list over the whole budget is not kept: its pages come from the database.
  cache.rememberTagNames(5, names(130_000), cache.version);
  expect(cache.tagNames(5)).toBeNull();
  expect(cache.tagNames(3)).toHaveLength(60_000);
});

/** A stored manifest of about `size` bytes; `n` makes its digest. */
const manifestOf = (n: number, size: number): StoredManifest => ({
  id: n,
  digest: `sha256:${n.toString(16).padStart(64, "0")}`,
  mediaType: "application/vnd.oci.image.manifest.v1+json",
  raw: Buffer.alloc(size, n % 256),
  subjectDigest: null,
});

it("holds manifests within its byte budget, least recently used out", () => {
  const budget = 64 * MiB;
  const cache = new ContentCache(budget);
  const size = 4 * MiB - 1024;
  for (let n = 0; n < 150; n++) {
    const m = manifestOf(n, size);
    cache.rememberManifest(1 + (n % 3), `tag:t${n}`, m, cache.version);
    cache.rememberManifest(1 + (n % 3), m.digest, manifestOf(n, size), cache.version);
    expect(cache.manifestBytes).toBeLessThanOrEqual(budget);
    // Something is evicted once full; the older ones are gone by tag and by digest alike.
    if (n >= 20) {
      expect(cache.manifest(1 + ((n - 20) % 3), `tag:t${n - 20}`)).toBeUndefined();
      expect(cache.manifest(1 + ((n - 20) % 3), manifestOf(n - 20, 0).digest)).toBeUndefined();
    }
  }
  expect(cache.manifestBytes).toBeGreaterThan(budget - 2 * size);
  expect(cache.manifest(3, "tag:t149")?.raw.byteLength).toBe(size);
});

it("holds one copy of a manifest reached by tag and by digest, counted once", () => {
  const cache = new ContentCache(64 * MiB);
  const m = manifestOf(1, MiB);
  cache.rememberManifest(1, "tag:latest", m, cache.version);
  const once = cache.manifestBytes;
  expect(once).toBeGreaterThan(MiB);
  expect(once).toBeLessThan(MiB + 1024);
  // Fetched by tag: its digest answers too, from the same bytes.
  expect(cache.manifest(1, m.digest)).toBe(m);
  // A second read (a fresh copy of the same bytes) by digest or by another tag adds no body.
  cache.rememberManifest(1, m.digest, manifestOf(1, MiB), cache.version);
  cache.rememberManifest(1, "tag:v1", manifestOf(1, MiB), cache.version);
  expect(cache.manifest(1, "tag:v1")).toBe(m);
  expect(cache.manifestBytes).toBeLessThan(once + 200);
  cache.forgetContent(1);
  expect(cache.manifestBytes).toBe(0);
  expect(cache.manifest(1, "tag:latest")).toBeUndefined();
});

it("keeps the most recently used manifests and drops every reference to an evicted one", () => {
  const cache = new ContentCache(8 * MiB);
  const [a, b, c] = [manifestOf(1, MiB - 2048), manifestOf(2, MiB - 2048), manifestOf(3, MiB - 2048)];
  for (const m of [a, b]) cache.rememberManifest(1, `tag:${m.id}`, m, cache.version);
  for (let n = 10; n < 16; n++) cache.rememberManifest(2, `tag:${n}`, manifestOf(n, MiB - 2048), cache.version);
  expect(cache.manifest(1, "tag:1")).toBe(a); // a is now the most recently used
  cache.rememberManifest(1, "tag:3", c, cache.version); // 9 manifests of ~1 MiB do not fit: b goes
  expect(cache.manifest(1, "tag:2")).toBeUndefined();
  expect(cache.manifest(1, b.digest)).toBeUndefined();
  expect(cache.manifest(1, "tag:1")).toBe(a);
  expect(cache.manifest(1, a.digest)).toBe(a);
  expect(cache.manifest(1, "tag:3")).toBe(c);
  expect(cache.manifestBytes).toBeLessThanOrEqual(8 * MiB);
});

it("does not hold a manifest larger than an eighth of the budget", () => {
  const cache = new ContentCache(8 * MiB);
  cache.rememberManifest(1, "tag:big", manifestOf(1, MiB + 1), cache.version);
  expect(cache.manifest(1, "tag:big")).toBeUndefined();
  expect(cache.manifestBytes).toBe(0);
});

it("follows a tag that moved to another manifest", () => {
  const cache = new ContentCache(8 * MiB);
  const [a, b] = [manifestOf(1, 100), manifestOf(2, 100)];
  cache.rememberManifest(1, "tag:latest", a, cache.version);
  const one = cache.manifestBytes;
  cache.rememberManifest(1, "tag:latest", b, cache.version);
  expect(cache.manifest(1, "tag:latest")).toBe(b);
  expect(cache.manifest(1, a.digest)).toBe(a);
  expect(cache.manifestBytes).toBe(2 * one - "tag:latest".length - 64);
});

it("drops a repository's tags and manifests once the first expiry behind them has passed", () => {
  const cache = new ContentCache(MiB);
  const m = manifestOf(1, 100);
  cache.rememberTagNames(1, ["a", "b"], cache.version, new Date(2000));
  cache.rememberManifest(1, "tag:a", m, cache.version, new Date(1000));
  cache.rememberTagNames(2, ["c"], cache.version, null);
  cache.dropExpired(1, new Date(999));
  expect(cache.manifest(1, "tag:a")).toBe(m);
  expect(cache.tagNames(1)).toEqual(["a", "b"]);
  cache.dropExpired(1, new Date(1000)); // the earliest of the two expiries
  expect(cache.manifest(1, "tag:a")).toBeUndefined();
  expect(cache.manifest(1, m.digest)).toBeUndefined();
  expect(cache.tagNames(1)).toBeUndefined();
  // Another repository, with no expiry, is kept; a fresh read after the drop starts clean.
  cache.dropExpired(2, new Date(Number.MAX_SAFE_INTEGER));
  expect(cache.tagNames(2)).toEqual(["c"]);
  cache.rememberTagNames(1, ["b"], cache.version, null);
  cache.dropExpired(1, new Date(5000));
  expect(cache.tagNames(1)).toEqual(["b"]);
});

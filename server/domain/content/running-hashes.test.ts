import { createHash } from "node:crypto";
import { expect, it } from "vitest";
import { RunningHashes } from "./running-hashes.ts";

const HOUR = 3600_000;

it("hands out copies, so extending one leaves the kept hash as it was", () => {
  const hashes = new RunningHashes({ maxEntries: 10, maxIdleMs: HOUR });
  hashes.store("a", createHash("sha256").update("abc"), 3, 0);
  hashes.copyAt("a", 3, 0)!.update("def");
  expect(hashes.copyAt("a", 3, 0)!.digest("hex")).toBe(createHash("sha256").update("abc").digest("hex"));
  expect(hashes.copyAt("a", 4, 0)).toBeUndefined(); // another offset: the caller re-reads the bytes
});

it("drops entries idle longer than a session may live whenever another is stored", () => {
  const hashes = new RunningHashes({ maxEntries: 10, maxIdleMs: HOUR });
  hashes.store("old", createHash("sha256"), 0, 0);
  hashes.store("used", createHash("sha256"), 0, 0);
  hashes.copyAt("used", 0, HOUR / 2);
  hashes.store("new", createHash("sha256"), 0, HOUR + 1);
  expect(hashes.copyAt("old", 0, HOUR + 1)).toBeUndefined();
  expect(hashes.copyAt("used", 0, HOUR + 1)).toBeDefined();
  expect(hashes.size).toBe(2);
});

it("keeps at most maxEntries, dropping the least recently used", () => {
  const hashes = new RunningHashes({ maxEntries: 3, maxIdleMs: HOUR });
  for (const id of ["a", "b", "c"]) hashes.store(id, createHash("sha256"), 0, 0);
  hashes.copyAt("a", 0, 1);
  hashes.store("d", createHash("sha256"), 0, 2);
  expect(hashes.size).toBe(3);
  expect(hashes.copyAt("b", 0, 3)).toBeUndefined();
  for (const id of ["a", "c", "d"]) expect(hashes.copyAt(id, 0, 3)).toBeDefined();
});

import { scryptSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { HashWorkers } from "./hash-workers.ts";

describe("HashWorkers", () => {
  it("derives what scrypt derives in this thread, and reports scrypt's errors", async () => {
    const workers = new HashWorkers(1);
    const salt = Buffer.from("0123456789abcdef");
    const key = await workers.derive({ password: "pw", salt, n: 1024, r: 8, p: 1, keyLength: 32 });
    expect(key.equals(scryptSync("pw", salt, 32, { N: 1024, r: 8, p: 1 }))).toBe(true);
    await expect(workers.derive({ password: "pw", salt, n: 1000, r: 8, p: 1, keyLength: 32 })).rejects.toThrow();
    // The worker survived the failed job.
    expect((await workers.derive({ password: "pw", salt, n: 1024, r: 8, p: 1, keyLength: 32 })).equals(key)).toBe(true);
  });
});

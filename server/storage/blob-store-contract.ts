// What every BlobStore promises, as tests that each store's own test file runs against a fresh
// store of its kind (see fs-blob-store.test.ts, s3-blob-store.test.ts).
import { createHash, randomBytes } from "node:crypto";
import { expect, it } from "vitest";
import type { BlobStore } from "./blob-store.ts";

const id = "00000000-0000-4000-8000-000000000001";
const MiB = 1024 * 1024;

async function* bytes(data: string | Buffer) {
  yield typeof data === "string" ? new TextEncoder().encode(data) : new Uint8Array(data);
}
const digestOf = (data: string | Buffer) => `sha256:${createHash("sha256").update(data).digest("hex")}`;

async function collect(source: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const read: Buffer[] = [];
  for await (const chunk of source) read.push(Buffer.from(chunk));
  return Buffer.concat(read);
}

/** Registers the contract's tests; `store()` is the fresh store of the test running. */
export function blobStoreContract(store: () => BlobStore): void {
  const blobText = async (digest: string) => (await collect(await store().read(digest))).toString();

  async function append(offset: number, data: string | Buffer) {
    const part = await store().writePart(id, offset, bytes(data), () => {});
    await store().appendPart(id, part);
    await store().releasePart(id, part); // as the caller does, appended or not
  }

  it("commits only the recorded bytes, dropping what an unrecorded append left", async () => {
    await append(0, "recorded");
    await append(8, " but never recorded"); // as if the process died before the row moved
    await store().commitUpload(id, 8, digestOf("recorded"));
    expect(await blobText(digestOf("recorded"))).toBe("recorded");
  });

  it("after a commit whose row never made it, appending to the session leaves the blob alone", async () => {
    await append(0, "abc");
    await store().commitUpload(id, 3, digestOf("abc"));
    await append(3, "def");
    expect(await blobText(digestOf("abc"))).toBe("abc");
    expect((await collect(store().readUpload(id, 6))).toString()).toBe("abcdef");
  });

  it("a commit replaces a damaged copy of the same blob", async () => {
    const digest = digestOf("good bytes");
    await append(0, "damaged");
    await store().commitUpload(id, 7, digest);
    await store().deleteUpload(id);
    await append(0, "good bytes");
    await store().commitUpload(id, 10, digest);
    expect(await blobText(digest)).toBe("good bytes");
  });

  it("a part released instead of appended leaves the session's bytes as they were", async () => {
    await append(0, "kept ");
    const dropped = await store().writePart(id, 5, bytes("dropped"), () => {});
    await store().releasePart(id, dropped);
    await append(5, "and more");
    expect((await collect(store().readUpload(id, 13))).toString()).toBe("kept and more");
  });

  it("chunks under and over 5 MiB in any order make one blob; each chunk is reported as written", async () => {
    const sizes = [3 * MiB, 1, 2 * MiB, 11 * MiB, 6 * MiB, 100];
    const data = randomBytes(sizes.reduce((a, b) => a + b));
    let offset = 0;
    let reported = 0;
    for (const size of sizes) {
      const part = await store().writePart(id, offset, bytes(data.subarray(offset, offset + size)), (c) => {
        reported += c.byteLength;
      });
      expect(part.size).toBe(size);
      await store().appendPart(id, part);
      await store().releasePart(id, part);
      offset += size;
      expect(reported).toBe(offset);
    }
    expect((await collect(store().readUpload(id, data.length))).equals(data)).toBe(true);
    const digest = digestOf(data);
    await store().commitUpload(id, data.length, digest);
    await store().deleteUpload(id);
    expect(await store().stat(digest)).toBe(data.length);
    expect((await collect(await store().read(digest))).equals(data)).toBe(true);
    const range = { start: 5 * MiB - 10, end: 9 * MiB + 3 };
    expect((await collect(await store().read(digest, range))).equals(data.subarray(range.start, range.end + 1))).toBe(true);
  });

  it("an empty upload commits an empty blob", async () => {
    await store().commitUpload(id, 0, digestOf(""));
    expect(await store().stat(digestOf(""))).toBe(0);
    expect(await blobText(digestOf(""))).toBe("");
  });

  it("stat, read and delete of a blob; a missing blob has no size and cannot be read", async () => {
    const digest = digestOf("to delete");
    await append(0, "to delete");
    await store().commitUpload(id, 9, digest);
    await store().deleteUpload(id);
    expect(await store().stat(digest)).toBe(9);
    expect(await blobText(digest)).toBe("to delete");
    await store().delete(digest);
    expect(await store().stat(digest)).toBeNull();
    await expect(store().read(digest)).rejects.toThrow();
  });

  it("a cancelled session has no bytes left to read", async () => {
    await append(0, "cancelled");
    await store().deleteUpload(id);
    await expect(collect(store().readUpload(id, 9))).rejects.toThrow();
  });
}

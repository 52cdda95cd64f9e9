// Blob store failures are counted by operation; a lost race for an upload is not a failure.
import { describe, expect, it } from "vitest";
import { type BlobStore, UploadInUseError } from "../storage/blob-store.ts";
import { countingErrors } from "./counting-blob-store.ts";
import { blobStoreErrors } from "./metrics.ts";

const errorsOf = async (operation: string) =>
  (await blobStoreErrors.get()).values.find((v) => v.labels.operation === operation)?.value ?? 0;

function fakeStore(overrides: Partial<BlobStore>): BlobStore {
  return overrides as BlobStore;
}

describe("countingErrors", () => {
  it("counts rejected calls and failed reads of an upload, and passes results through", async () => {
    const store = countingErrors(
      fakeStore({
        stat: (digest) => (digest === "bad" ? Promise.reject(new Error("EIO")) : Promise.resolve(3)),
        async *readUpload() {
          yield new Uint8Array(1);
          throw new Error("connection reset");
        },
      }),
    );
    expect(await store.stat("good")).toBe(3);
    await expect(store.stat("bad")).rejects.toThrow("EIO");
    const chunks: Uint8Array[] = [];
    await expect(async () => {
      for await (const chunk of store.readUpload("id", 2)) chunks.push(chunk);
    }).rejects.toThrow("connection reset");
    expect(chunks).toHaveLength(1);
    expect(await errorsOf("stat")).toBe(1);
    expect(await errorsOf("readUpload")).toBe(1);
  });

  it("does not count losing an upload to another request", async () => {
    const store = countingErrors(fakeStore({ appendPart: () => Promise.reject(new UploadInUseError()) }));
    await expect(store.appendPart("id", { name: "p", offset: 0, size: 1 })).rejects.toBeInstanceOf(UploadInUseError);
    expect(await errorsOf("appendPart")).toBe(0);
  });

  it("keeps the store's optional fast path exactly when it has one", () => {
    expect(countingErrors(fakeStore({})).localPath).toBeUndefined();
    const local = countingErrors(fakeStore({ localPath: (digest) => `/blobs/${digest}` }));
    expect(local.localPath?.("d")).toBe("/blobs/d");
  });
});

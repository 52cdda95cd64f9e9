import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { UploadInUseError } from "./blob-store.ts";
import { blobStoreContract } from "./blob-store-contract.ts";
import { FsBlobStore } from "./fs-blob-store.ts";

const id = "00000000-0000-4000-8000-000000000001";
let root: string;
let store: FsBlobStore;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "quayside-store-"));
  store = new FsBlobStore(root, { fsync: true });
});
afterEach(() => rm(root, { recursive: true, force: true }));

blobStoreContract(() => store);

async function* bytes(text: string) {
  yield new TextEncoder().encode(text);
}
const digestOf = (text: string) => `sha256:${createHash("sha256").update(text).digest("hex")}`;
const blobText = async (digest: string) => readFile(store.localPath(digest), "utf8");

async function append(offset: number, text: string) {
  const part = await store.writePart(id, offset, bytes(text), () => {});
  await store.appendPart(id, part);
}

async function readAll(length: number): Promise<string> {
  const read: Buffer[] = [];
  for await (const chunk of store.readUpload(id, length)) read.push(Buffer.from(chunk));
  return Buffer.concat(read).toString();
}

it("first bytes go to a file of their own; a part never appended leaves nothing behind", async () => {
  const stray = await store.writePart(id, 0, bytes("a racing first chunk"), () => {});
  await append(0, "hello ");
  await store.releasePart(id, stray);
  await append(6, "world");
  expect(await readdir(join(root, "uploads", id))).toEqual(["data"]);
  await store.commitUpload(id, 11, digestOf("hello world"));
  expect(await blobText(digestOf("hello world"))).toBe("hello world");
});

it("while one request holds the session's bytes, no other can write, read or commit them", async () => {
  await append(0, "hello ");
  const held = await store.writePart(id, 6, bytes("world"), () => {});
  await expect(store.writePart(id, 6, bytes("other"), () => {})).rejects.toBeInstanceOf(UploadInUseError);
  await expect(readAll(6)).rejects.toBeInstanceOf(UploadInUseError);
  await expect(store.commitUpload(id, 6, digestOf("hello "))).rejects.toBeInstanceOf(UploadInUseError);
  // Released unrecorded: the bytes go back as they were.
  await store.releasePart(id, held);
  expect(await readAll(6)).toBe("hello ");
  expect(await readdir(join(root, "uploads", id))).toEqual(["data"]);
});

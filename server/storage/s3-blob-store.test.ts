import { createHash, randomBytes } from "node:crypto";
import { ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { startS3, type TestS3 } from "../../e2e/support/s3-server.ts";
import { loadConfig, type S3Storage } from "../config.ts";
import { blobStoreContract } from "./blob-store-contract.ts";
import { S3BlobStore } from "./s3-blob-store.ts";

const id = "00000000-0000-4000-8000-000000000002";
const MiB = 1024 * 1024;
let s3: TestS3;
let store: S3BlobStore;
let settings: S3Storage;
let run = 0;

beforeAll(async () => {
  s3 = await startS3();
});
afterAll(() => s3.close());
beforeEach(() => {
  // A prefix of its own for each test: a fresh, empty store.
  settings = loadConfig(s3.env(`run-${++run}/blobs`)).storage as S3Storage;
  store = new S3BlobStore(settings);
});

blobStoreContract(() => store);

async function* bytes(data: Buffer) {
  yield new Uint8Array(data);
}
const digestOf = (data: Buffer) => `sha256:${createHash("sha256").update(data).digest("hex")}`;

async function keys(): Promise<string[]> {
  const client = new S3Client({
    endpoint: s3.endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: settings.credentials!,
  });
  const listed = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: settings.prefix }));
  client.destroy();
  return (listed.Contents ?? []).map((o) => o.Key!.slice(settings.prefix.length)).sort();
}

it("of two requests writing from the same offset, the one appended is the session's; the other leaves nothing", async () => {
  const first = randomBytes(2 * MiB);
  const a = randomBytes(9 * MiB);
  const b = randomBytes(3 * MiB);
  const head = await store.writePart(id, 0, bytes(first), () => {});
  await store.appendPart(id, head);
  // Both write before either is appended, as two nodes racing on one session.
  const [partA, partB] = await Promise.all([
    store.writePart(id, first.length, bytes(a), () => {}),
    store.writePart(id, first.length, bytes(b), () => {}),
  ]);
  await store.appendPart(id, partB);
  await store.releasePart(id, partB);
  await store.releasePart(id, partA);
  const blob = Buffer.concat([first, b]);
  await store.commitUpload(id, blob.length, digestOf(blob));
  // The session holds its state and the one piece it names (the carried tail went with it).
  const left = await keys();
  expect(left.filter((k) => k.startsWith("uploads/"))).toEqual([`uploads/${id}/${partB.name}`, `uploads/${id}/state.json`]);
  await store.deleteUpload(id);
  expect(await keys()).toEqual([`blobs/sha256/${digestOf(blob).slice(7)}`]);
  const read: Buffer[] = [];
  for await (const chunk of await store.read(digestOf(blob))) read.push(chunk as Buffer);
  expect(Buffer.concat(read).equals(blob)).toBe(true);
});

it("presigned redirects are off unless configured; on, the URL fetches the blob", async () => {
  const blob = randomBytes(1000);
  const part = await store.writePart(id, 0, bytes(blob), () => {});
  await store.appendPart(id, part);
  await store.commitUpload(id, blob.length, digestOf(blob));
  expect(await store.redirectUrl(digestOf(blob), new Date())).toBeUndefined();
  const presigning = new S3BlobStore({ ...settings, presignedRedirects: true });
  const url = await presigning.redirectUrl(digestOf(blob), new Date());
  expect(url).toMatch(new RegExp(`^${s3.endpoint}/${s3.bucket}/run-\\d+/blobs/blobs/sha256/[0-9a-f]{64}\\?X-Amz-Algorithm=AWS4-HMAC-SHA256&`));
  const res = await fetch(url!);
  expect(res.status).toBe(200);
  expect(Buffer.from(await res.arrayBuffer()).equals(blob)).toBe(true);
});

it("a request cut off mid-stream, before or after its first part went out, leaves no object and the session as it was", async () => {
  const first = randomBytes(1000);
  const head = await store.writePart(id, 0, bytes(first), () => {});
  await store.appendPart(id, head);
  for (const sentBeforeCut of [MiB, 20 * MiB]) {
    async function* cutOff() {
      yield new Uint8Array(randomBytes(sentBeforeCut));
      throw new Error("client went away");
    }
    await expect(store.writePart(id, first.length, cutOff(), () => {})).rejects.toThrow("client went away");
    expect(await keys()).toEqual([`uploads/${id}/${head.name}`, `uploads/${id}/state.json`]);
  }
  const read: Buffer[] = [];
  for await (const chunk of store.readUpload(id, first.length)) read.push(Buffer.from(chunk));
  expect(Buffer.concat(read).equals(first)).toBe(true);
});

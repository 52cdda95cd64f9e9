// BlobStore on a local directory: `<root>/uploads/<id>` while uploading, then
// `<root>/blobs/<algorithm>/<first two hex>/<hex>` once committed by rename.
import { createReadStream } from "node:fs";
import { type FileHandle, mkdir, open, rename, rm, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { Readable } from "node:stream";
import type { BlobStore, ByteRange } from "./blob-store.ts";

/** Bytes gathered before each write call: fewer, larger writes are much faster than one per socket read. */
const WRITE_BUFFER = 1024 * 1024;
const READ_CHUNK = 1024 * 1024;

/** What is left of `chunks` after the first `written` bytes went out (a short writev). */
function unwritten(chunks: Uint8Array[], written: number): Uint8Array[] {
  const rest: Uint8Array[] = [];
  for (const chunk of chunks) {
    if (written >= chunk.byteLength) {
      written -= chunk.byteLength;
      continue;
    }
    rest.push(written > 0 ? chunk.subarray(written) : chunk);
    written = 0;
  }
  return rest;
}

/** Writes the chunks at `position` in as few writev calls as the kernel allows. */
async function writeAll(file: FileHandle, chunks: Uint8Array[], bytes: number, position: number): Promise<void> {
  let remaining = bytes;
  while (remaining > 0) {
    const { bytesWritten } = await file.writev(chunks, position);
    position += bytesWritten;
    remaining -= bytesWritten;
    if (remaining > 0) chunks = unwritten(chunks, bytesWritten);
  }
}

export class FsBlobStore implements BlobStore {
  constructor(private readonly root: string) {}

  private uploadPath(id: string): string {
    if (!/^[0-9a-f-]{36}$/.test(id)) throw new Error(`bad upload id ${id}`);
    return join(this.root, "uploads", id);
  }

  localPath(digest: string): string {
    return this.blobPath(digest);
  }

  private blobPath(digest: string): string {
    const m = /^(sha256|sha512):([0-9a-f]+)$/.exec(digest);
    if (!m) throw new Error(`bad digest ${digest}`);
    return join(this.root, "blobs", m[1]!, m[2]!.slice(0, 2), m[2]!);
  }

  async writeUpload(
    id: string,
    offset: number,
    body: AsyncIterable<Uint8Array>,
    onChunk: (chunk: Uint8Array) => void,
  ): Promise<number> {
    const path = this.uploadPath(id);
    await mkdir(dirname(path), { recursive: true });
    const file = await open(path, "a+");
    // One write in flight while the next buffer fills: the socket keeps being read while the
    // disk works, and memory stays bounded at about two buffers.
    let writing: Promise<void> = Promise.resolve();
    try {
      await file.truncate(offset);
      let position = offset;
      let pending: Uint8Array[] = [];
      let pendingBytes = 0;
      const startWrite = async () => {
        await writing;
        writing = writeAll(file, pending, pendingBytes, position);
        writing.catch(() => {}); // awaited below; this only keeps a failure from going unhandled meanwhile
        position += pendingBytes;
        pending = [];
        pendingBytes = 0;
      };
      for await (const chunk of body) {
        onChunk(chunk);
        pending.push(chunk);
        pendingBytes += chunk.byteLength;
        if (pendingBytes >= WRITE_BUFFER) await startWrite();
      }
      if (pendingBytes > 0) await startWrite();
      await writing;
      return position;
    } finally {
      await writing.catch(() => {});
      await file.close();
    }
  }

  async *readUpload(id: string, length: number): AsyncIterable<Uint8Array> {
    if (length === 0) return;
    yield* createReadStream(this.uploadPath(id), { start: 0, end: length - 1, highWaterMark: READ_CHUNK });
  }

  async commitUpload(id: string, digest: string): Promise<void> {
    const target = this.blobPath(digest);
    await mkdir(dirname(target), { recursive: true });
    await rename(this.uploadPath(id), target);
  }

  async deleteUpload(id: string): Promise<void> {
    await rm(this.uploadPath(id), { force: true });
  }

  async stat(digest: string): Promise<number | null> {
    try {
      return (await stat(this.blobPath(digest))).size;
    } catch {
      return null;
    }
  }

  async read(digest: string, range?: ByteRange): Promise<Readable> {
    const stream = createReadStream(this.blobPath(digest), {
      highWaterMark: READ_CHUNK,
      ...(range ? { start: range.start, end: range.end } : {}),
    });
    await new Promise<void>((resolveOpen, reject) => {
      stream.once("open", () => resolveOpen());
      stream.once("error", reject);
    });
    return stream;
  }

  async delete(digest: string): Promise<void> {
    await rm(this.blobPath(digest), { force: true });
  }
}

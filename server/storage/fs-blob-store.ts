// BlobStore on a local directory: a session's recorded bytes at `<root>/uploads/<id>/data`, each
// request's part beside them (`<uuid>.part`) until it is appended, and committed blobs at
// `<root>/blobs/<algorithm>/<first two hex>/<hex>`.
import { randomUUID } from "node:crypto";
import { createReadStream } from "node:fs";
import { copyFile, type FileHandle, link, mkdir, open, rename, rm, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { Readable } from "node:stream";
import type { BlobStore, ByteRange, UploadPart } from "./blob-store.ts";
import { diskSync } from "./disk-sync.ts";

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

/**
 * Writes `body` to a new file, one write in flight while the next buffer fills: the socket keeps
 * being read while the disk works, and memory stays bounded at about two buffers. Returns the
 * number of bytes written.
 */
async function writeStream(
  file: FileHandle,
  body: AsyncIterable<Uint8Array>,
  onChunk: (chunk: Uint8Array) => void,
): Promise<number> {
  let writing: Promise<void> = Promise.resolve();
  try {
    let position = 0;
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
  }
}

/** Copies the file at `source` into `target` from `position` on. */
async function copyInto(source: string, target: FileHandle, position: number): Promise<void> {
  const input = await open(source, "r");
  try {
    const buffer = Buffer.allocUnsafe(READ_CHUNK);
    for (;;) {
      const { bytesRead } = await input.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) return;
      await writeAll(target, [buffer.subarray(0, bytesRead)], bytesRead, position);
      position += bytesRead;
    }
  } finally {
    await input.close();
  }
}

/** `dir`, and when `mkdir` just created it (or its parents), each parent that gained an entry. */
function directoriesToSync(dir: string, created: string | undefined): string[] {
  const dirs = [dir];
  if (created === undefined) return dirs;
  for (let d = dir; d !== dirname(created); ) dirs.push((d = dirname(d)));
  return dirs;
}

export interface FsBlobStoreOptions {
  /** Flush each blob's bytes and directory before its commit returns (off only to measure the cost). */
  fsync: boolean;
}

export class FsBlobStore implements BlobStore {
  constructor(
    private readonly root: string,
    private readonly options: FsBlobStoreOptions = { fsync: true },
  ) {}

  private uploadDir(id: string): string {
    if (!/^[0-9a-f-]{36}$/.test(id)) throw new Error(`bad upload id ${id}`);
    return join(this.root, "uploads", id);
  }

  private dataPath(id: string): string {
    return join(this.uploadDir(id), "data");
  }

  private partPath(id: string, part: string): string {
    if (!/^[0-9a-f-]{36}\.part$/.test(part)) throw new Error(`bad upload part ${part}`);
    return join(this.uploadDir(id), part);
  }

  localPath(digest: string): string {
    return this.blobPath(digest);
  }

  private blobPath(digest: string): string {
    const m = /^(sha256|sha512):([0-9a-f]+)$/.exec(digest);
    if (!m) throw new Error(`bad digest ${digest}`);
    return join(this.root, "blobs", m[1]!, m[2]!.slice(0, 2), m[2]!);
  }

  async writePart(
    id: string,
    body: AsyncIterable<Uint8Array>,
    onChunk: (chunk: Uint8Array) => void,
  ): Promise<UploadPart> {
    const name = `${randomUUID()}.part`;
    const path = this.partPath(id, name);
    await mkdir(dirname(path), { recursive: true });
    const file = await open(path, "wx");
    try {
      return { name, size: await writeStream(file, body, onChunk) };
    } catch (err) {
      await rm(path, { force: true });
      throw err;
    } finally {
      await file.close();
    }
  }

  async appendPart(id: string, offset: number, part: UploadPart): Promise<void> {
    const source = this.partPath(id, part.name);
    const data = this.dataPath(id);
    if (offset === 0) return rename(source, data);
    await this.ownBytes(data);
    const file = await open(data, "r+");
    try {
      await file.truncate(offset);
      await copyInto(source, file, offset);
    } finally {
      await file.close();
    }
    await rm(source, { force: true });
  }

  /**
   * A commit whose row never made it leaves the session's bytes sharing their file with the blob
   * (see commitUpload): appending must not change the blob, so the session gets a copy first.
   */
  private async ownBytes(data: string): Promise<void> {
    if ((await stat(data)).nlink === 1) return;
    const copy = `${data}.copy`;
    await copyFile(data, copy);
    await rename(copy, data);
  }

  async deletePart(id: string, part: UploadPart): Promise<void> {
    await rm(this.partPath(id, part.name), { force: true });
  }

  async *readUpload(id: string, length: number): AsyncIterable<Uint8Array> {
    if (length === 0) return;
    yield* createReadStream(this.dataPath(id), { start: 0, end: length - 1, highWaterMark: READ_CHUNK });
  }

  async flushUpload(id: string, part?: UploadPart): Promise<void> {
    if (!this.options.fsync) return;
    for (const path of [this.dataPath(id), ...(part ? [this.partPath(id, part.name)] : [])]) {
      const file = await open(path, "r").catch(() => undefined); // no bytes stored yet: nothing to flush
      if (!file) continue;
      try {
        await diskSync.file(file);
      } finally {
        await file.close();
      }
    }
  }

  async commitUpload(id: string, size: number, digest: string): Promise<void> {
    const data = this.dataPath(id);
    await mkdir(dirname(data), { recursive: true }); // an empty upload has written nothing yet
    const file = await open(data, "a+");
    try {
      await file.truncate(size); // anything past `size` was never recorded
      if (this.options.fsync) await diskSync.file(file);
    } finally {
      await file.close();
    }
    const target = this.blobPath(digest);
    const created = await mkdir(dirname(target), { recursive: true });
    // A second name for the bytes, moved over the blob's: the session keeps its own name until
    // its row is gone (a failed commit leaves it whole), and a damaged earlier copy is replaced.
    const staging = `${target}.${id}`;
    await rm(staging, { force: true });
    await link(data, staging);
    await rename(staging, target);
    if (this.options.fsync) {
      for (const dir of directoriesToSync(dirname(target), created)) await diskSync.directory(dir);
    }
  }

  async deleteUpload(id: string): Promise<void> {
    await rm(this.uploadDir(id), { recursive: true, force: true });
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

// BlobStore on a local directory: a session's bytes at `<root>/uploads/<id>/data`, and committed
// blobs at `<root>/blobs/<algorithm>/<first two hex>/<hex>`. A request writing the first bytes
// of a session writes them to a file of its own (`<uuid>.part`); one writing later bytes renames
// `data` to such a name first and appends there. A rename succeeds once, so exactly one request
// (on any node) holds the bytes; the others find `data` gone and are refused. Only the holder's
// append can ever touch them, so no copy is needed and no late or stray write can mix in.
import { randomUUID } from "node:crypto";
import { createReadStream } from "node:fs";
import { copyFile, type FileHandle, link, mkdir, open, rename, rm, stat, truncate } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { Readable } from "node:stream";
import { type BlobStore, type ByteRange, UploadInUseError, type UploadPart } from "./blob-store.ts";
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
 * Writes `body` from `position` on, one write in flight while the next buffer fills: the socket
 * keeps being read while the disk works, and memory stays bounded at about two buffers. Returns
 * the position after the last byte.
 */
async function writeStream(
  file: FileHandle,
  position: number,
  body: AsyncIterable<Uint8Array>,
  onChunk: (chunk: Uint8Array) => void,
): Promise<number> {
  let writing: Promise<void> = Promise.resolve();
  try {
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

const missing = (err: unknown) => (err as NodeJS.ErrnoException).code === "ENOENT";

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
    offset: number,
    body: AsyncIterable<Uint8Array>,
    onChunk: (chunk: Uint8Array) => void,
  ): Promise<UploadPart> {
    const name = `${randomUUID()}.part`;
    const path = this.partPath(id, name);
    if (offset === 0) await mkdir(dirname(path), { recursive: true });
    else await this.take(id, path);
    const file = await open(path, offset === 0 ? "wx" : "r+");
    let end: number;
    try {
      if (offset > 0) await file.truncate(offset); // past `offset`: left over from an append never recorded
      end = await writeStream(file, offset, body, onChunk);
    } catch (err) {
      await file.close();
      await this.releasePart(id, { name, offset, size: 0 });
      throw err;
    }
    await file.close();
    return { name, offset, size: end - offset };
  }

  /** Takes the session's bytes out of their place, to `path`: only one request can. */
  private async hold(id: string, path: string): Promise<void> {
    await rename(this.dataPath(id), path).catch((err: unknown) => {
      throw missing(err) ? new UploadInUseError() : err;
    });
  }

  /** `hold`, to append: the bytes become this request's own file. */
  private async take(id: string, path: string): Promise<void> {
    await this.hold(id, path);
    // A commit whose row never made it leaves these bytes sharing their file with the blob
    // (see commitUpload): appending must not change the blob, so the session gets a copy.
    if ((await stat(path)).nlink > 1) {
      await copyFile(path, `${path}.copy`);
      await rename(`${path}.copy`, path);
    }
  }

  async appendPart(id: string, part: UploadPart): Promise<void> {
    await rename(this.partPath(id, part.name), this.dataPath(id));
  }

  async releasePart(id: string, part: UploadPart): Promise<void> {
    const path = this.partPath(id, part.name);
    if (part.offset === 0) return rm(path, { force: true });
    try {
      await truncate(path, part.offset);
      await rename(path, this.dataPath(id));
    } catch (err) {
      if (!missing(err)) throw err; // missing: appended after all, or the session was cancelled
    }
  }

  async *readUpload(id: string, length: number): AsyncIterable<Uint8Array> {
    if (length === 0) return;
    try {
      yield* createReadStream(this.dataPath(id), { start: 0, end: length - 1, highWaterMark: READ_CHUNK });
    } catch (err) {
      throw missing(err) ? new UploadInUseError() : err;
    }
  }

  async flushUpload(id: string, part?: UploadPart): Promise<void> {
    if (!this.options.fsync) return;
    // A part about to be appended holds all the bytes: the session's, taken, and its own.
    await diskSync.file(part ? this.partPath(id, part.name) : this.dataPath(id)).catch((err: unknown) => {
      if (!missing(err)) throw err; // nothing stored, or held by another request: the commit will see
    });
  }

  async commitUpload(id: string, size: number, digest: string): Promise<void> {
    const data = this.dataPath(id);
    if (size === 0) {
      await mkdir(dirname(data), { recursive: true }); // an empty upload wrote nothing
      await (await open(data, "a")).close();
    }
    // Held like an append, so no other request can change the bytes while they are committed.
    const held = join(this.uploadDir(id), `${randomUUID()}.part`);
    await this.hold(id, held);
    try {
      await truncate(held, size); // anything past `size` was never recorded
      if (this.options.fsync) await diskSync.file(held);
      const target = this.blobPath(digest);
      const created = await mkdir(dirname(target), { recursive: true });
      // A second name for the bytes, moved over the blob's: the session keeps its own until its
      // row is gone (a failed commit leaves it whole), and a damaged earlier copy is replaced.
      const staging = `${target}.${id}`;
      await rm(staging, { force: true });
      await link(held, staging);
      await rename(staging, target);
      if (this.options.fsync) {
        for (const dir of directoriesToSync(dirname(target), created)) await diskSync.directory(dir);
      }
    } finally {
      await rename(held, data);
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

// Blob upload sessions (monolithic, chunked and streamed). Bytes are hashed once as they arrive;
// the running hash lives in this process and is rebuilt from the stored bytes when a session
// continues on another node or after a restart. Nothing is visible until the digest matches.
import { randomUUID } from "node:crypto";
import { and, eq, lt } from "drizzle-orm";
import { uploads } from "../../db/schema.ts";
import { type BlobInfo, recordBlob } from "./blobs.ts";
import { type DigestAlgorithm, hasher, parseDigest } from "./digests.ts";
import { DomainError } from "./errors.ts";
import type { Services } from "./services.ts";

export interface Upload {
  id: string;
  repositoryId: number;
  /** Bytes received so far. */
  size: number;
}

interface RunningHash {
  hash: ReturnType<typeof hasher>;
  /** How many bytes the hash has consumed. */
  offset: number;
}

const runningHashes = new Map<string, RunningHash>();
/** One request at a time per upload session in this process. */
const sessionLocks = new Map<string, Promise<unknown>>();

async function withSessionLock<T>(id: string, work: () => Promise<T>): Promise<T> {
  const previous = sessionLocks.get(id) ?? Promise.resolve();
  const current = previous.catch(() => {}).then(work);
  sessionLocks.set(id, current);
  try {
    return await current;
  } finally {
    if (sessionLocks.get(id) === current) sessionLocks.delete(id);
  }
}

export async function startUpload(svc: Services, repositoryId: number): Promise<Upload> {
  const now = svc.clock.now();
  const [row] = await svc.db
    .insert(uploads)
    .values({ id: randomUUID(), repositoryId, createdAt: now, updatedAt: now })
    .returning();
  return { id: row!.id, repositoryId, size: 0 };
}

export async function findUpload(svc: Services, repositoryId: number, id: string): Promise<Upload> {
  const unknown = () => new DomainError("BLOB_UPLOAD_UNKNOWN", "blob upload unknown to registry", { uuid: id });
  if (!/^[0-9a-f-]{36}$/.test(id)) throw unknown();
  const [row] = await svc.db
    .select()
    .from(uploads)
    .where(and(eq(uploads.id, id), eq(uploads.repositoryId, repositoryId)));
  if (!row) throw unknown();
  return { id: row.id, repositoryId: row.repositoryId, size: row.size };
}

async function runningHashAt(svc: Services, upload: Upload, algorithm: DigestAlgorithm): Promise<RunningHash> {
  const cached = runningHashes.get(upload.id);
  if (algorithm === "sha256" && cached && cached.offset === upload.size) return cached;
  const state: RunningHash = { hash: hasher(algorithm), offset: 0 };
  for await (const chunk of svc.store.readUpload(upload.id, upload.size)) {
    state.hash.update(chunk);
    state.offset += chunk.byteLength;
  }
  if (state.offset !== upload.size) {
    throw new DomainError("BLOB_UPLOAD_INVALID", "stored upload is shorter than recorded", { uuid: upload.id });
  }
  if (algorithm === "sha256") runningHashes.set(upload.id, state);
  return state;
}

export interface ChunkRange {
  start: number;
  end: number;
}

/**
 * Appends a chunk. With a Content-Range, the chunk must start where the upload ends
 * (RANGE_INVALID otherwise) and carry exactly the announced bytes.
 */
export async function appendChunk(
  svc: Services,
  upload: Upload,
  body: AsyncIterable<Uint8Array>,
  range?: ChunkRange,
): Promise<Upload> {
  return withSessionLock(upload.id, async () => {
    const current = await findUpload(svc, upload.repositoryId, upload.id);
    if (range && range.start !== current.size) {
      throw new DomainError("RANGE_INVALID", `chunk must start at byte ${current.size}`, {
        expected: current.size,
        got: range.start,
      });
    }
    return writeChunk(svc, current, body, range ? range.end - range.start + 1 : undefined);
  });
}

/** Appends `body` to the stored bytes and the running hash; returns the new size. */
async function appendBytes(
  svc: Services,
  upload: Upload,
  body: AsyncIterable<Uint8Array>,
  expectedLength?: number,
): Promise<number> {
  const state = await runningHashAt(svc, upload, "sha256");
  let size: number;
  try {
    size = await svc.store.writeUpload(upload.id, upload.size, body, (chunk) => state.hash.update(chunk));
  } catch (err) {
    runningHashes.delete(upload.id); // the hash saw bytes the upload will not keep
    throw err;
  }
  if (expectedLength !== undefined && size - upload.size !== expectedLength) {
    runningHashes.delete(upload.id);
    throw new DomainError("BLOB_UPLOAD_INVALID", "chunk length does not match Content-Range", {
      expected: expectedLength,
      got: size - upload.size,
    });
  }
  state.offset = size;
  return size;
}

/** Appends a chunk and records the session's new size (only if nobody else moved it meanwhile). */
async function writeChunk(
  svc: Services,
  upload: Upload,
  body: AsyncIterable<Uint8Array>,
  expectedLength?: number,
): Promise<Upload> {
  const size = await appendBytes(svc, upload, body, expectedLength);
  await recordSize(svc, upload, size);
  return { ...upload, size };
}

function changedElsewhere(upload: Upload): DomainError {
  runningHashes.delete(upload.id);
  return new DomainError("BLOB_UPLOAD_INVALID", "upload was changed by another request", { uuid: upload.id });
}

/**
 * Completes an upload: takes an optional last chunk, checks the digest and makes the blob
 * visible in the repository. On a digest mismatch the session stays open and nothing is stored.
 */
export async function finishUpload(
  svc: Services,
  upload: Upload,
  digest: string,
  lastChunk?: AsyncIterable<Uint8Array>,
): Promise<BlobInfo> {
  parseDigest(digest);
  return withSessionLock(upload.id, async () =>
    finishLocked(svc, await findUpload(svc, upload.repositoryId, upload.id), digest, lastChunk),
  );
}

/** `finishUpload` for a session read under its lock (or just created by this request). */
async function finishLocked(
  svc: Services,
  recorded: Upload,
  digest: string,
  lastChunk?: AsyncIterable<Uint8Array>,
): Promise<BlobInfo> {
  const { algorithm } = parseDigest(digest);
  // The last chunk's size is not recorded on its own: the session row goes away below, on
  // condition that it still has the size read at the start (nobody else appended meanwhile).
  const current = lastChunk ? { ...recorded, size: await appendBytes(svc, recorded, lastChunk) } : recorded;
  const state = await runningHashAt(svc, current, algorithm);
  const actual = `${algorithm}:${state.hash.copy().digest("hex")}`;
  if (actual !== digest) {
    if (current.size !== recorded.size) await recordSize(svc, recorded, current.size);
    throw new DomainError("DIGEST_INVALID", "provided digest did not match uploaded content", {
      expected: digest,
      actual,
    });
  }
  await svc.store.commitUpload(current.id, digest);
  const blob = { digest, size: current.size };
  await svc.db.transaction(async (tx) => {
    // Independent statements, sent together.
    const [, ended] = await Promise.all([
      recordBlob(tx, current.repositoryId, blob),
      tx
        .delete(uploads)
        .where(and(eq(uploads.id, current.id), eq(uploads.size, recorded.size)))
        .returning({ id: uploads.id }),
    ]);
    if (ended.length === 0) throw changedElsewhere(current);
  });
  runningHashes.delete(current.id);
  return blob;
}

/** Records the size the session has reached, unless another request moved it meanwhile. */
async function recordSize(svc: Services, recorded: Upload, size: number): Promise<void> {
  const [row] = await svc.db
    .update(uploads)
    .set({ size, updatedAt: svc.clock.now() })
    .where(and(eq(uploads.id, recorded.id), eq(uploads.size, recorded.size)))
    .returning({ id: uploads.id });
  if (!row) throw changedElsewhere(recorded);
}

export async function cancelUpload(svc: Services, upload: Upload): Promise<void> {
  await withSessionLock(upload.id, async () => {
    await svc.db.delete(uploads).where(eq(uploads.id, upload.id));
    await svc.store.deleteUpload(upload.id);
    runningHashes.delete(upload.id);
  });
}

/** A whole blob in one request (`POST ?digest=`): leaves nothing behind when it fails. */
export async function uploadWhole(
  svc: Services,
  repositoryId: number,
  digest: string,
  body: AsyncIterable<Uint8Array>,
): Promise<BlobInfo> {
  parseDigest(digest);
  const upload = await startUpload(svc, repositoryId);
  try {
    return await withSessionLock(upload.id, () => finishLocked(svc, upload, digest, body));
  } catch (err) {
    await cancelUpload(svc, upload).catch(() => {});
    throw err;
  }
}

/** Abandoned sessions (no request for `olderThan`): removed with their bytes by a job. */
export async function expireStaleUploads(svc: Services, olderThanMs: number): Promise<number> {
  const cutoff = new Date(svc.clock.now().getTime() - olderThanMs);
  const stale = await svc.db.delete(uploads).where(lt(uploads.updatedAt, cutoff)).returning({ id: uploads.id });
  for (const { id } of stale) {
    await svc.store.deleteUpload(id);
    runningHashes.delete(id);
  }
  return stale.length;
}

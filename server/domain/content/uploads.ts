// Blob upload sessions (monolithic, chunked and streamed). Each request writes its bytes where no
// other request can touch them (the store sees to that: see BlobStore.writePart) while hashing
// them, and they join the session only inside a transaction that moves the session row from the
// size the request started from: of two requests racing on one session, on any nodes, the
// second is refused and neither's bytes mix with the other's. A commit holds the row the same
// way while its bytes are synced and put in place, and only then is the row deleted.
// The running hash lives in this process and is rebuilt from the stored bytes when a session
// continues on another node or after a restart. Nothing is visible until the digest matches.
import { type Hash, randomUUID } from "node:crypto";
import { and, eq, lt } from "drizzle-orm";
import type { Tx } from "../../../db/client.ts";
import { uploads } from "../../../db/schema.ts";
import { UploadInUseError, type UploadPart } from "../../storage/blob-store.ts";
import { type BlobInfo, recordBlob } from "./blobs.ts";
import { type DigestAlgorithm, hasher, parseDigest } from "./digests.ts";
import { DomainError } from "../errors.ts";
import { RunningHashes } from "./running-hashes.ts";
import type { Services } from "../services.ts";

export interface Upload {
  id: string;
  repositoryId: number;
  /** Bytes received so far. */
  size: number;
}

/** A session nobody has touched for this long is abandoned: its bytes and hash are dropped. */
export const STALE_UPLOAD_MS = 24 * 3600 * 1000;

const runningHashes = new RunningHashes({ maxEntries: 10_000, maxIdleMs: STALE_UPLOAD_MS });
/** How many sessions' running hashes this process keeps (see RunningHashes for the bounds). */
export const keptRunningHashes = () => runningHashes.size;

/** One request at a time per upload session in this process (other nodes are refused instead, see claim). */
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

/** A hash of the session's first `upload.size` bytes that the caller may extend. */
async function hashAt(svc: Services, upload: Upload, algorithm: DigestAlgorithm): Promise<Hash> {
  const kept = algorithm === "sha256" ? runningHashes.copyAt(upload.id, upload.size, svc.clock.now().getTime()) : undefined;
  if (kept) return kept;
  const hash = hasher(algorithm);
  let read = 0;
  for await (const chunk of svc.store.readUpload(upload.id, upload.size)) {
    hash.update(chunk);
    read += chunk.byteLength;
  }
  if (read !== upload.size) {
    throw new DomainError("BLOB_UPLOAD_INVALID", "stored upload is shorter than recorded", { uuid: upload.id });
  }
  return hash;
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
  return withSessionLock(upload.id, () =>
    refusedWhileInUse(upload, async () => {
      const current = await findUpload(svc, upload.repositoryId, upload.id);
      if (range && range.start !== current.size) {
        throw new DomainError("RANGE_INVALID", `chunk must start at byte ${current.size}`, {
          expected: current.size,
          got: range.start,
        });
      }
      const written = await writePart(svc, current, body, range ? range.end - range.start + 1 : undefined);
      return appendPart(svc, current, written);
    }),
  );
}

/** A request's bytes, where no other request can touch them, and the session's hash over them. */
interface WrittenPart {
  part: UploadPart;
  hash: Hash;
}

async function writePart(
  svc: Services,
  upload: Upload,
  body: AsyncIterable<Uint8Array>,
  expectedLength?: number,
): Promise<WrittenPart> {
  const hash = await hashAt(svc, upload, "sha256");
  const part = await svc.store.writePart(upload.id, upload.size, body, (chunk) => hash.update(chunk));
  if (expectedLength !== undefined && part.size !== expectedLength) {
    await svc.store.releasePart(upload.id, part);
    throw new DomainError("BLOB_UPLOAD_INVALID", "chunk length does not match Content-Range", {
      expected: expectedLength,
      got: part.size,
    });
  }
  return { part, hash };
}

/**
 * Takes the session row for the rest of the transaction, on condition that it still has the
 * size this request started from: no other request can append or commit until the transaction
 * ends, and one that got there first makes this one lose (416, as for a chunk out of order).
 * `size` is the row's new size, or null to delete it (a commit).
 */
async function claim(svc: Services, tx: Tx, upload: Upload, size: number | null): Promise<void> {
  const unchanged = and(eq(uploads.id, upload.id), eq(uploads.size, upload.size));
  const claimed =
    size === null
      ? await tx.delete(uploads).where(unchanged).returning({ id: uploads.id })
      : await tx.update(uploads).set({ size, updatedAt: svc.clock.now() }).where(unchanged).returning({ id: uploads.id });
  if (claimed.length > 0) return;
  await findUpload(svc, upload.repositoryId, upload.id); // BLOB_UPLOAD_UNKNOWN if it went away
  throw raceLost(upload);
}

/** The answer to a request another one got ahead of: as for a chunk out of order. */
function raceLost(upload: Upload): DomainError {
  return new DomainError("RANGE_INVALID", "upload was changed by another request", { uuid: upload.id });
}

/** `work`, answered as a lost race when another request holds the session's bytes. */
async function refusedWhileInUse<T>(upload: Upload, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw err instanceof UploadInUseError ? raceLost(upload) : err;
  }
}

/** Appends a written part to the session and records its new size (if nobody moved it meanwhile). */
async function appendPart(svc: Services, upload: Upload, written: WrittenPart): Promise<Upload> {
  const size = upload.size + written.part.size;
  try {
    await svc.db.transaction(async (tx) => {
      await claim(svc, tx, upload, size);
      await svc.store.appendPart(upload.id, written.part);
    });
  } finally {
    await svc.store.releasePart(upload.id, written.part);
  }
  runningHashes.store(upload.id, written.hash, size, svc.clock.now().getTime());
  return { ...upload, size };
}

const hexDigest = (algorithm: DigestAlgorithm, hash: Hash) => `${algorithm}:${hash.copy().digest("hex")}`;

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
  return withSessionLock(upload.id, () =>
    refusedWhileInUse(upload, async () =>
      finishLocked(svc, await findUpload(svc, upload.repositoryId, upload.id), digest, lastChunk),
    ),
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
  const written = lastChunk ? await writePart(svc, recorded, lastChunk) : undefined;
  // The common case: the last chunk completes a sha256 blob, appended and committed at once.
  if (written && algorithm === "sha256" && hexDigest(algorithm, written.hash) === digest) {
    return commit(svc, recorded, digest, written);
  }
  // Otherwise a last chunk stays with the session (it can still finish) and the digest is
  // judged over everything stored.
  const current = written ? await appendPart(svc, recorded, written) : recorded;
  const actual = hexDigest(algorithm, await hashAt(svc, current, algorithm));
  if (actual !== digest) {
    throw new DomainError("DIGEST_INVALID", "provided digest did not match uploaded content", {
      expected: digest,
      actual,
    });
  }
  return commit(svc, current, digest);
}

/**
 * Makes the session's bytes (plus `written`, whose hash was checked) the blob `digest`. Holding
 * the session row, the bytes are synced and put in place before the blob row commits and the
 * session row goes, so a recorded blob always has its bytes and a session that loses a race
 * keeps its own.
 */
async function commit(svc: Services, upload: Upload, digest: string, written?: WrittenPart): Promise<BlobInfo> {
  const blob = { digest, size: upload.size + (written?.part.size ?? 0) };
  try {
    // The long flush of a big blob happens here, holding no connection; the commit's own sync
    // below then has little left to do.
    await svc.store.flushUpload(upload.id, written?.part);
    await svc.db.transaction(async (tx) => {
      // Sent together: the blob row commits with the claim, and only after the bytes are in place.
      await Promise.all([claim(svc, tx, upload, null), recordBlob(tx, upload.repositoryId, blob, svc.clock.now())]);
      if (written) await svc.store.appendPart(upload.id, written.part);
      await svc.store.commitUpload(upload.id, blob.size, digest);
    });
  } finally {
    if (written) await svc.store.releasePart(upload.id, written.part);
  }
  runningHashes.delete(upload.id);
  await svc.store.deleteUpload(upload.id);
  return blob;
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
export async function expireStaleUploads(svc: Pick<Services, "db" | "store" | "clock">, olderThanMs: number): Promise<number> {
  const cutoff = new Date(svc.clock.now().getTime() - olderThanMs);
  const stale = await svc.db.delete(uploads).where(lt(uploads.updatedAt, cutoff)).returning({ id: uploads.id });
  for (const { id } of stale) {
    await svc.store.deleteUpload(id);
    runningHashes.delete(id);
  }
  return stale.length;
}

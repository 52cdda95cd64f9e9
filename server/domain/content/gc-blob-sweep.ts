// One batch of the blobs phase: deletes blobs no manifest references and no recent push or
// mount linked: their rows in the batch's transaction, then their bytes (deleteBlobBytes).
//
// Race safety. Every writer that makes a blob reachable takes a lock on its `blobs` row that
// conflicts with the sweep's FOR UPDATE: an upload commit locks it with its upsert (blobs.ts
// recordBlob) before it links the bytes; a new repo_blobs or manifest_blobs row takes FOR KEY
// SHARE through its foreign key; a mount and a manifest PUT's blob check take FOR KEY SHARE
// explicitly. The sweep skips blobs locked now, and after its own lock re-checks in fresh
// statements, so every reference committed before the lock is seen and every later one waits
// for this transaction.
// The bytes go only once the rows' deletion has committed (a crash before then deletes
// nothing; one after leaves unreachable bytes, never a row without its bytes), each while
// holding the digest's place in the blobs table: an uncommitted placeholder row, rolled back
// afterwards. A writer re-creating the blob meanwhile either inserted its row first (the
// placeholder waits for it and finds it: the bytes stay) or waits for the placeholder and then
// links new bytes.
// A link refreshed in place (HEAD, a mount or re-upload onto an existing link) changes no key
// and takes no lock on the blob: the deletes below re-check link ages row by row, so such a
// refresh committed before them keeps the blob, and one that comes after finds the link gone
// (HEAD answers 404, the client uploads again).
import { sql } from "drizzle-orm";
import type { Db, Tx } from "../../../db/client.ts";
import type { BlobStore } from "../../storage/blob-store.ts";
import { dropLayerIndexesOf } from "../scanning/scan-gc.ts";
import { graceCutoff, type KeepRules } from "./gc-reachability.ts";

const digests = (values: string[]) => sql`${sql.param(values)}::text[]`;

export interface BlobSweep {
  /** Blobs whose rows were deleted: their bytes are to go once that has committed. */
  deleted: string[];
  bytes: number;
}

/** Thrown to roll back the placeholder's transaction once the bytes are gone. */
class Done extends Error {}

/** Deletes the stored bytes of blobs whose rows are gone (committed), unless one was re-created. */
export async function deleteBlobBytes(db: Db, store: BlobStore, deleted: string[]): Promise<void> {
  for (const digest of deleted) {
    await db
      .transaction(async (tx) => {
        const [held] = await tx.execute(sql`
          insert into blobs (digest, size) values (${digest}, 0) on conflict (digest) do nothing returning digest`);
        if (held) await store.delete(digest);
        throw new Done();
      })
      .catch((err: unknown) => {
        if (!(err instanceof Done)) throw err;
      });
  }
}

/** Deletes the rows of what nothing keeps among `batch` (blob digests). */
export async function sweepBlobBatch(tx: Tx, batch: string[], rules: KeepRules): Promise<BlobSweep> {
  const cutoff = sql`${graceCutoff(rules).toISOString()}::timestamptz`;
  const unreferenced = (b: string) => sql`not exists (select 1 from manifest_blobs mb where mb.digest = ${sql.raw(b)}.digest)`;
  const noFreshLink = (b: string) =>
    sql`not exists (select 1 from repo_blobs f where f.digest = ${sql.raw(b)}.digest and f.created_at > ${cutoff})`;
  const candidates = await tx.execute<{ digest: string }>(sql`
    select b.digest from blobs b
    where b.digest = any(${digests(batch)}) and ${unreferenced("b")} and ${noFreshLink("b")}
    order by b.digest for update skip locked`);
  if (candidates.length === 0) return { deleted: [], bytes: 0 };
  const locked = candidates.map((c) => c.digest);
  await tx.execute(sql`
    delete from repo_blobs l
    where l.digest = any(${digests(locked)}) and l.created_at <= ${cutoff} and ${unreferenced("l")} and ${noFreshLink("l")}`);
  const gone = await tx.execute<{ digest: string; size: number | string }>(sql`
    delete from blobs b
    where b.digest = any(${digests(locked)}) and ${unreferenced("b")}
      and not exists (select 1 from repo_blobs l where l.digest = b.digest)
    returning b.digest, b.size`);
  await dropLayerIndexesOf(tx, gone.map((blob) => blob.digest));
  return { deleted: gone.map((blob) => blob.digest), bytes: gone.reduce((sum, blob) => sum + Number(blob.size), 0) };
}

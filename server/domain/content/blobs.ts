// Blobs as repositories see them: a blob is reachable through a repository only once it has
// been pushed or mounted there.
import { and, eq, sql } from "drizzle-orm";
import type { DbOrTx } from "../../../db/client.ts";
import { blobs, repoBlobs } from "../../../db/schema.ts";
import { DomainError } from "../errors.ts";

export interface BlobInfo {
  digest: string;
  size: number;
}

export async function findBlobInRepo(db: DbOrTx, repositoryId: number, digest: string): Promise<BlobInfo | undefined> {
  const [row] = await db
    .select({ digest: blobs.digest, size: blobs.size })
    .from(repoBlobs)
    .innerJoin(blobs, eq(blobs.digest, repoBlobs.digest))
    .where(and(eq(repoBlobs.repositoryId, repositoryId), eq(repoBlobs.digest, digest)));
  return row;
}

/**
 * A blob as a client checking before a push sees it (HEAD): a client that finds it skips the
 * upload and names it in a manifest moments later, so garbage collection must not take it in
 * between. A link older than `staleBefore` is refreshed to `now` in the same statement (so at
 * most once per period per link), which keeps it for the grace period. If collection deleted the
 * link meanwhile, the refresh finds nothing and the blob is answered unknown (the client
 * uploads it again): see gc-blob-sweep.ts.
 */
export async function findBlobForPush(
  db: DbOrTx,
  repositoryId: number,
  digest: string,
  times: { now: Date; staleBefore: Date },
): Promise<BlobInfo | undefined> {
  const [row] = await db.execute<{ digest: string; size: number | string; present: boolean }>(sql`
    with link as (
      select b.digest, b.size, l.created_at from repo_blobs l join blobs b on b.digest = l.digest
      where l.repository_id = ${repositoryId} and l.digest = ${digest}
    ), refreshed as (
      update repo_blobs set created_at = ${times.now.toISOString()}::timestamptz
      where repository_id = ${repositoryId} and digest = ${digest}
        and created_at < ${times.staleBefore.toISOString()}::timestamptz
      returning digest
    )
    select digest, size, (created_at >= ${times.staleBefore.toISOString()}::timestamptz
                          or exists (select 1 from refreshed)) as present
    from link`);
  return row?.present ? { digest: row.digest, size: Number(row.size) } : undefined;
}

/**
 * Records a stored blob and makes it reachable through a repository (both idempotent), the link
 * dated `now` (a re-upload refreshes it: garbage collection keeps fresh links). Called in the
 * upload's commit transaction before the bytes are put in place: an existing blob row is locked
 * (`do update ... where false` locks without writing) until commit, so garbage collection cannot
 * take it meanwhile, and a row collection is deleting is waited for and then inserted anew.
 */
export async function recordBlob(db: DbOrTx, repositoryId: number, blob: BlobInfo, now: Date): Promise<void> {
  // One statement: the link's foreign-key check runs at its end and sees the blob row.
  await db.execute(sql`
    with recorded as (
      insert into ${blobs} (digest, size) values (${blob.digest}, ${blob.size})
      on conflict (digest) do update set size = excluded.size where false
    )
    insert into ${repoBlobs} (repository_id, digest, created_at) values (${repositoryId}, ${blob.digest}, ${now.toISOString()}::timestamptz)
    on conflict (repository_id, digest) do update set created_at = excluded.created_at`);
}

/**
 * Cross-repository mount: link a blob the caller can read in `fromRepositoryId`. One statement:
 * the link is made (or refreshed: dated `now`) only if the source has the blob, and the blob is
 * returned either way. The blob row is held FOR KEY SHARE, which garbage collection's FOR UPDATE
 * waits for (or skips); if collection got there first, the row is gone once it commits and the
 * mount answers unknown (the client uploads instead).
 */
export async function mountBlob(
  db: DbOrTx,
  fromRepositoryId: number,
  toRepositoryId: number,
  digest: string,
  now: Date,
): Promise<BlobInfo | undefined> {
  const [row] = await db.execute<{ digest: string; size: number }>(sql`
    with source as (
      select b.digest, b.size from repo_blobs l join blobs b on b.digest = l.digest
      where l.repository_id = ${fromRepositoryId} and l.digest = ${digest}
      for key share of b
    ), linked as (
      insert into ${repoBlobs} (repository_id, digest, created_at)
      select ${toRepositoryId}::int, digest, ${now.toISOString()}::timestamptz from source
      on conflict (repository_id, digest) do update set created_at = excluded.created_at
    )
    select digest, size from source`);
  return row ? { digest: row.digest, size: Number(row.size) } : undefined;
}

/** Removes a blob from a repository; the bytes stay until garbage collection. */
export async function unlinkBlob(db: DbOrTx, repositoryId: number, digest: string): Promise<void> {
  const removed = await db
    .delete(repoBlobs)
    .where(and(eq(repoBlobs.repositoryId, repositoryId), eq(repoBlobs.digest, digest)))
    .returning({ digest: repoBlobs.digest });
  if (removed.length === 0) throw new DomainError("BLOB_UNKNOWN", "blob unknown to registry", { digest });
}

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

/** Records a stored blob and makes it reachable through a repository (both idempotent). */
export async function recordBlob(db: DbOrTx, repositoryId: number, blob: BlobInfo): Promise<void> {
  // One statement: the link's foreign-key check runs at its end and sees the blob row.
  await db.execute(sql`
    with recorded as (
      insert into ${blobs} (digest, size) values (${blob.digest}, ${blob.size}) on conflict do nothing
    )
    insert into ${repoBlobs} (repository_id, digest) values (${repositoryId}, ${blob.digest}) on conflict do nothing`);
}

/**
 * Cross-repository mount: link a blob the caller can read in `fromRepositoryId`. One statement:
 * the link is made only if the source has the blob, and the blob is returned either way.
 */
export async function mountBlob(
  db: DbOrTx,
  fromRepositoryId: number,
  toRepositoryId: number,
  digest: string,
): Promise<BlobInfo | undefined> {
  const [row] = await db.execute<{ digest: string; size: number }>(sql`
    with source as (
      select ${blobs.digest} as digest, ${blobs.size} as size from ${repoBlobs}
      join ${blobs} on ${blobs.digest} = ${repoBlobs.digest}
      where ${repoBlobs.repositoryId} = ${fromRepositoryId} and ${repoBlobs.digest} = ${digest}
    ), linked as (
      insert into ${repoBlobs} (repository_id, digest) select ${toRepositoryId}::int, digest from source
      on conflict do nothing
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

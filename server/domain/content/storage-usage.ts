// Storage used, as Quay's quota report counts it: the bytes of the distinct blobs (configs and
// layers) that a repository's or a namespace's manifests reference. A blob shared by two
// manifests, or two repositories of a namespace, counts once. Manifests deleted by digest count
// until garbage collection removes them, since their bytes are still stored until then.
import { sql } from "drizzle-orm";
import type { DbOrTx } from "../../../db/client.ts";

async function uniqueBlobBytes(db: DbOrTx, manifestsOf: ReturnType<typeof sql>): Promise<number> {
  const [row] = await db.execute<{ bytes: string | number }>(sql`
    select coalesce(sum(b.size), 0) as bytes from blobs b
    where b.digest in (select mb.digest from manifest_blobs mb where mb.manifest_id in (${manifestsOf}))`);
  return Number(row!.bytes);
}

export function repositoryStorageBytes(db: DbOrTx, repositoryId: number): Promise<number> {
  return uniqueBlobBytes(db, sql`select m.id from manifests m where m.repository_id = ${repositoryId}`);
}

export function namespaceStorageBytes(db: DbOrTx, namespaceId: number): Promise<number> {
  return uniqueBlobBytes(
    db,
    sql`select m.id from manifests m join repositories r on r.id = m.repository_id where r.namespace_id = ${namespaceId}`,
  );
}

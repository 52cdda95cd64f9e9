// Garbage collection of scan results, called by the manifest and blob sweeps in the transaction
// that deletes the rows: a scan goes when no repository holds its digest any more (its package
// list cascades), a package when no remaining scan lists it (its matches cascade), and a layer's
// index when its blob is gone.
import { sql } from "drizzle-orm";
import type { Tx } from "../../../db/client.ts";

const texts = (values: string[]) => sql`${sql.param(values)}::text[]`;

/** Drops the scans of these digests that no manifest row holds any more; how many went. */
export async function dropScansOf(tx: Tx, digests: string[]): Promise<number> {
  if (digests.length === 0) return 0;
  const held = await tx.execute<{ package_id: number }>(sql`
    select distinct package_id from manifest_packages where manifest_digest = any(${texts(digests)})`);
  const gone = await tx.execute(sql`
    delete from manifest_scans s
    where s.digest = any(${texts(digests)}) and not exists (select 1 from manifests m where m.digest = s.digest)
    returning s.digest`);
  await dropUnlistedPackages(tx, held.map((row) => Number(row.package_id)));
  return gone.length;
}

/**
 * Deletes those of these packages no scan lists. A scan writing its list holds the packages it
 * reuses (FOR KEY SHARE, package-rows.ts), so they are skipped while it runs; the ones locked
 * here are judged again in a fresh statement, which sees every list committed before the lock.
 */
async function dropUnlistedPackages(tx: Tx, packageIds: number[]): Promise<void> {
  if (packageIds.length === 0) return;
  const ids = sql`${sql.param(packageIds)}::int[]`;
  const unlisted = sql`not exists (select 1 from manifest_packages mp where mp.package_id = p.id)`;
  const locked = await tx.execute<{ id: number }>(sql`
    select p.id from scanned_packages p where p.id = any(${ids}) and ${unlisted} order by p.id for update skip locked`);
  if (locked.length === 0) return;
  await tx.execute(sql`
    delete from scanned_packages p where p.id = any(${sql.param(locked.map((row) => Number(row.id)))}::int[]) and ${unlisted}`);
}

/** Drops what was read from these layers (their blobs are gone). */
export async function dropLayerIndexesOf(tx: Tx, digests: string[]): Promise<void> {
  if (digests.length === 0) return;
  await tx.execute(sql`delete from layer_indexes where digest = any(${texts(digests)})`);
}

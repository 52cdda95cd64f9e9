// One batch of the manifests phase: deletes the batch's manifests that nothing keeps.
//
// Race safety. Writers that start keeping a manifest all touch its row: a tag or an index's
// child link inserted (their foreign-key checks take FOR KEY SHARE on it), a re-push (the
// manifest upsert locks it), a new index's child check (FOR KEY SHARE in manifest-write.ts).
// So the sweep locks (FOR UPDATE SKIP LOCKED) each unreachable manifest together with all its
// ancestors, leaves alone any whose set is not wholly locked (a writer holds part of it), then
// judges again in a new statement: a writer that committed before the lock is seen now; one
// that comes after waits for this transaction and finds the row gone (its push fails cleanly
// instead of pointing at nothing). A manifest is deleted only with all its ancestors, so no
// surviving index or subject (one a writer could tag just after) ever loses what it reaches.
import { sql } from "drizzle-orm";
import type { Tx } from "../../../db/client.ts";
import { dropScansOf } from "../scanning/scan-gc.ts";
import { type KeepRules, unreachableAmong } from "./gc-reachability.ts";

const ids = (values: number[]) => sql`${sql.param(values)}::int[]`;

/** Deletes what is unreachable among `batch` (manifest ids); returns how many manifests went. */
export async function sweepManifestBatch(tx: Tx, batch: number[], rules: KeepRules): Promise<number> {
  const unreachable = await unreachableAmong(tx, batch, rules);
  if (unreachable.size === 0) return 0;
  const closure = [...new Set([...unreachable.values()].flatMap((set) => [...set]))];
  const lockedRows = await tx.execute<{ id: number }>(sql`
    select id from manifests where id = any(${ids(closure)}) order by id for update skip locked`);
  const locked = new Set(lockedRows.map((r) => Number(r.id)));
  const whollyLocked = (set: Set<number>) => [...set].every((id) => locked.has(id));
  const lockedCandidates = [...unreachable].filter(([, set]) => whollyLocked(set)).map(([id]) => id);
  // Judged again under the locks, from a fresh snapshot (each statement takes its own).
  const still = await unreachableAmong(tx, lockedCandidates, rules);
  const doomed = [...new Set([...still.values()].filter(whollyLocked).flatMap((set) => [...set]))];
  if (doomed.length === 0) return 0;
  // Ended tag rows (history out of the window) and child links go first: their foreign keys
  // hold the manifests. Labels, layer rows and the manifest's own child links cascade.
  await tx.execute(sql`delete from tags where manifest_id = any(${ids(doomed)})`);
  await tx.execute(sql`delete from manifest_children where child_id = any(${ids(doomed)})`);
  const deleted = await tx.execute<{ id: number; digest: string }>(sql`delete from manifests where id = any(${ids(doomed)}) returning id, digest`);
  await dropScansOf(tx, [...new Set(deleted.map((m) => m.digest))]);
  return deleted.length;
}

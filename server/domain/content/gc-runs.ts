// The gc_runs rows: one per garbage-collection run, holding its phase, cursors and counters so
// that a run stopped by a restart is resumed where it was. Its heartbeat says someone is on it:
// a run whose heartbeat is older than STALE_RUN_MS is taken over by the next worker to try.
import { type AnyColumn, and, desc, eq, isNull, sql } from "drizzle-orm";
import type { Db, Tx } from "../../../db/client.ts";
import { gcRuns } from "../../../db/schema.ts";

export type GcRun = typeof gcRuns.$inferSelect;
export type GcPhase = "uploads" | "manifests" | "blobs" | "done";

/** A worker heartbeats after every batch (seconds apart at most): this long without one, it is gone. */
export const STALE_RUN_MS = 5 * 60 * 1000;

/** Serializes claiming among workers (an arbitrary constant key for pg_advisory_xact_lock). */
const CLAIM_LOCK = 0x6763_7275; // "gcru"

/** Another worker took the run over (this one looked dead): stop without touching it. */
export class LostRunError extends Error {
  constructor(runId: number) {
    super(`garbage-collection run ${runId} was taken over by another worker`);
  }
}

/**
 * The run to work on: the unfinished one if its worker stopped heartbeating, else a new one.
 * Undefined while another worker's run is alive.
 */
export async function claimRun(db: Db, now: Date): Promise<GcRun | undefined> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${CLAIM_LOCK})`);
    const [open] = await tx.select().from(gcRuns).where(isNull(gcRuns.finishedAt)).orderBy(desc(gcRuns.id)).limit(1);
    if (open && now.getTime() - open.heartbeatAt.getTime() < STALE_RUN_MS) return undefined;
    if (open) {
      const [resumed] = await tx.update(gcRuns).set({ heartbeatAt: now, error: null }).where(eq(gcRuns.id, open.id)).returning();
      return resumed;
    }
    const [created] = await tx.insert(gcRuns).values({ startedAt: now, heartbeatAt: now }).returning();
    return created;
  });
}

export interface RunProgress {
  phase?: GcPhase;
  manifestCursor?: number;
  blobCursor?: string;
  manifestsExamined?: number;
  manifestsDeleted?: number;
  blobsExamined?: number;
  blobsDeleted?: number;
  uploadsDeleted?: number;
  bytesReclaimed?: number;
}

const added = (column: AnyColumn, n: number | undefined) =>
  n ? sql`${column} + ${n}` : undefined;

/**
 * Records a batch's progress (counters are added) with a heartbeat, in the batch's transaction,
 * so cursors and counters always match what was deleted. Only while the run is still ours: the
 * heartbeat must be the one we last wrote, else LostRunError (and the batch rolls back).
 */
export async function recordProgress(tx: Tx, run: GcRun, progress: RunProgress, now: Date): Promise<GcRun> {
  const [updated] = await tx
    .update(gcRuns)
    .set({
      phase: progress.phase,
      manifestCursor: progress.manifestCursor,
      blobCursor: progress.blobCursor,
      manifestsExamined: added(gcRuns.manifestsExamined, progress.manifestsExamined),
      manifestsDeleted: added(gcRuns.manifestsDeleted, progress.manifestsDeleted),
      blobsExamined: added(gcRuns.blobsExamined, progress.blobsExamined),
      blobsDeleted: added(gcRuns.blobsDeleted, progress.blobsDeleted),
      uploadsDeleted: added(gcRuns.uploadsDeleted, progress.uploadsDeleted),
      bytesReclaimed: added(gcRuns.bytesReclaimed, progress.bytesReclaimed),
      finishedAt: progress.phase === "done" ? now : undefined,
      heartbeatAt: now,
    })
    .where(and(eq(gcRuns.id, run.id), eq(gcRuns.heartbeatAt, run.heartbeatAt), isNull(gcRuns.finishedAt)))
    .returning();
  if (!updated) throw new LostRunError(run.id);
  return updated;
}

/** Notes a failure on the run (left unfinished: it is resumed once its heartbeat is stale). */
export async function recordRunError(db: Db, run: GcRun, message: string): Promise<void> {
  await db.update(gcRuns).set({ error: message }).where(and(eq(gcRuns.id, run.id), eq(gcRuns.heartbeatAt, run.heartbeatAt)));
}

export interface GcStatus {
  /** The newest run, finished or not. */
  latest: GcRun | undefined;
  /** The newest finished run. */
  lastFinished: GcRun | undefined;
  /** A worker is on the latest run (it heartbeated recently). */
  running: boolean;
}

export async function gcStatus(db: Db, now: Date): Promise<GcStatus> {
  const [[latest], [lastFinished]] = await Promise.all([
    db.select().from(gcRuns).orderBy(desc(gcRuns.id)).limit(1),
    db.select().from(gcRuns).where(sql`${gcRuns.finishedAt} is not null`).orderBy(desc(gcRuns.id)).limit(1),
  ]);
  const running = !!latest && !latest.finishedAt && now.getTime() - latest.heartbeatAt.getTime() < STALE_RUN_MS;
  return { latest, lastFinished, running };
}

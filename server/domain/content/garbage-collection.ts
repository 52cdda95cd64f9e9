// Online garbage collection: runs while pushes go on, from Postgres reference data alone (it
// never lists storage), in bounded batches, each its own transaction recording the run's cursor
// and counters. Phases: abandoned uploads (the upload-cleanup rule), then manifests by id (the
// keep rules: gc-reachability.ts; deletion: gc-manifest-sweep.ts), then blobs by digest
// (gc-blob-sweep.ts). A run stopped midway is resumed from its cursors (gc-runs.ts).
import { asc, gt } from "drizzle-orm";
import { blobs, manifests } from "../../../db/schema.ts";
import type { Services } from "../services.ts";
import { deleteBlobBytes, sweepBlobBatch } from "./gc-blob-sweep.ts";
import { sweepManifestBatch } from "./gc-manifest-sweep.ts";
import { claimRun, type GcRun, LostRunError, recordProgress, recordRunError } from "./gc-runs.ts";
import { expireStaleUploads, STALE_UPLOAD_MS } from "./uploads.ts";

export interface GcOptions {
  /** Quay's PUSH_TEMP_TAG_EXPIRATION_SEC: untagged pushes and fresh blob links are kept this long. */
  graceSeconds: number;
  /** Manifests or blobs per transaction. */
  batchSize?: number;
  /** Stop (unfinished, as a crash would) after this many batches: for tests of resumption. */
  stopAfterBatches?: number;
  /**
   * After each batch, rest this many times as long as the batch took (default 3: collection
   * takes at most a quarter of the time, so pushes going on keep their pace).
   */
  pace?: number;
}

const DEFAULT_BATCH = 500;
const DEFAULT_PACE = 3;

const rest = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What collection needs: the database, the blob store and the clock. */
export type GcServices = Pick<Services, "db" | "store" | "clock">;

/**
 * Works on the current run (resuming a stale one, else starting one) until it is done. Returns
 * the run as it stands, or undefined when another worker's run is alive.
 */
export async function collectGarbage(svc: GcServices, options: GcOptions): Promise<GcRun | undefined> {
  const run = await claimRun(svc.db, svc.clock.now());
  return run && continueRun(svc, run, options);
}

/**
 * The superuser's "run now": claims a run like the job does and works on it in the background,
 * answering at once with the run (undefined while another is alive). A failure is recorded on
 * the run (its error column), where the status page shows it.
 */
export async function startGarbageCollection(svc: GcServices, options: GcOptions): Promise<GcRun | undefined> {
  const run = await claimRun(svc.db, svc.clock.now());
  if (run) void continueRun(svc, run, options).catch(() => {});
  return run;
}

async function continueRun(svc: GcServices, claimed: GcRun, options: GcOptions): Promise<GcRun> {
  let run = claimed;
  try {
    const pace = options.pace ?? DEFAULT_PACE;
    for (let batches = 0; run.phase !== "done"; batches++) {
      if (options.stopAfterBatches !== undefined && batches >= options.stopAfterBatches) break;
      const started = performance.now();
      run = await step(svc, run, options);
      if (pace > 0 && run.phase !== "done") await rest((performance.now() - started) * pace);
    }
    return run;
  } catch (err) {
    if (!(err instanceof LostRunError)) await recordRunError(svc.db, run, err instanceof Error ? err.message : String(err));
    throw err;
  }
}

async function step(svc: GcServices, run: GcRun, options: GcOptions): Promise<GcRun> {
  const limit = options.batchSize ?? DEFAULT_BATCH;
  const now = svc.clock.now();
  const rules = { now, graceSeconds: options.graceSeconds };
  switch (run.phase) {
    case "uploads": {
      const removed = await expireStaleUploads(svc, STALE_UPLOAD_MS);
      return svc.db.transaction((tx) => recordProgress(tx, run, { phase: "manifests", uploadsDeleted: removed }, now));
    }
    case "manifests":
      return svc.db.transaction(async (tx) => {
        const batch = await tx
          .select({ id: manifests.id })
          .from(manifests)
          .where(gt(manifests.id, run.manifestCursor))
          .orderBy(asc(manifests.id))
          .limit(limit);
        if (batch.length === 0) return recordProgress(tx, run, { phase: "blobs" }, now);
        const ids = batch.map((m) => m.id);
        const deleted = await sweepManifestBatch(tx, ids, rules);
        return recordProgress(
          tx,
          run,
          { manifestCursor: ids[ids.length - 1], manifestsExamined: ids.length, manifestsDeleted: deleted },
          now,
        );
      });
    case "blobs": {
      let deleted: string[] = [];
      const next = await svc.db.transaction(async (tx) => {
        const batch = await tx
          .select({ digest: blobs.digest })
          .from(blobs)
          .where(gt(blobs.digest, run.blobCursor))
          .orderBy(asc(blobs.digest))
          .limit(limit);
        if (batch.length === 0) return recordProgress(tx, run, { phase: "done" }, now);
        const digests = batch.map((b) => b.digest);
        const swept = await sweepBlobBatch(tx, digests, rules);
        deleted = swept.deleted;
        return recordProgress(
          tx,
          run,
          {
            blobCursor: digests[digests.length - 1],
            blobsExamined: digests.length,
            blobsDeleted: swept.deleted.length,
            bytesReclaimed: swept.bytes,
          },
          now,
        );
      });
      await deleteBlobBytes(svc.db, svc.store, deleted);
      return next;
    }
    default:
      return run;
  }
}

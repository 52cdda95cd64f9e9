// Indexing pushed manifests: a push queues a scan of its digest (once per digest, whichever
// repositories hold it), and the `security-scan` job reads the image's layers from blob storage
// — each layer once ever, its contents kept per layer digest in layer_indexes — stacks them,
// writes the manifest's packages with the layer that brought each, and matches them against the
// advisories held (matching.ts). A failure is kept with its reason and tried again a bounded
// number of times.
import { and, asc, eq, isNull, sql } from "drizzle-orm";
import type { Db } from "../../../db/client.ts";
import { layerIndexes, manifestScans, manifests } from "../../../db/schema.ts";
import type { Config } from "../../config.ts";
import { log } from "../../observability/log.ts";
import type { BlobStore } from "../../storage/blob-store.ts";
import type { Clock } from "../clock.ts";
import { parseManifest } from "../content/manifest-formats.ts";
import type { JobQueue } from "../job-queue.ts";
import { packageDetectors } from "./detectors/index.ts";
import { combineLayers } from "./layers/combine.ts";
import { type LayerContents, readLayer } from "./layers/read-layer.ts";
import { TarError } from "./layers/tar.ts";
import { matchPackages } from "./matching.ts";
import { writeManifestPackages } from "./package-rows.ts";
import { scanSubject } from "./scannable.ts";

export const SCAN_QUEUE = "security-scan";
/**
 * What the layer reader and detectors produce; raise it when they change, so layers are read
 * again and images indexed before are queued again by the backfill.
 */
export const INDEXER_VERSION = 2;
/** Tries of one scan before it stays "failed"; each retry waits RETRY_DELAY_SECONDS × its number. */
export const SCAN_ATTEMPTS = 3;
export const RETRY_DELAY_SECONDS = 60;
/**
 * A layer whose bytes are no archive the reader knows (not a tar, a broken gzip stream). Blobs
 * are content-addressed, so trying the same bytes again cannot help: the scan fails at once.
 */
class UnreadableLayer extends Error {}

const isContentProblem = (err: unknown): boolean =>
  err instanceof TarError || (typeof (err as { code?: unknown }).code === "string" && (err as { code: string }).code.startsWith("Z_"));

/** A queued scan whose job went missing (a queue that was down) is sent again after this long. */
const LOST_JOB_SECONDS = 3600;
/** Manifests the backfill queues per run. */
const BACKFILL_BATCH = 1000;

export interface ScanServices {
  db: Db;
  store: BlobStore;
  clock: Clock;
  jobs?: JobQueue;
  config: Pick<Config, "features">;
}

export interface ScanJob {
  digest: string;
  /** 1 for the first try. */
  attempt: number;
}

/**
 * Queues the scan of a pushed manifest unless it has one already (another repository pushed the
 * same digest): true when queued. Never throws: a push does not fail for its scan.
 */
export async function queueManifestScan(svc: Pick<ScanServices, "db" | "jobs" | "config" | "clock">, digest: string): Promise<boolean> {
  if (!svc.config.features.securityScanner) return false;
  try {
    const [row] = await svc.db
      .insert(manifestScans)
      .values({ digest, status: "queued", queuedAt: svc.clock.now() })
      .onConflictDoNothing()
      .returning({ digest: manifestScans.digest });
    if (!row) return false;
    await sendScan(svc, { digest, attempt: 1 });
    return true;
  } catch (err) {
    log.error({ err, digest }, "scanning: scan not queued");
    return false;
  }
}

async function sendScan(svc: Pick<ScanServices, "jobs">, job: ScanJob, startAfter?: number): Promise<void> {
  await svc.jobs?.send(SCAN_QUEUE, job, startAfter ? { startAfter } : undefined);
}

/** The stored bytes and media type of a manifest with this digest in any repository (live ones first). */
async function storedManifest(db: Db, digest: string) {
  const [row] = await db
    .select({ raw: manifests.raw, mediaType: manifests.mediaType })
    .from(manifests)
    .where(eq(manifests.digest, digest))
    .orderBy(sql`${manifests.deletedAt} is not null`)
    .limit(1);
  return row;
}

async function setScan(db: Db, digest: string, values: Partial<typeof manifestScans.$inferInsert>): Promise<void> {
  await db.update(manifestScans).set(values).where(eq(manifestScans.digest, digest));
}

const describe = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** A layer's contents: from layer_indexes when read before by this indexer version, else read now and kept. */
async function layerContents(svc: ScanServices, digest: string): Promise<LayerContents> {
  const [known] = await svc.db
    .select({ contents: layerIndexes.contents })
    .from(layerIndexes)
    .where(and(eq(layerIndexes.digest, digest), eq(layerIndexes.indexerVersion, INDEXER_VERSION)));
  if (known) return known.contents as LayerContents;
  // The stored reason is shown to people: the storage's own error (a file path, a bucket) is only logged.
  const bytes = await svc.store.read(digest).catch((err: unknown) => {
    throw new Error(`layer ${digest} could not be opened in blob storage`, { cause: err });
  });
  const contents = await readLayer({ digest, bytes }, packageDetectors).catch((err: unknown) => {
    const Failure = isContentProblem(err) ? UnreadableLayer : Error;
    throw new Failure(`layer ${digest} could not be read: ${describe(err)}`, { cause: err });
  });
  const row = { digest, indexerVersion: INDEXER_VERSION, contents, indexedAt: svc.clock.now() };
  await svc.db.insert(layerIndexes).values(row).onConflictDoUpdate({ target: layerIndexes.digest, set: row });
  return contents;
}

/**
 * The job's body: indexes the manifest and records the outcome. Throws only when even that
 * cannot be written; otherwise a failed try is stored with its reason and queued again (held
 * back) until SCAN_ATTEMPTS are spent, then left "failed" — at once for a layer that is no archive.
 */
export async function runScanJob(svc: ScanServices, job: ScanJob): Promise<void> {
  try {
    await indexManifest(svc, job.digest);
  } catch (err) {
    const reason = describe(err);
    const unreadable = err instanceof UnreadableLayer;
    const last = unreadable || job.attempt >= SCAN_ATTEMPTS;
    log.warn({ err, digest: job.digest, attempt: job.attempt }, "scanning: scan failed");
    const error = unreadable ? reason : `try ${job.attempt} of ${SCAN_ATTEMPTS}: ${reason}`;
    await setScan(svc.db, job.digest, { status: last ? "failed" : "queued", error });
    if (!last) await sendScan(svc, { digest: job.digest, attempt: job.attempt + 1 }, RETRY_DELAY_SECONDS * job.attempt);
  }
}

/**
 * Indexes one manifest by digest: an image's packages are written with the layer that introduced
 * each and matched against the advisories held, an index has its platform images queued,
 * anything else is marked unsupported. Returns the ids of the image's packages. A scan already done by this indexer is not
 * done again (a job may run twice).
 */
export async function indexManifest(svc: ScanServices, digest: string): Promise<number[]> {
  const [scan] = await svc.db.select().from(manifestScans).where(eq(manifestScans.digest, digest));
  if (scan && (scan.status === "unsupported" || scan.status === "scanned") && scan.indexerVersion === INDEXER_VERSION) return [];
  const stored = await storedManifest(svc.db, digest);
  if (!stored) {
    // Garbage collection took the manifest while its scan waited: nothing is left to scan.
    await svc.db.delete(manifestScans).where(eq(manifestScans.digest, digest));
    return [];
  }
  if (!scan) await svc.db.insert(manifestScans).values({ digest, status: "queued", queuedAt: svc.clock.now() }).onConflictDoNothing();
  const subject = scanSubject(await parseManifest(stored.raw, stored.mediaType));
  const finished = { indexerVersion: INDEXER_VERSION, scannedAt: svc.clock.now(), error: null };
  if (subject.kind !== "image") {
    if (subject.kind === "index") for (const child of subject.children) await queueManifestScan(svc, child.digest);
    const reason = subject.kind === "index" ? "an index: each platform's image is scanned on its own" : subject.reason;
    await setScan(svc.db, digest, { ...finished, status: "unsupported", distribution: null, error: reason });
    return [];
  }
  await setScan(svc.db, digest, { status: "scanning" });
  const layers: LayerContents[] = [];
  for (const layer of subject.layers) layers.push(await layerContents(svc, layer.digest));
  const image = combineLayers(layers);
  const ids = await svc.db.transaction(async (tx) => {
    // Held while the list is replaced, so a second copy of the job waits and then writes alone.
    await tx.execute(sql`select 1 from manifest_scans where digest = ${digest} for update`);
    return writeManifestPackages(tx, digest, image);
  });
  // "scanned" only once matched: a try that fails before then is done again whole.
  await matchPackages(svc, ids);
  await setScan(svc.db, digest, { ...finished, status: "scanned", distribution: image.distribution });
  return ids;
}

/**
 * Queues scans the pushes did not: manifests pushed before scanning existed (or while it was
 * switched off), scans made by an older indexer, and queued scans whose job went missing.
 * Returns how many were queued; runs in batches, so a large registry is covered over several runs.
 */
export async function backfillScans(svc: Pick<ScanServices, "db" | "jobs" | "config" | "clock">): Promise<number> {
  if (!svc.config.features.securityScanner) return 0;
  const unscanned = await svc.db
    .selectDistinct({ digest: manifests.digest })
    .from(manifests)
    .leftJoin(manifestScans, eq(manifestScans.digest, manifests.digest))
    .where(and(isNull(manifests.deletedAt), isNull(manifestScans.digest)))
    .orderBy(asc(manifests.digest))
    .limit(BACKFILL_BATCH);
  let queued = 0;
  for (const { digest } of unscanned) if (await queueManifestScan(svc, digest)) queued++;
  const lostBefore = new Date(svc.clock.now().getTime() - LOST_JOB_SECONDS * 1000);
  // Sent again, dated now, so the next run leaves them alone while they wait in the queue.
  const again = await svc.db
    .update(manifestScans)
    .set({ status: "queued", queuedAt: svc.clock.now() })
    .where(
      sql`${manifestScans.digest} in (
        select digest from manifest_scans
        where (status = 'queued' and queued_at < ${lostBefore.toISOString()}::timestamptz)
           or (status in ('scanned', 'unsupported') and indexer_version < ${INDEXER_VERSION})
        order by digest limit ${BACKFILL_BATCH})`,
    )
    .returning({ digest: manifestScans.digest });
  for (const { digest } of again) await sendScan(svc, { digest, attempt: 1 });
  return queued + again.length;
}

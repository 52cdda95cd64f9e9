// The sync of a mirror repository: a worker claims one due mirror (its start date passed, or
// "sync now", or a claim whose worker stopped renewing it), lists the upstream tags, keeps those
// matching the globs, copies each changed tag's manifests (every platform of an index) and the
// blobs the repository lacks (streamed, digest-verified by the upload path), moves the tags as
// the mirror robot, and removes tags gone upstream. Everything copied stays, so a sync after a
// crash skips what is stored already. Each claim carries a new transaction id: a worker whose
// claim was cancelled or taken over finds its id gone at its next renewal and stops.
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../../../db/client.ts";
import { blobs, repositoryMirrors, tags, users } from "../../../db/schema.ts";
import type { Config } from "../../config.ts";
import type { Clock } from "../clock.ts";
import { log } from "../../observability/log.ts";
import { performedBy, writeAudit } from "../activity/audit.ts";
import { type Actor, NO_NAMESPACE } from "../access/principal.ts";
import { findBlobInRepo, recordBlob } from "../content/blobs.ts";
import { parseManifest, type Descriptor } from "../content/manifest-formats.ts";
import { findManifest, pushManifest } from "../content/manifests.ts";
import { liveTagCondition } from "../content/tags.ts";
import { deleteTag } from "../content/tag-changes.ts";
import { uploadWhole } from "../content/uploads.ts";
import type { JobQueue } from "../job-queue.ts";
import { configuredSiteUrl, emitRepositoryEvent } from "../notifications/delivery.ts";
import { mirrorSyncData } from "../notifications/events.ts";
import type { NotificationEvent } from "../notifications/catalog.ts";
import { findRepository, type Repository } from "../repositories/repositories.ts";
import { queueManifestScan } from "../scanning/indexing.ts";
import type { Services } from "../services.ts";
import { mirrorCredentials, referenceProblem, SYNC_RETRIES } from "./repository-mirrors.ts";
import { matchingTags } from "./tag-globs.ts";
import { splitReference, UpstreamClient, UpstreamError } from "./upstream-client.ts";

export const REPOSITORY_MIRROR_QUEUE = "repository-mirror";

/** Runs the mirror job now (it also runs every minute), e.g. after "sync now". */
export const wakeMirrorSync = (jobs: JobQueue | undefined) => jobs?.send(REPOSITORY_MIRROR_QUEUE, {});

export interface SyncServices extends Services {
  config: Pick<Config, "ssrfAllowedHosts" | "notificationFailureLimit" | "publicUrl" | "host" | "port" | "mirror" | "features">;
  jobs?: JobQueue;
}

/** A worker's hold on one mirror. */
export interface MirrorClaim {
  repositoryId: number;
  transactionId: string;
}

/** What one sync did (the success log row carries it; the bench reads it). */
export interface SyncReport {
  status: "SUCCESS" | "FAIL" | "CANCEL";
  tagsUpdated: string[];
  tagsRemoved: string[];
  tagsFailed: string[];
  blobsFetched: number;
  bytesFetched: number;
  blobsReused: number;
  error?: string;
}

/** After a failed try with retries left, the next try waits this long. */
const RETRY_DELAY_S = 60;
/** Retries a blob or manifest fetch gets within a sync (network blips), not counting the first. */
const MAX_TAG_TRIES = 2;

export class ClaimLost extends Error {}

/**
 * Claims the mirror that has waited longest among the due ones (FOR UPDATE SKIP LOCKED: workers
 * never claim the same one), or null. Only enabled mirrors of repositories in state MIRROR.
 */
export async function claimDueMirror(svc: Pick<SyncServices, "db" | "clock" | "config">): Promise<MirrorClaim | null> {
  const now = svc.clock.now().toISOString();
  const rows = await svc.db.execute<{ repository_id: number; sync_transaction_id: string }>(sql`
    update ${repositoryMirrors} m
    set sync_status = 'SYNCING', sync_transaction_id = gen_random_uuid(),
        sync_expiration_date = ${now}::timestamptz + make_interval(secs => ${svc.config.mirror.claimSeconds})
    from (
      select d.repository_id from ${repositoryMirrors} d join repositories r on r.id = d.repository_id
      where d.is_enabled and r.state = 'MIRROR' and (
        d.sync_status = 'SYNC_NOW'
        or (d.sync_status in ('NEVER_RUN', 'SUCCESS', 'FAIL', 'CANCEL') and d.sync_start_date <= ${now}::timestamptz)
        or (d.sync_status = 'SYNCING' and d.sync_expiration_date <= ${now}::timestamptz))
      order by d.sync_start_date limit 1
      for update of d skip locked
    ) due
    where m.repository_id = due.repository_id
    returning m.repository_id, m.sync_transaction_id`);
  const row = rows[0];
  return row ? { repositoryId: Number(row.repository_id), transactionId: row.sync_transaction_id } : null;
}

/** Renews the claim; false once it is no longer ours (cancelled, or taken over after lapsing). */
async function renew(svc: Pick<SyncServices, "db" | "clock" | "config">, claim: MirrorClaim): Promise<boolean> {
  const rows = await svc.db
    .update(repositoryMirrors)
    .set({ syncExpirationDate: new Date(svc.clock.now().getTime() + svc.config.mirror.claimSeconds * 1000) })
    .where(
      and(
        eq(repositoryMirrors.repositoryId, claim.repositoryId),
        eq(repositoryMirrors.syncTransactionId, claim.transactionId),
        eq(repositoryMirrors.syncStatus, "SYNCING"),
      ),
    )
    .returning({ id: repositoryMirrors.repositoryId });
  return rows.length > 0;
}

/** The next scheduled start after `now`, keeping the configured start's phase. */
export function nextStart(start: Date, intervalS: number, now: Date): Date {
  const interval = intervalS * 1000;
  const periods = Math.floor((now.getTime() - start.getTime()) / interval) + 1;
  return new Date(start.getTime() + Math.max(1, periods) * interval);
}

/**
 * When a mirror syncs next after a sync ended with `status`: on the schedule after a success or
 * the last retry, else after RETRY_DELAY_S with one retry fewer.
 */
export function nextSync(
  m: { syncRetriesRemaining: number; syncStartDate: Date; syncIntervalS: number },
  status: "SUCCESS" | "FAIL",
  now: Date,
): { syncStartDate: Date; syncRetriesRemaining: number } {
  const retriesLeft = m.syncRetriesRemaining - 1;
  const scheduled = status === "SUCCESS" || retriesLeft <= 0;
  return {
    syncStartDate: scheduled ? nextStart(m.syncStartDate, m.syncIntervalS, now) : new Date(now.getTime() + RETRY_DELAY_S * 1000),
    syncRetriesRemaining: scheduled ? SYNC_RETRIES : retriesLeft,
  };
}

/** Records the outcome if the claim is still ours. */
async function finish(svc: Pick<SyncServices, "db" | "clock">, claim: MirrorClaim, report: SyncReport): Promise<void> {
  const now = svc.clock.now();
  const [m] = await svc.db.select().from(repositoryMirrors).where(eq(repositoryMirrors.repositoryId, claim.repositoryId));
  if (!m || m.syncTransactionId !== claim.transactionId || m.syncStatus !== "SYNCING") return;
  await svc.db
    .update(repositoryMirrors)
    .set({
      syncStatus: report.status,
      syncExpirationDate: null,
      syncTransactionId: sql`gen_random_uuid()`,
      lastSyncAt: now,
      lastError: report.error ?? null,
      ...nextSync(m, report.status === "SUCCESS" ? "SUCCESS" : "FAIL", now),
    })
    .where(and(eq(repositoryMirrors.repositoryId, claim.repositoryId), eq(repositoryMirrors.syncTransactionId, claim.transactionId)));
}

/** Counts the bytes of a stream as they pass. */
function counted(stream: ReadableStream<Uint8Array>, add: (n: number) => void): AsyncIterable<Uint8Array> {
  return (async function* () {
    const reader = stream.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        add(value.byteLength);
        yield value;
      }
    } finally {
      reader.releaseLock();
    }
  })();
}

/** Copies what one mirror needs; the claim's renewal runs beside it (also the organization mirror's copier). */
export class MirrorCopier {
  readonly report: SyncReport = { status: "SUCCESS", tagsUpdated: [], tagsRemoved: [], tagsFailed: [], blobsFetched: 0, bytesFetched: 0, blobsReused: 0 };
  lost = false;

  constructor(
    private readonly svc: SyncServices,
    private readonly repo: Repository,
    private readonly robot: Actor,
    private readonly client: UpstreamClient,
    private readonly upstreamRepository: string,
  ) {}

  check(): void {
    if (this.lost) throw new ClaimLost("the sync was cancelled or taken over");
  }

  async copyBlob(d: Pick<Descriptor, "digest">): Promise<void> {
    this.check();
    if (await findBlobInRepo(this.svc.db, this.repo.id, d.digest)) {
      this.report.blobsReused++;
      return;
    }
    // Stored for another repository already: link it rather than fetch it again.
    const [known] = await this.svc.db.select({ size: blobs.size }).from(blobs).where(eq(blobs.digest, d.digest));
    if (known && (await this.svc.store.stat(d.digest)) !== null) {
      await recordBlob(this.svc.db, this.repo.id, { digest: d.digest, size: Number(known.size) }, this.svc.clock.now());
      this.report.blobsReused++;
      return;
    }
    const blob = await this.client.getBlob(this.upstreamRepository, d.digest);
    // uploadWhole hashes while it stores and refuses bytes whose digest differs (nothing kept).
    await uploadWhole(this.svc, this.repo.id, d.digest, counted(blob.stream, (n) => (this.report.bytesFetched += n)));
    this.report.blobsFetched++;
  }

  /** A manifest (an image, or an index with all its children) pushed under `reference`, children and blobs first. */
  async copyManifest(bytes: Uint8Array, mediaType: string, reference: string): Promise<void> {
    const parsed = await parseManifest(bytes, mediaType, "sha256");
    for (const child of parsed.children) {
      this.check();
      if (await findManifest(this.svc.db, this.repo.id, { digest: child.digest }, this.svc.clock.now())) continue;
      const m = await this.client.getManifest(this.upstreamRepository, child.digest);
      await this.copyManifest(m.bytes, m.mediaType, child.digest);
    }
    if (parsed.config) await this.copyBlob(parsed.config);
    for (const layer of parsed.layers) await this.copyBlob(layer);
    this.check();
    const pushed = await pushManifest(this.svc, this.robot, this.repo, reference, bytes, mediaType);
    // As a push through the registry would be (an index's children are pushed, and queued, each).
    await queueManifestScan(this.svc, pushed.digest);
  }

  /** One tag: nothing when it already points at the upstream's digest. */
  async copyTag(tag: string): Promise<void> {
    const head = await this.client.headManifest(this.upstreamRepository, tag);
    if (!head) return;
    const local = await findManifest(this.svc.db, this.repo.id, { tag }, this.svc.clock.now());
    if (local?.digest === head.digest) return;
    const m = await this.client.getManifest(this.upstreamRepository, head.digest);
    await this.copyManifest(m.bytes, m.mediaType, tag);
    this.report.tagsUpdated.push(tag);
  }

  async removeGone(kept: ReadonlySet<string>): Promise<void> {
    const local = await this.svc.db.select({ name: tags.name }).from(tags).where(liveTagCondition(this.repo.id, this.svc.clock.now()));
    for (const t of local) {
      if (kept.has(t.name)) continue;
      this.check();
      await deleteTag(this.svc, this.robot, this.repo, t.name);
      this.report.tagsRemoved.push(t.name);
    }
  }
}

export const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** The robot's pushes as an actor (anonymous when the robot is gone: the push rule then refuses it). */
export const robotActor = (robot: { id: number; username: string } | null): Actor =>
  robot
    ? { principal: { kind: "user", userId: robot.id, username: robot.username, namespaceId: NO_NAMESPACE, superuser: false, robot: true } }
    : { principal: { kind: "anonymous" } };

/**
 * Copies `upstreamTags` (each retried once after a network blip), removes the tags gone upstream
 * when asked, and throws when any tag failed or the claim was lost.
 */
export async function copyTags(copier: MirrorCopier, upstreamTags: string[], removeMissing: boolean, tagFailed: (tag: string, message: string) => Promise<void>): Promise<void> {
  for (const tag of upstreamTags) {
    for (let attempt = 1; ; attempt++) {
      try {
        await copier.copyTag(tag);
        break;
      } catch (err) {
        if (err instanceof ClaimLost) throw err;
        const transient = err instanceof UpstreamError && ["network", "timeout", "server"].includes(err.kind);
        if (transient && attempt < MAX_TAG_TRIES) continue;
        copier.report.tagsFailed.push(tag);
        await tagFailed(tag, messageOf(err));
        break;
      }
    }
  }
  if (removeMissing) await copier.removeGone(new Set(upstreamTags));
  copier.check();
  if (copier.report.tagsFailed.length > 0) throw new Error(`could not copy ${copier.report.tagsFailed.join(", ")}`);
}

/** Renews a claim three times per claim period while work runs, so only a dead worker's claim lapses; stop with clearInterval. */
export function keepRenewing(claimSeconds: number, renewal: () => Promise<boolean>, lost: () => void, context: Record<string, unknown>): ReturnType<typeof setInterval> {
  return setInterval(() => {
    renewal().then(
      (held) => {
        if (!held) lost();
      },
      (err: unknown) => log.warn({ err, ...context }, "mirror: claim renewal failed"),
    );
  }, (claimSeconds * 1000) / 3);
}

/** A client for a mirror's upstream, with its TLS, proxy and timeout settings. */
export const mirrorClient = (
  registry: string,
  m: { verifyTls: boolean; httpProxy: string | null; httpsProxy: string | null; noProxy: string | null; skopeoTimeoutS: number },
  credentials: { username: string | null; password: string | null },
  clock: Clock,
) =>
  new UpstreamClient({
    registry,
    username: credentials.username,
    password: credentials.password,
    verifyTls: m.verifyTls,
    proxy: { httpProxy: m.httpProxy, httpsProxy: m.httpsProxy, noProxy: m.noProxy },
    timeoutMs: m.skopeoTimeoutS * 1000,
    clock,
  });

/** Runs the claimed mirror's sync to its end (or until the claim is lost); its report. */
export async function runMirrorSync(svc: SyncServices, claim: MirrorClaim): Promise<SyncReport> {
  const [row] = await svc.db
    .select({ m: repositoryMirrors, robot: users })
    .from(repositoryMirrors)
    .leftJoin(users, eq(users.id, repositoryMirrors.robotUserId))
    .where(eq(repositoryMirrors.repositoryId, claim.repositoryId));
  const repo = row ? await repositoryById(svc.db, claim.repositoryId) : undefined;
  if (!row || !repo) return { status: "FAIL", tagsUpdated: [], tagsRemoved: [], tagsFailed: [], blobsFetched: 0, bytesFetched: 0, blobsReused: 0, error: "mirror gone" };
  const m = row.m;
  const robot = robotActor(row.robot);
  const audit = (kind: string, metadata: Record<string, unknown>) =>
    writeAudit(svc.db, {
      kind,
      namespaceId: repo.namespaceId,
      repositoryId: repo.id,
      ...performedBy(robot),
      metadata: { namespace: repo.namespace, repo: repo.name, external_reference: m.externalReference, ...metadata },
    });
  const subject = { siteUrl: configuredSiteUrl(svc.config), namespace: repo.namespace, name: repo.name };
  const emit = (event: NotificationEvent, message: string) =>
    emitRepositoryEvent(svc, { repositoryId: repo.id, event, data: mirrorSyncData(subject, message), performer: row.robot?.username });

  await audit("repo_mirror_sync_started", { message: `Mirror started for ${m.externalReference}` });
  await emit("repo_mirror_sync_started", `Mirror started for ${m.externalReference}`);

  const split = splitReference(m.externalReference);
  const credentials = await mirrorCredentials(svc.db, repo.id);
  const client = mirrorClient(split?.registry ?? "", m, credentials, svc.clock);
  const copier = new MirrorCopier(svc, repo, robot, client, split?.repository ?? "");
  const renewal = keepRenewing(svc.config.mirror.claimSeconds, () => renew(svc, claim), () => (copier.lost = true), { repositoryId: repo.id });
  const report = copier.report;
  try {
    if (!row.robot) throw new Error("the mirror has no robot account");
    const problem = await referenceProblem(m.externalReference, svc.config.ssrfAllowedHosts);
    if (problem || !split) throw new Error(problem ?? "invalid external reference");
    const upstreamTags = matchingTags(await client.listTags(split.repository), m.tagGlobs);
    await copyTags(copier, upstreamTags, m.removeMissingTags, (tag, message) => audit("repo_mirror_sync_tag_failed", { tag, message }));
  } catch (err) {
    report.status = err instanceof ClaimLost ? "CANCEL" : "FAIL";
    report.error = messageOf(err);
  } finally {
    clearInterval(renewal);
  }
  const facts = {
    tags_updated: report.tagsUpdated,
    tags_removed: report.tagsRemoved,
    blobs_fetched: report.blobsFetched,
    bytes_fetched: report.bytesFetched,
    blobs_reused: report.blobsReused,
  };
  if (report.status === "SUCCESS") {
    await finish(svc, claim, report);
    await audit("repo_mirror_sync_success", { message: `Mirror finished for ${m.externalReference}`, ...facts });
    await emit("repo_mirror_sync_success", `Mirror finished for ${m.externalReference}`);
  } else if (report.status === "FAIL") {
    await finish(svc, claim, report);
    await audit("repo_mirror_sync_failed", { message: report.error, ...facts });
    await emit("repo_mirror_sync_failed", report.error ?? "failed");
  }
  return report;
}

async function repositoryById(db: Db, id: number): Promise<Repository | undefined> {
  const [ref] = await db.execute<{ namespace: string; name: string }>(
    sql`select n.name as namespace, r.name from repositories r join namespaces n on n.id = r.namespace_id where r.id = ${id}`,
  );
  return ref ? findRepository(db, ref) : undefined;
}

/** Claims and syncs due mirrors one after another until none is due; how many ran. */
export async function syncDueMirrors(svc: SyncServices): Promise<number> {
  let ran = 0;
  for (let claim = await claimDueMirror(svc); claim; claim = await claimDueMirror(svc)) {
    await runMirrorSync(svc, claim);
    ran++;
  }
  return ran;
}

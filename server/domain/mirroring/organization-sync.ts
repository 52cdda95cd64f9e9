// The sync of an organization mirror: a worker claims one due mirror (start date passed, sync
// now, or a claim whose worker stopped renewing it), lists the upstream namespace's repositories
// (org-discovery.ts), keeps those matching the filters, records each in
// organization_mirror_repositories, creates the missing ones here (state ORG_MIRROR, the mirror's
// visibility, the robot granted write) and copies every tag of each with the repository mirror's
// copier (repository-sync.ts), so blobs already stored are linked, not fetched again.
//
// The claim is the mirror row's sync_expiration_date: set a claim period ahead when claimed and
// renewed three times a period, only by the worker whose value is still there. A takeover (after
// a lapse) always writes a later value and a cancel clears it, so a stale worker's renewal and
// outcome find the value changed and are dropped; the table needs no transaction id column.
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../../../db/client.ts";
import { namespaces, organizationMirrorRepositories, organizationMirrors, repoPermissions, repositories, users } from "../../../db/schema.ts";
import { performedBy, writeAudit } from "../activity/audit.ts";
import type { Actor } from "../access/principal.ts";
import { repositoryNameProblem } from "../names.ts";
import { findRepository, type Repository } from "../repositories/repositories.ts";
import type { MirrorSyncStatus } from "./repository-mirrors.ts";
import { orgMirrorCredentials, registryUrlProblem } from "./organization-mirrors.ts";
import { discoverRepositories, matchingRepositories } from "./org-discovery.ts";
import {
  ClaimLost,
  copyTags,
  keepRenewing,
  messageOf,
  MirrorCopier,
  mirrorClient,
  nextSync,
  robotActor,
  type SyncServices,
} from "./repository-sync.ts";
import type { UpstreamClient } from "./upstream-client.ts";
import type { JobQueue } from "../job-queue.ts";

export const ORGANIZATION_MIRROR_QUEUE = "organization-mirror";

/** Runs the organization mirror job now (it also runs every minute), e.g. after sync-now. */
export const wakeOrgMirrorSync = (jobs: JobQueue | undefined) => jobs?.send(ORGANIZATION_MIRROR_QUEUE, {});

/** A worker's hold on one organization mirror: the expiration it last wrote. */
export interface OrgMirrorClaim {
  namespaceId: number;
  expiresAt: Date;
}

export interface OrgSyncReport {
  status: "SUCCESS" | "FAIL" | "CANCEL";
  discovered: string[];
  synced: string[];
  failed: string[];
  error?: string;
}

type Svc = Pick<SyncServices, "db" | "clock" | "config">;

const claimEnd = (svc: Svc) => new Date(svc.clock.now().getTime() + svc.config.mirror.claimSeconds * 1000);

/** Claims the due organization mirror that has waited longest (FOR UPDATE SKIP LOCKED), or null. */
export async function claimDueOrgMirror(svc: Svc): Promise<OrgMirrorClaim | null> {
  const now = svc.clock.now().toISOString();
  const until = claimEnd(svc).toISOString();
  const rows = await svc.db.execute<{ namespace_id: number }>(sql`
    update ${organizationMirrors} m
    set sync_status = 'SYNCING', sync_expiration_date = ${until}::timestamptz
    from (
      select namespace_id from ${organizationMirrors}
      where is_enabled and (
        sync_status = 'SYNC_NOW'
        or (sync_status in ('NEVER_RUN', 'SUCCESS', 'FAIL', 'CANCEL') and sync_start_date <= ${now}::timestamptz)
        or (sync_status = 'SYNCING' and sync_expiration_date <= ${now}::timestamptz))
      order by sync_start_date limit 1
      for update skip locked
    ) due
    where m.namespace_id = due.namespace_id
    returning m.namespace_id`);
  const row = rows[0];
  return row ? { namespaceId: Number(row.namespace_id), expiresAt: new Date(until) } : null;
}

/** Still ours: syncing, with the expiration this worker wrote last. */
const held = (claim: OrgMirrorClaim) =>
  and(eq(organizationMirrors.namespaceId, claim.namespaceId), eq(organizationMirrors.syncStatus, "SYNCING"), eq(organizationMirrors.syncExpirationDate, claim.expiresAt));

async function renew(svc: Svc, claim: OrgMirrorClaim): Promise<boolean> {
  const until = claimEnd(svc);
  const rows = await svc.db.update(organizationMirrors).set({ syncExpirationDate: until }).where(held(claim)).returning({ id: organizationMirrors.namespaceId });
  if (rows.length > 0) claim.expiresAt = until;
  return rows.length > 0;
}

async function finish(svc: Svc, claim: OrgMirrorClaim, report: OrgSyncReport): Promise<void> {
  const now = svc.clock.now();
  const [m] = await svc.db.select().from(organizationMirrors).where(held(claim));
  if (!m) return;
  await svc.db
    .update(organizationMirrors)
    .set({ syncStatus: report.status, syncExpirationDate: null, ...nextSync(m, report.status === "SUCCESS" ? "SUCCESS" : "FAIL", now) })
    .where(held(claim));
}

async function setRepositoryStatus(db: Db, namespaceId: number, name: string, status: MirrorSyncStatus, message: string | null, at?: Date): Promise<void> {
  await db
    .update(organizationMirrorRepositories)
    .set({ syncStatus: status, statusMessage: message, ...(at ? { lastSyncDate: at } : {}) })
    .where(and(eq(organizationMirrorRepositories.namespaceId, namespaceId), eq(organizationMirrorRepositories.name, name)));
}

/**
 * The local repository for upstream `name`: created in state ORG_MIRROR with the mirror's
 * visibility when missing (logged as `create_repo` by the robot), the robot granted write. A
 * repository of that name that is not an organization mirror's is left alone (an error).
 */
async function mirroredRepository(db: Db, robot: Actor, robotId: number, namespace: { id: number; name: string }, name: string, visibility: "public" | "private"): Promise<Repository> {
  const problem = repositoryNameProblem(name);
  if (problem) throw new Error(`the upstream name is not a valid repository name here: ${problem}`);
  const created = await db
    .insert(repositories)
    .values({ namespaceId: namespace.id, name, visibility, state: "ORG_MIRROR" })
    .onConflictDoNothing()
    .returning({ id: repositories.id });
  if (created[0]) {
    await writeAudit(db, { kind: "create_repo", namespaceId: namespace.id, repositoryId: created[0].id, ...performedBy(robot), metadata: { namespace: namespace.name, repo: name } });
  }
  const repo = await findRepository(db, { namespace: namespace.name, name });
  if (!repo) throw new Error("the repository could not be created");
  if (repo.state !== "ORG_MIRROR") throw new Error(`${namespace.name}/${name} exists and is not an organization mirror repository`);
  await db.insert(repoPermissions).values({ repositoryId: repo.id, userId: robotId, role: "write" }).onConflictDoUpdate({
    target: [repoPermissions.repositoryId, repoPermissions.userId],
    set: { role: "write" },
    setWhere: sql`${repoPermissions.role} = 'read'`,
  });
  return repo;
}

/** Copies every tag of one upstream repository (tags gone upstream removed); throws, saying which tags failed, or when the claim is lost. */
async function syncRepository(copier: MirrorCopier, client: UpstreamClient, upstreamRepository: string): Promise<void> {
  const failures: string[] = [];
  try {
    await copyTags(copier, await client.listTags(upstreamRepository), true, async (tag, message) => {
      failures.push(`${tag}: ${message}`);
    });
  } catch (err) {
    throw failures.length > 0 && !(err instanceof ClaimLost) ? new Error(failures.join("; ")) : err;
  }
}

/** Runs the claimed organization mirror's sync: discovery, then each matching repository. */
export async function runOrgMirrorSync(svc: SyncServices, claim: OrgMirrorClaim): Promise<OrgSyncReport> {
  const report: OrgSyncReport = { status: "SUCCESS", discovered: [], synced: [], failed: [] };
  const [row] = await svc.db
    .select({ m: organizationMirrors, robot: users, namespace: namespaces.name })
    .from(organizationMirrors)
    .innerJoin(namespaces, eq(namespaces.id, organizationMirrors.namespaceId))
    .leftJoin(users, eq(users.id, organizationMirrors.robotUserId))
    .where(eq(organizationMirrors.namespaceId, claim.namespaceId));
  if (!row) return { ...report, status: "FAIL", error: "mirror gone" };
  const m = row.m;
  const robot = robotActor(row.robot);
  const reference = `${m.externalRegistryUrl.replace(/\/+$/, "")}/${m.externalNamespace}`;
  const audit = (kind: string, metadata: Record<string, unknown>) =>
    writeAudit(svc.db, { kind, namespaceId: m.namespaceId, ...performedBy(robot), metadata: { namespace: row.namespace, external_reference: reference, ...metadata } });
  await audit("org_mirror_sync_started", { message: `Organization mirror started for ${reference}` });

  // The repository being copied learns at once that the claim is lost.
  const hold = { lost: false, copier: null as MirrorCopier | null };
  const lose = () => {
    hold.lost = true;
    if (hold.copier) hold.copier.lost = true;
  };
  const renewal = keepRenewing(svc.config.mirror.claimSeconds, () => renew(svc, claim), lose, { namespaceId: m.namespaceId });
  try {
    if (!row.robot) throw new Error("the mirror has no robot account");
    const problem = await registryUrlProblem(m.externalRegistryUrl, svc.config.ssrfAllowedHosts);
    if (problem) throw new Error(problem);
    const credentials = await orgMirrorCredentials(svc.db, m.namespaceId);
    if (credentials.invalid) throw new Error("the upstream credentials can no longer be read: enter them again");
    const client = mirrorClient(m.externalRegistryUrl, m, credentials, svc.clock);
    report.discovered = matchingRepositories(await discoverRepositories(client, m.externalRegistryType, m.externalNamespace), m.repositoryFilters);
    const now = svc.clock.now();
    if (report.discovered.length > 0) {
      await svc.db
        .insert(organizationMirrorRepositories)
        .values(report.discovered.map((name) => ({ namespaceId: m.namespaceId, name, discoveryDate: now, syncStatus: "SYNC_NOW" as const })))
        .onConflictDoUpdate({ target: [organizationMirrorRepositories.namespaceId, organizationMirrorRepositories.name], set: { syncStatus: "SYNC_NOW" } });
    }
    for (const name of report.discovered) {
      if (hold.lost) throw new ClaimLost("the sync was cancelled or taken over");
      await setRepositoryStatus(svc.db, m.namespaceId, name, "SYNCING", null);
      try {
        const repo = await mirroredRepository(svc.db, robot, row.robot.id, { id: m.namespaceId, name: row.namespace }, name, m.visibility);
        await svc.db.update(organizationMirrorRepositories).set({ repositoryId: repo.id }).where(and(eq(organizationMirrorRepositories.namespaceId, m.namespaceId), eq(organizationMirrorRepositories.name, name)));
        hold.copier = new MirrorCopier(svc, repo, robot, client, `${m.externalNamespace}/${name}`);
        await syncRepository(hold.copier, client, `${m.externalNamespace}/${name}`);
        await setRepositoryStatus(svc.db, m.namespaceId, name, "SUCCESS", null, svc.clock.now());
        report.synced.push(name);
      } catch (err) {
        if (err instanceof ClaimLost) {
          await setRepositoryStatus(svc.db, m.namespaceId, name, "CANCEL", err.message);
          throw err;
        }
        await setRepositoryStatus(svc.db, m.namespaceId, name, "FAIL", messageOf(err), svc.clock.now());
        report.failed.push(name);
      }
    }
    if (report.failed.length > 0) throw new Error(`could not mirror ${report.failed.join(", ")}`);
  } catch (err) {
    report.status = err instanceof ClaimLost ? "CANCEL" : "FAIL";
    report.error = messageOf(err);
  } finally {
    clearInterval(renewal);
  }
  if (report.status === "CANCEL") return report;
  await finish(svc, claim, report);
  const facts = { repositories_discovered: report.discovered, repositories_synced: report.synced, repositories_failed: report.failed };
  if (report.status === "SUCCESS") await audit("org_mirror_sync_success", { message: `Organization mirror finished for ${reference}`, ...facts });
  else await audit("org_mirror_sync_failed", { message: report.error, ...facts });
  return report;
}

/**
 * Quay's verify: whether the upstream answers with these credentials and its namespace can be
 * listed (nothing is synced); `{success, message}`.
 */
export async function verifyOrgMirror(svc: Pick<SyncServices, "db" | "clock" | "config">, namespaceId: number): Promise<{ success: boolean; message: string }> {
  const [m] = await svc.db.select().from(organizationMirrors).where(eq(organizationMirrors.namespaceId, namespaceId));
  if (!m) return { success: false, message: "No mirror configuration exists for this organization" };
  const credentials = await orgMirrorCredentials(svc.db, namespaceId);
  if (credentials.invalid) return { success: false, message: "Failed to decrypt source registry credentials" };
  const problem = await registryUrlProblem(m.externalRegistryUrl, svc.config.ssrfAllowedHosts);
  if (problem) return { success: false, message: problem };
  const client = mirrorClient(m.externalRegistryUrl, m, credentials, svc.clock);
  try {
    await client.ping();
    const names = await discoverRepositories(client, m.externalRegistryType, m.externalNamespace);
    return { success: true, message: `Connected to ${m.externalRegistryUrl}: ${names.length} repositories in ${m.externalNamespace}` };
  } catch (err) {
    return { success: false, message: messageOf(err) };
  }
}

/** Claims and syncs due organization mirrors one after another until none is due; how many ran. */
export async function syncDueOrgMirrors(svc: SyncServices): Promise<number> {
  let ran = 0;
  for (let claim = await claimDueOrgMirror(svc); claim; claim = await claimDueOrgMirror(svc)) {
    await runOrgMirrorSync(svc, claim);
    ran++;
  }
  return ran;
}

// An organization's mirror settings (Quay's organization mirroring): the upstream registry and
// namespace, sealed credentials, repository filters (globs), the robot pushing the copies, the
// visibility of the repositories it creates, the schedule; with Quay's checks, refusals and log
// kinds; sync-now, cancel, and the repositories found upstream. The sync is organization-sync.ts.
import { and, asc, count, eq, max, sql } from "drizzle-orm";
import type { Db, DbOrTx } from "../../../db/client.ts";
import { organizationMirrorRepositories, organizationMirrors, proxyCacheConfigs, repositories, users } from "../../../db/schema.ts";
import { encryptPassword } from "../../auth/encrypted-passwords.ts";
import { callbackUrlProblem } from "../activity/log-export.ts";
import { performedBy, writeAudit } from "../activity/audit.ts";
import type { Organization } from "../accounts/organizations.ts";
import type { Actor } from "../access/principal.ts";
import { DomainError } from "../errors.ts";
import { type MirrorSyncStatus, openSealed, SYNC_RETRIES } from "./repository-mirrors.ts";

export const ORG_MIRROR_REGISTRY_TYPES = ["harbor", "quay"] as const;
export type OrgMirrorRegistryType = (typeof ORG_MIRROR_REGISTRY_TYPES)[number];
export const SYNC_STATUSES: readonly MirrorSyncStatus[] = ["NEVER_RUN", "SYNC_NOW", "SYNCING", "SUCCESS", "FAIL", "CANCEL"];

/** What an admin sets (everything but the password is shown back). */
export interface OrgMirrorSettings {
  isEnabled: boolean;
  registryType: string;
  registryUrl: string;
  externalNamespace: string;
  username: string | null;
  verifyTls: boolean;
  httpProxy: string | null;
  httpsProxy: string | null;
  noProxy: string | null;
  /** Globs over upstream repository names (within the namespace); none: every repository. */
  repositoryFilters: string[];
  robotUsername: string;
  visibility: string;
  syncIntervalS: number;
  syncStartDate: Date;
  skopeoTimeoutS: number;
}

export type OrgMirrorChange = Partial<OrgMirrorSettings> & { password?: string | null };

export interface OrgMirrorView extends Omit<OrgMirrorSettings, "robotUsername"> {
  robotUsername: string | null;
  usernameInvalid: boolean;
  hasPassword: boolean;
  syncStatus: MirrorSyncStatus;
  syncExpirationDate: Date | null;
  syncRetriesRemaining: number;
  createdAt: Date;
  repositoryStatusCounts: Record<MirrorSyncStatus, number>;
  /** The latest sync of any of its repositories (the mirror row keeps no date of its own). */
  lastSyncAt: Date | null;
}

export const MIN_SYNC_INTERVAL_S = 60;
const SKOPEO_TIMEOUT_RANGE = [30, 3600] as const;
/** Quay's one answer for every SSRF refusal (it tells nothing of the network behind). */
const URL_NOT_ALLOWED = "The provided registry URL is not allowed";

/** The API field a refusal is about (the Mirroring tab shows it there). */
export type OrgMirrorField = "external_registry_type" | "external_registry_url" | "external_namespace" | "visibility" | "sync_interval" | "skopeo_timeout" | "robot_username";

const invalid = (message: string, field?: OrgMirrorField) => new DomainError("INVALID_REQUEST", message, field && { field });

/** The field a refusal of this module's is about; undefined: the settings as a whole. */
export const orgMirrorFieldOf = (err: DomainError): OrgMirrorField | undefined => (err.detail as { field?: OrgMirrorField } | undefined)?.field;

/** Why the upstream URL may not be used (scheme, shape, SSRF rule), or null. */
export async function registryUrlProblem(url: string, allowedHosts: readonly string[]): Promise<string | null> {
  if (!/^https?:\/\/[^/]+\/?$/i.test(url.trim())) return "external_registry_url must be an http(s) URL of a registry (no path)";
  return (await callbackUrlProblem(url.trim(), allowedHosts)) === null ? null : URL_NOT_ALLOWED;
}

async function checkChange(change: OrgMirrorChange, allowedHosts: readonly string[]): Promise<void> {
  if (change.registryType !== undefined && !(ORG_MIRROR_REGISTRY_TYPES as readonly string[]).includes(change.registryType.toLowerCase())) {
    throw invalid(`Invalid external_registry_type: ${change.registryType}`, "external_registry_type");
  }
  if (change.visibility !== undefined && !["public", "private"].includes(change.visibility.toLowerCase())) throw invalid(`Invalid visibility: ${change.visibility}`, "visibility");
  if (change.syncIntervalS !== undefined && change.syncIntervalS < MIN_SYNC_INTERVAL_S) throw invalid(`sync_interval must be at least ${MIN_SYNC_INTERVAL_S} seconds`, "sync_interval");
  if (change.skopeoTimeoutS !== undefined && (change.skopeoTimeoutS < SKOPEO_TIMEOUT_RANGE[0] || change.skopeoTimeoutS > SKOPEO_TIMEOUT_RANGE[1])) {
    throw invalid(`skopeo_timeout must be between ${SKOPEO_TIMEOUT_RANGE[0]} and ${SKOPEO_TIMEOUT_RANGE[1]} seconds`, "skopeo_timeout");
  }
  if (change.externalNamespace !== undefined && (change.externalNamespace.trim() === "" || change.externalNamespace.length > 255)) {
    throw invalid("external_namespace must be 1 to 255 characters", "external_namespace");
  }
  if (change.registryUrl !== undefined) {
    const problem = await registryUrlProblem(change.registryUrl, allowedHosts);
    if (problem) throw invalid(problem, "external_registry_url");
  }
}

/** The robot pushing the copies: a robot of the organization (Quay's two refusals). */
async function organizationRobot(db: DbOrTx, org: Organization, username: string): Promise<number> {
  const [robot] = await db
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.username, username), eq(users.kind, "robot")));
  if (!robot) throw invalid(`Invalid robot account: ${username}`, "robot_username");
  if (!username.startsWith(`${org.name}+`)) throw invalid("Robot account must belong to the organization", "robot_username");
  return robot.id;
}

const externalReference = (m: { registryUrl: string; externalNamespace: string }) => `${m.registryUrl.replace(/\/+$/, "")}/${m.externalNamespace}`;

const audit = (db: DbOrTx, org: Organization, actor: Actor, kind: string, metadata: Record<string, unknown>) =>
  writeAudit(db, { kind, namespaceId: org.namespaceId, ...performedBy(actor), metadata: { namespace: org.name, ...metadata } });

export async function getOrgMirror(db: Db, namespaceId: number): Promise<OrgMirrorView | undefined> {
  const [row] = await db
    .select({ m: organizationMirrors, robotUsername: users.username })
    .from(organizationMirrors)
    .leftJoin(users, eq(users.id, organizationMirrors.robotUserId))
    .where(eq(organizationMirrors.namespaceId, namespaceId));
  if (!row) return undefined;
  const m = row.m;
  const username = await openSealed(db, m.usernameSealed);
  const counts = Object.fromEntries(SYNC_STATUSES.map((s) => [s, 0])) as Record<MirrorSyncStatus, number>;
  const grouped = await db
    .select({ status: organizationMirrorRepositories.syncStatus, n: count(), last: max(organizationMirrorRepositories.lastSyncDate) })
    .from(organizationMirrorRepositories)
    .where(eq(organizationMirrorRepositories.namespaceId, namespaceId))
    .groupBy(organizationMirrorRepositories.syncStatus);
  let lastSyncAt: Date | null = null;
  for (const g of grouped) {
    counts[g.status] = g.n;
    if (g.last && (!lastSyncAt || g.last > lastSyncAt)) lastSyncAt = g.last;
  }
  return {
    isEnabled: m.isEnabled,
    registryType: m.externalRegistryType,
    registryUrl: m.externalRegistryUrl,
    externalNamespace: m.externalNamespace,
    username: username.value,
    usernameInvalid: username.invalid,
    hasPassword: m.passwordSealed !== null,
    verifyTls: m.verifyTls,
    httpProxy: m.httpProxy,
    httpsProxy: m.httpsProxy,
    noProxy: m.noProxy,
    repositoryFilters: m.repositoryFilters,
    robotUsername: row.robotUsername,
    visibility: m.visibility,
    syncIntervalS: m.syncIntervalS,
    syncStartDate: m.syncStartDate,
    syncExpirationDate: m.syncExpirationDate,
    syncStatus: m.syncStatus,
    syncRetriesRemaining: m.syncRetriesRemaining,
    skopeoTimeoutS: m.skopeoTimeoutS,
    createdAt: m.createdAt,
    repositoryStatusCounts: counts,
    lastSyncAt,
  };
}

/** The upstream credentials, opened (for the sync and verify). */
export async function orgMirrorCredentials(db: Db, namespaceId: number): Promise<{ username: string | null; password: string | null; invalid: boolean }> {
  const [row] = await db
    .select({ u: organizationMirrors.usernameSealed, p: organizationMirrors.passwordSealed })
    .from(organizationMirrors)
    .where(eq(organizationMirrors.namespaceId, namespaceId));
  const [username, password] = [await openSealed(db, row?.u ?? null), await openSealed(db, row?.p ?? null)];
  return { username: username.value, password: password.value, invalid: username.invalid || password.invalid };
}

/**
 * Creates the mirror. Quay's refusals: one per organization, only an empty organization (it
 * will hold the upstream's repositories), and never a proxy cache organization.
 */
export async function createOrgMirror(db: Db, actor: Actor, org: Organization, settings: OrgMirrorSettings & { password: string | null }, allowedHosts: readonly string[]): Promise<void> {
  await checkChange(settings, allowedHosts);
  const usernameSealed = settings.username ? await encryptPassword(db, settings.username) : null;
  const passwordSealed = settings.password ? await encryptPassword(db, settings.password) : null;
  await db.transaction(async (tx) => {
    const robotId = await organizationRobot(tx, org, settings.robotUsername);
    const [existing] = await tx.select({ id: organizationMirrors.namespaceId }).from(organizationMirrors).where(eq(organizationMirrors.namespaceId, org.namespaceId));
    if (existing) throw invalid("Mirror configuration already exists for this organization");
    const [repo] = await tx.select({ id: repositories.id }).from(repositories).where(eq(repositories.namespaceId, org.namespaceId)).limit(1);
    if (repo) {
      throw invalid("Cannot create organization mirror: the organization already contains repositories. Organization mirroring requires an empty organization.");
    }
    const [proxy] = await tx.select({ id: proxyCacheConfigs.namespaceId }).from(proxyCacheConfigs).where(eq(proxyCacheConfigs.namespaceId, org.namespaceId));
    if (proxy) throw invalid("Cannot create organization mirror: the organization has a proxy cache configuration. Remove the proxy cache configuration first.");
    await tx.insert(organizationMirrors).values({
      namespaceId: org.namespaceId,
      isEnabled: settings.isEnabled,
      externalRegistryType: settings.registryType.toLowerCase(),
      externalRegistryUrl: settings.registryUrl.trim(),
      externalNamespace: settings.externalNamespace.trim(),
      usernameSealed,
      passwordSealed,
      verifyTls: settings.verifyTls,
      httpProxy: settings.httpProxy,
      httpsProxy: settings.httpsProxy,
      noProxy: settings.noProxy,
      repositoryFilters: settings.repositoryFilters,
      visibility: settings.visibility.toLowerCase() as "public" | "private",
      robotUserId: robotId,
      syncIntervalS: settings.syncIntervalS,
      syncStartDate: settings.syncStartDate,
      skopeoTimeoutS: settings.skopeoTimeoutS,
      syncRetriesRemaining: SYNC_RETRIES,
    });
    await audit(tx, org, actor, "org_mirror_enabled", {
      external_registry_type: settings.registryType.toLowerCase(),
      external_registry_url: settings.registryUrl,
      external_namespace: settings.externalNamespace,
      sync_interval: settings.syncIntervalS,
      robot_username: settings.robotUsername,
    });
  });
}

const notFound = () => new DomainError("NOT_FOUND", "No mirror configuration exists for this organization");

/** Changes some settings (`org_mirror_config_changed` with the fields named); NOT_FOUND without a mirror. */
export async function updateOrgMirror(db: Db, actor: Actor, org: Organization, change: OrgMirrorChange, allowedHosts: readonly string[]): Promise<void> {
  await checkChange(change, allowedHosts);
  const set: Partial<typeof organizationMirrors.$inferInsert> = {};
  if (change.username !== undefined) set.usernameSealed = change.username ? await encryptPassword(db, change.username) : null;
  if (change.password !== undefined) set.passwordSealed = change.password ? await encryptPassword(db, change.password) : null;
  if (change.registryType !== undefined) set.externalRegistryType = change.registryType.toLowerCase();
  if (change.registryUrl !== undefined) set.externalRegistryUrl = change.registryUrl.trim();
  if (change.externalNamespace !== undefined) set.externalNamespace = change.externalNamespace.trim();
  if (change.visibility !== undefined) set.visibility = change.visibility.toLowerCase() as "public" | "private";
  for (const key of ["isEnabled", "verifyTls", "httpProxy", "httpsProxy", "noProxy", "repositoryFilters", "syncIntervalS", "syncStartDate", "skopeoTimeoutS"] as const) {
    if (change[key] !== undefined) (set as Record<string, unknown>)[key] = change[key];
  }
  await db.transaction(async (tx) => {
    if (change.robotUsername !== undefined) set.robotUserId = await organizationRobot(tx, org, change.robotUsername);
    const [before] = await tx.select().from(organizationMirrors).where(eq(organizationMirrors.namespaceId, org.namespaceId)).for("update");
    if (!before) throw notFound();
    if (Object.keys(set).length > 0) await tx.update(organizationMirrors).set(set).where(eq(organizationMirrors.namespaceId, org.namespaceId));
    await audit(tx, org, actor, "org_mirror_config_changed", {
      updated_fields: Object.keys(change),
      old_external_reference: externalReference({ registryUrl: before.externalRegistryUrl, externalNamespace: before.externalNamespace }),
      external_reference: externalReference({ registryUrl: set.externalRegistryUrl ?? before.externalRegistryUrl, externalNamespace: set.externalNamespace ?? before.externalNamespace }),
    });
  });
}

/** Removes the mirror and its list of found repositories (the repositories stay, in state ORG_MIRROR). */
export async function deleteOrgMirror(db: Db, actor: Actor, org: Organization): Promise<void> {
  await db.transaction(async (tx) => {
    const [gone] = await tx.delete(organizationMirrors).where(eq(organizationMirrors.namespaceId, org.namespaceId)).returning();
    if (!gone) throw notFound();
    await audit(tx, org, actor, "org_mirror_disabled", { external_reference: externalReference({ registryUrl: gone.externalRegistryUrl, externalNamespace: gone.externalNamespace }) });
  });
}

/** Sync-now: discovery and every repository's sync at the next chance; refused while syncing. */
export async function requestOrgSyncNow(db: Db, actor: Actor, org: Organization): Promise<void> {
  await db.transaction(async (tx) => {
    const [m] = await tx.select().from(organizationMirrors).where(eq(organizationMirrors.namespaceId, org.namespaceId)).for("update");
    if (!m) throw notFound();
    if (m.syncStatus === "SYNCING") throw invalid("Cannot trigger sync: mirror is currently syncing");
    await tx
      .update(organizationMirrors)
      .set({ syncStatus: "SYNC_NOW", syncRetriesRemaining: sql`greatest(${organizationMirrors.syncRetriesRemaining}, 1)` })
      .where(eq(organizationMirrors.namespaceId, org.namespaceId));
    await audit(tx, org, actor, "org_mirror_sync_now_requested", { external_reference: externalReference({ registryUrl: m.externalRegistryUrl, externalNamespace: m.externalNamespace }) });
  });
}

/**
 * Cancel: the running sync stops at its next check (its claim is dropped) and the next one waits
 * for the schedule; refused when cancelled already.
 */
export async function cancelOrgSync(db: Db, actor: Actor, org: Organization, now: Date): Promise<void> {
  await db.transaction(async (tx) => {
    const [m] = await tx.select().from(organizationMirrors).where(eq(organizationMirrors.namespaceId, org.namespaceId)).for("update");
    if (!m) throw notFound();
    if (m.syncStatus === "CANCEL") throw invalid("Cannot cancel: mirror is already cancelled");
    await tx
      .update(organizationMirrors)
      .set({
        syncStatus: "CANCEL",
        syncRetriesRemaining: 0,
        syncExpirationDate: null,
        syncStartDate: sql`greatest(${organizationMirrors.syncStartDate}, ${now.toISOString()}::timestamptz + make_interval(secs => ${organizationMirrors.syncIntervalS}))`,
      })
      .where(eq(organizationMirrors.namespaceId, org.namespaceId));
    // Repositories waiting for this sync are cancelled with it.
    await tx
      .update(organizationMirrorRepositories)
      .set({ syncStatus: "CANCEL" })
      .where(and(eq(organizationMirrorRepositories.namespaceId, org.namespaceId), sql`${organizationMirrorRepositories.syncStatus} in ('SYNCING', 'SYNC_NOW')`));
    await audit(tx, org, actor, "org_mirror_sync_cancelled", { external_reference: externalReference({ registryUrl: m.externalRegistryUrl, externalNamespace: m.externalNamespace }) });
  });
}

export interface OrgMirrorRepositoryRow {
  name: string;
  syncStatus: MirrorSyncStatus;
  discoveryDate: Date;
  lastSyncDate: Date | null;
  statusMessage: string | null;
  repositoryId: number | null;
}

/** One page (1-based) of the repositories found upstream, by name, optionally of one status. */
export async function listOrgMirrorRepositories(
  db: Db,
  namespaceId: number,
  page: { page: number; limit: number; status?: MirrorSyncStatus },
): Promise<{ rows: OrgMirrorRepositoryRow[]; total: number }> {
  const where = and(eq(organizationMirrorRepositories.namespaceId, namespaceId), page.status ? eq(organizationMirrorRepositories.syncStatus, page.status) : undefined);
  const [{ total }] = (await db.select({ total: count() }).from(organizationMirrorRepositories).where(where)) as [{ total: number }];
  const rows = await db
    .select({
      name: organizationMirrorRepositories.name,
      syncStatus: organizationMirrorRepositories.syncStatus,
      discoveryDate: organizationMirrorRepositories.discoveryDate,
      lastSyncDate: organizationMirrorRepositories.lastSyncDate,
      statusMessage: organizationMirrorRepositories.statusMessage,
      repositoryId: organizationMirrorRepositories.repositoryId,
    })
    .from(organizationMirrorRepositories)
    .where(where)
    .orderBy(asc(organizationMirrorRepositories.name))
    .limit(page.limit)
    .offset((page.page - 1) * page.limit);
  return { rows, total };
}

/** The robot allowed to push to the organization's ORG_MIRROR repositories (null: none). */
export async function orgMirrorRobotId(db: DbOrTx, namespaceId: number): Promise<number | null> {
  const [row] = await db.select({ id: organizationMirrors.robotUserId }).from(organizationMirrors).where(eq(organizationMirrors.namespaceId, namespaceId));
  return row?.id ?? null;
}

// A repository's mirror settings (Quay's repository mirroring): the upstream reference, sealed
// credentials, tag globs, robot, schedule and TLS/proxy settings, with Quay's checks and log
// kinds; "sync now" and "cancel". The sync itself is repository-sync.ts.
import { and, eq, sql } from "drizzle-orm";
import type { Db, DbOrTx } from "../../../db/client.ts";
import { repoPermissions, repositoryMirrors, users } from "../../../db/schema.ts";
import { decryptPassword, encryptPassword } from "../../auth/encrypted-passwords.ts";
import { callbackUrlProblem } from "../activity/log-export.ts";
import { performedBy, writeAudit } from "../activity/audit.ts";
import type { Actor } from "../access/principal.ts";
import { DomainError } from "../errors.ts";
import type { Repository } from "../repositories/repositories.ts";
import type { Services } from "../services.ts";
import { splitReference } from "./upstream-client.ts";

export type MirrorSyncStatus = (typeof repositoryMirrors.$inferSelect)["syncStatus"];

/** What an admin sets (everything but the password is shown back). */
export interface MirrorSettings {
  isEnabled: boolean;
  externalReference: string;
  username: string | null;
  verifyTls: boolean;
  unsignedImages: boolean;
  httpProxy: string | null;
  httpsProxy: string | null;
  noProxy: string | null;
  tagGlobs: string[];
  architectureFilter: string[];
  removeMissingTags: boolean;
  robotUsername: string | null;
  syncIntervalS: number;
  syncStartDate: Date;
  skopeoTimeoutS: number;
}

export interface MirrorView extends MirrorSettings {
  /** The sealed username did not open (instance key changed): Quay asks to enter it again. */
  usernameInvalid: boolean;
  syncStatus: MirrorSyncStatus;
  syncExpirationDate: Date | null;
  syncRetriesRemaining: number;
  lastSyncAt: Date | null;
  lastError: string | null;
}

/** A change: any subset of the settings, and the password (null clears the credentials). */
export type MirrorChange = Partial<MirrorSettings> & { password?: string | null };

export const MIN_SKOPEO_TIMEOUT_S = 300;
export const MIRROR_ARCHITECTURES = ["amd64", "arm64", "ppc64le", "s390x"] as const;
/** Quay's retries per scheduled sync. */
export const SYNC_RETRIES = 3;

/** The API field a refusal is about (the settings page shows it there). */
export type MirrorField =
  | "external_reference"
  | "external_registry_password"
  | "sync_interval"
  | "skopeo_timeout_interval"
  | "root_rule"
  | "architecture_filter"
  | "robot_username";

/** Quay answers mirror errors with `{detail}`; the doors show this message (the page at `field`). */
const invalid = (message: string, field?: MirrorField) => new DomainError("INVALID_REQUEST", message, field && { field });

/** The field a refusal of this module's is about; undefined: the settings as a whole. */
export const mirrorFieldOf = (err: DomainError): MirrorField | undefined => (err.detail as { field?: MirrorField } | undefined)?.field;

/** A sealed credential opened; `invalid` when it no longer opens (the instance key changed). */
export async function openSealed(db: Db, sealed: string | null): Promise<{ value: string | null; invalid: boolean }> {
  if (sealed === null) return { value: null, invalid: false };
  const value = await decryptPassword(db, sealed);
  return { value, invalid: value === null };
}

export async function getMirror(db: Db, repositoryId: number): Promise<MirrorView | undefined> {
  const [row] = await db
    .select({ m: repositoryMirrors, robotUsername: users.username })
    .from(repositoryMirrors)
    .leftJoin(users, eq(users.id, repositoryMirrors.robotUserId))
    .where(eq(repositoryMirrors.repositoryId, repositoryId));
  if (!row) return undefined;
  const m = row.m;
  const username = await openSealed(db, m.usernameSealed);
  return {
    isEnabled: m.isEnabled,
    externalReference: m.externalReference,
    username: username.value,
    usernameInvalid: username.invalid,
    verifyTls: m.verifyTls,
    unsignedImages: m.unsignedImages,
    httpProxy: m.httpProxy,
    httpsProxy: m.httpsProxy,
    noProxy: m.noProxy,
    tagGlobs: m.tagGlobs,
    architectureFilter: m.architectureFilter,
    removeMissingTags: m.removeMissingTags,
    robotUsername: row.robotUsername,
    syncIntervalS: m.syncIntervalS,
    syncStartDate: m.syncStartDate,
    skopeoTimeoutS: m.skopeoTimeoutS,
    syncStatus: m.syncStatus,
    syncExpirationDate: m.syncExpirationDate,
    syncRetriesRemaining: m.syncRetriesRemaining,
    lastSyncAt: m.lastSyncAt,
    lastError: m.lastError,
  };
}

/** The upstream credentials, opened (for the sync). */
export async function mirrorCredentials(db: Db, repositoryId: number): Promise<{ username: string | null; password: string | null }> {
  const [row] = await db
    .select({ u: repositoryMirrors.usernameSealed, p: repositoryMirrors.passwordSealed })
    .from(repositoryMirrors)
    .where(eq(repositoryMirrors.repositoryId, repositoryId));
  return { username: (await openSealed(db, row?.u ?? null)).value, password: (await openSealed(db, row?.p ?? null)).value };
}

/** Why the upstream reference may not be mirrored (SSRF rule of outgoing requests), or null. */
export async function referenceProblem(reference: string, allowedHosts: readonly string[]): Promise<string | null> {
  const split = splitReference(reference);
  if (!split) return "Invalid external_reference: expected registry.example.com/namespace/repository";
  if ((await callbackUrlProblem(`https://${split.registry}/`, allowedHosts)) !== null) return "External reference is not allowed";
  return null;
}

/** The robot doing the mirror's pushes: one of the repository's namespace. */
async function mirrorRobot(db: DbOrTx, repo: Repository, username: string): Promise<number> {
  const [robot] = await db
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.username, username), eq(users.kind, "robot")));
  if (!robot || !username.startsWith(`${repo.namespace}+`)) throw invalid("Invalid robot_username: it must be a robot account of the repository's namespace", "robot_username");
  return robot.id;
}

async function checkChange(change: MirrorChange, allowedHosts: readonly string[]): Promise<void> {
  if (change.externalReference !== undefined) {
    const problem = await referenceProblem(change.externalReference, allowedHosts);
    if (problem) throw invalid(problem, "external_reference");
  }
  if (change.syncIntervalS !== undefined && (!Number.isInteger(change.syncIntervalS) || change.syncIntervalS < 1)) throw invalid("sync_interval must be a positive number of seconds", "sync_interval");
  if (change.skopeoTimeoutS !== undefined && change.skopeoTimeoutS < MIN_SKOPEO_TIMEOUT_S) {
    throw invalid(`skopeo_timeout_interval must be at least ${MIN_SKOPEO_TIMEOUT_S} seconds`, "skopeo_timeout_interval");
  }
  if (change.tagGlobs !== undefined && change.tagGlobs.length === 0) throw invalid("root_rule needs at least one tag glob", "root_rule");
  // Quay filters architectures only with sparse manifest lists, which Quayside does not store.
  if (change.architectureFilter && change.architectureFilter.length > 0) {
    throw invalid("architecture_filter requires sparse manifest list support, which is not enabled", "architecture_filter");
  }
  if (change.password && !change.username) throw invalid("Username is required when a password is given", "external_registry_password");
}

const logKind = (kind: string, repo: Repository, actor: Actor, metadata: Record<string, unknown> = {}) => ({
  kind,
  namespaceId: repo.namespaceId,
  repositoryId: repo.id,
  ...performedBy(actor),
  metadata: { namespace: repo.namespace, repo: repo.name, ...metadata },
});

/** Gives the robot write on the repository when it has less (as Quay does). */
async function grantWrite(tx: DbOrTx, repositoryId: number, robotId: number): Promise<void> {
  await tx
    .insert(repoPermissions)
    .values({ repositoryId, userId: robotId, role: "write" })
    .onConflictDoUpdate({
      target: [repoPermissions.repositoryId, repoPermissions.userId],
      set: { role: "write" },
      setWhere: sql`${repoPermissions.role} = 'read'`,
    });
}

const COLUMN_NAMES: Partial<Record<keyof MirrorChange, string>> = {
  isEnabled: "is_enabled",
  externalReference: "external_reference",
  username: "external_registry_username",
  password: "external_registry_password",
  verifyTls: "verify_tls",
  unsignedImages: "unsigned_images",
  httpProxy: "http_proxy",
  httpsProxy: "https_proxy",
  noProxy: "no_proxy",
  tagGlobs: "root_rule",
  architectureFilter: "architecture_filter",
  removeMissingTags: "remove_missing_tags",
  robotUsername: "robot_username",
  syncIntervalS: "sync_interval",
  syncStartDate: "sync_start_date",
  skopeoTimeoutS: "skopeo_timeout_interval",
};

/** Creates the mirror (409 when there is one). */
export async function createMirror(
  svc: Pick<Services, "db" | "cache">,
  actor: Actor,
  repo: Repository,
  settings: Omit<MirrorSettings, "robotUsername"> & { robotUsername: string; password: string | null },
  allowedHosts: readonly string[],
): Promise<void> {
  await checkChange(settings, allowedHosts);
  const db = svc.db;
  const sealedUser = settings.username ? await encryptPassword(db, settings.username) : null;
  const sealedPassword = settings.password ? await encryptPassword(db, settings.password) : null;
  await db.transaction(async (tx) => {
    const robotId = await mirrorRobot(tx, repo, settings.robotUsername);
    const inserted = await tx
      .insert(repositoryMirrors)
      .values({
        repositoryId: repo.id,
        isEnabled: settings.isEnabled,
        externalReference: settings.externalReference.trim(),
        usernameSealed: sealedUser,
        passwordSealed: sealedPassword,
        verifyTls: settings.verifyTls,
        unsignedImages: settings.unsignedImages,
        httpProxy: settings.httpProxy,
        httpsProxy: settings.httpsProxy,
        noProxy: settings.noProxy,
        tagGlobs: settings.tagGlobs,
        architectureFilter: settings.architectureFilter,
        removeMissingTags: settings.removeMissingTags,
        robotUserId: robotId,
        syncIntervalS: settings.syncIntervalS,
        syncStartDate: settings.syncStartDate,
        skopeoTimeoutS: settings.skopeoTimeoutS,
        syncRetriesRemaining: SYNC_RETRIES,
      })
      .onConflictDoNothing()
      .returning({ id: repositoryMirrors.repositoryId });
    if (inserted.length === 0) throw new DomainError("CONFLICT", "Mirror configuration already exists for this repository");
    await grantWrite(tx, repo.id, robotId);
    await writeAudit(tx, logKind(settings.isEnabled ? "repo_mirror_enabled" : "repo_mirror_disabled", repo, actor, { external_reference: settings.externalReference }));
  });
  svc.cache.forget(repo.id);
}

/** Changes some settings (404 without a mirror); each changed field logs `repo_mirror_config_changed`. */
export async function updateMirror(svc: Pick<Services, "db" | "cache">, actor: Actor, repo: Repository, change: MirrorChange, allowedHosts: readonly string[]): Promise<void> {
  await checkChange(change, allowedHosts);
  const db = svc.db;
  const set: Partial<typeof repositoryMirrors.$inferInsert> = {};
  if (change.isEnabled !== undefined) set.isEnabled = change.isEnabled;
  if (change.externalReference !== undefined) set.externalReference = change.externalReference.trim();
  if (change.username !== undefined) {
    set.usernameSealed = change.username ? await encryptPassword(db, change.username) : null;
    // A new username without a password keeps no stale password; a cleared one clears both.
    if (change.password === undefined || !change.username) set.passwordSealed = null;
  }
  if (change.password !== undefined && change.username) set.passwordSealed = change.password ? await encryptPassword(db, change.password) : null;
  for (const key of ["verifyTls", "unsignedImages", "httpProxy", "httpsProxy", "noProxy", "tagGlobs", "architectureFilter", "removeMissingTags", "syncIntervalS", "syncStartDate", "skopeoTimeoutS"] as const) {
    if (change[key] !== undefined) (set as Record<string, unknown>)[key] = change[key];
  }
  await db.transaction(async (tx) => {
    if (change.robotUsername) {
      set.robotUserId = await mirrorRobot(tx, repo, change.robotUsername);
      await grantWrite(tx, repo.id, set.robotUserId);
    }
    const before = await tx.select({ isEnabled: repositoryMirrors.isEnabled }).from(repositoryMirrors).where(eq(repositoryMirrors.repositoryId, repo.id)).for("update");
    if (before.length === 0) throw new DomainError("NOT_FOUND", "No mirror configuration exists for this repository");
    if (Object.keys(set).length > 0) await tx.update(repositoryMirrors).set(set).where(eq(repositoryMirrors.repositoryId, repo.id));
    if (change.isEnabled !== undefined && change.isEnabled !== before[0]!.isEnabled) {
      await writeAudit(tx, logKind(change.isEnabled ? "repo_mirror_enabled" : "repo_mirror_disabled", repo, actor));
    }
    for (const key of Object.keys(change) as (keyof MirrorChange)[]) {
      if (key === "isEnabled" || change[key] === undefined) continue;
      const to = key === "password" ? "********" : key === "syncStartDate" ? change.syncStartDate!.toISOString() : change[key];
      await writeAudit(tx, logKind("repo_mirror_config_changed", repo, actor, { changed: COLUMN_NAMES[key] ?? key, to }));
    }
  });
  svc.cache.forget(repo.id);
}

/**
 * Quay's sync-now: the mirror is synced at the next chance (SYNC_NOW, retries ≥ 1); false when
 * there is no mirror or it is syncing already.
 */
export async function requestSyncNow(db: Db, actor: Actor, repo: Repository): Promise<boolean> {
  return db.transaction(async (tx) => {
    const updated = await tx
      .update(repositoryMirrors)
      .set({ syncStatus: "SYNC_NOW", syncRetriesRemaining: sql`greatest(${repositoryMirrors.syncRetriesRemaining}, 1)` })
      .where(and(eq(repositoryMirrors.repositoryId, repo.id), sql`${repositoryMirrors.syncStatus} <> 'SYNCING'`))
      .returning({ id: repositoryMirrors.repositoryId });
    if (updated.length === 0) return false;
    await writeAudit(tx, logKind("repo_mirror_sync_now_requested", repo, actor));
    return true;
  });
}

/**
 * Quay's sync-cancel: a running or requested sync stops (the worker sees CANCEL at its next
 * check); the next one waits for the schedule. False unless syncing or requested.
 */
export async function cancelSync(db: Db, repo: Repository, now: Date): Promise<boolean> {
  const updated = await db
    .update(repositoryMirrors)
    .set({
      syncStatus: "CANCEL",
      syncRetriesRemaining: 0,
      syncExpirationDate: null,
      syncStartDate: sql`greatest(${repositoryMirrors.syncStartDate}, ${now.toISOString()}::timestamptz + make_interval(secs => ${repositoryMirrors.syncIntervalS}))`,
    })
    .where(and(eq(repositoryMirrors.repositoryId, repo.id), sql`${repositoryMirrors.syncStatus} in ('SYNCING', 'SYNC_NOW')`))
    .returning({ id: repositoryMirrors.repositoryId });
  return updated.length > 0;
}

/** The robot allowed to push to a MIRROR repository (null: none). */
export async function mirrorRobotId(db: DbOrTx, repositoryId: number): Promise<number | null> {
  const [row] = await db.select({ id: repositoryMirrors.robotUserId }).from(repositoryMirrors).where(eq(repositoryMirrors.repositoryId, repositoryId));
  return row?.id ?? null;
}

/** Where the repository mirrors from (its pages' banner); null without a mirror configuration. */
export async function mirrorSource(db: DbOrTx, repositoryId: number): Promise<string | null> {
  const [row] = await db.select({ ref: repositoryMirrors.externalReference }).from(repositoryMirrors).where(eq(repositoryMirrors.repositoryId, repositoryId));
  return row?.ref ?? null;
}

// What a user does to a tag (the API's PUT/DELETE/restore/expire and the tag page's forms): each
// change and its usage-log row (Quay's kinds and metadata) in one transaction. The rules of what
// is live, restorable and how long an expiry may be are in tags.ts.
import { and, eq } from "drizzle-orm";
import type { DbOrTx } from "../../../db/client.ts";
import { manifests } from "../../../db/schema.ts";
import { tagExpirationSeconds } from "../accounts/namespaces.ts";
import { performedBy, writeAudit } from "../activity/audit.ts";
import { forgetTagPulls } from "../activity/pull-statistics.ts";
import { type Actor } from "../access/principal.ts";
import { DomainError } from "../errors.ts";
import { isValidTagName } from "../names.ts";
import type { Repository } from "../repositories/repositories.ts";
import type { Services } from "../services.ts";
import { endTag, liveTag, pointTag, removeFromTimeMachine, restorableManifest, setTagExpiration } from "./tags.ts";

/** Quay's words for a tag name outside the grammar. */
export const TAG_NAME_ERROR = 'Invalid tag: must match [A-Za-z0-9_.-], NOT start with "." or "-", and can contain 1-128 characters';

/** Quay's bounds on an expiry, counted from the tag's start (LABELED_EXPIRATION_MINIMUM/MAXIMUM). */
export const EXPIRATION_MIN_S = 3600;
export const EXPIRATION_MAX_S = 104 * 7 * 86_400;

const seconds = (d: Date) => Math.floor(d.getTime() / 1000);

function logger(tx: DbOrTx, actor: Actor, repo: Repository) {
  const username = actor.principal.kind === "user" ? actor.principal.username : null;
  return (kind: string, metadata: Record<string, unknown>) =>
    writeAudit(tx, {
      kind,
      namespaceId: repo.namespaceId,
      repositoryId: repo.id,
      ...performedBy(actor),
      metadata: { username, repo: repo.name, namespace: repo.namespace, ...metadata },
    });
}

async function manifestByDigest(db: DbOrTx, repo: Repository, digest: string) {
  const [row] = await db
    .select({ id: manifests.id, digest: manifests.digest, deletedAt: manifests.deletedAt })
    .from(manifests)
    .where(and(eq(manifests.repositoryId, repo.id), eq(manifests.digest, digest)));
  return row;
}

const digestOf = async (db: DbOrTx, id: number) =>
  (await db.select({ digest: manifests.digest }).from(manifests).where(eq(manifests.id, id)))[0]!.digest;

export function checkTagName(name: string): void {
  if (!isValidTagName(name)) throw new DomainError("TAG_INVALID", TAG_NAME_ERROR, { tag: name });
}

/**
 * Creates `name` on a manifest of the repository, or moves it there (`create_tag` or `move_tag`).
 * The manifest must be one the registry serves (not deleted).
 */
export async function tagManifest(svc: Services, actor: Actor, repo: Repository, name: string, digest: string): Promise<{ created: boolean }> {
  checkTagName(name);
  const now = svc.clock.now();
  const created = await svc.db.transaction(async (tx) => {
    const manifest = await manifestByDigest(tx, repo, digest);
    if (!manifest || manifest.deletedAt) throw new DomainError("NOT_FOUND", "No such manifest", { digest });
    const before = await liveTag(tx, repo.id, name, now);
    await pointTag(tx, repo.id, name, manifest.id, now);
    await logger(tx, actor, repo)(before ? "move_tag" : "create_tag", {
      tag: name,
      manifest_digest: digest,
      original_manifest_digest: before ? await digestOf(tx, before.manifestId) : null,
    });
    return !before;
  });
  svc.cache.forgetContent(repo.id);
  return { created };
}

/**
 * When an expiry asked for takes effect: Quay counts it from the tag's start and keeps it within
 * [1 hour, 104 weeks] of it, in whole seconds.
 */
export function boundedExpiry(lifetimeStart: Date, requested: Date): Date {
  const offset = Math.min(Math.max(seconds(requested) - seconds(lifetimeStart), EXPIRATION_MIN_S), EXPIRATION_MAX_S);
  return new Date((seconds(lifetimeStart) + offset) * 1000);
}

/**
 * Sets or clears (null) a live tag's expiry (`change_tag_expiration`, unless nothing was set
 * before or after). A time not after now is refused.
 */
export async function changeTagExpiration(
  svc: Services,
  actor: Actor,
  repo: Repository,
  name: string,
  requested: Date | null,
): Promise<Date | null> {
  const now = svc.clock.now();
  const expiresAt = await svc.db.transaction(async (tx) => {
    const tag = await liveTag(tx, repo.id, name, now);
    if (!tag) throw new DomainError("NOT_FOUND", "No such tag", { tag: name });
    if (requested && requested <= now) throw new DomainError("INVALID_REQUEST", "The expiration must be in the future", { tag: name });
    const expiresAt = requested && boundedExpiry(tag.lifetimeStart, requested);
    const changed = await setTagExpiration(tx, repo.id, name, expiresAt, now);
    if (!changed) throw new DomainError("INVALID_REQUEST", "Could not update tag expiration; Tag has probably changed");
    if (changed.previous || expiresAt) {
      await logger(tx, actor, repo)("change_tag_expiration", {
        tag: name,
        expiration_date: expiresAt && seconds(expiresAt),
        old_expiration_date: changed.previous && seconds(changed.previous),
      });
    }
    return expiresAt;
  });
  svc.cache.forgetContent(repo.id);
  return expiresAt;
}

/** Ends a live tag (`delete_tag`); it stays restorable for the namespace's window. */
export async function deleteTag(svc: Services, actor: Actor, repo: Repository, name: string): Promise<void> {
  const now = svc.clock.now();
  await svc.db.transaction(async (tx) => {
    const manifestId = await endTag(tx, repo.id, name, now);
    if (manifestId === null) throw new DomainError("NOT_FOUND", "No such tag", { tag: name });
    await forgetTagPulls(tx, repo.id, name);
    await logger(tx, actor, repo)("delete_tag", { tag: name, manifest_digest: await digestOf(tx, manifestId) });
  });
  svc.cache.forgetContent(repo.id);
}

/**
 * Points `name` at a manifest the time machine still holds (`revert_tag`): restoring a deleted
 * tag, or reverting a tag to an earlier manifest. The new row is marked as a reversion; a
 * manifest deleted by digest is served again.
 */
export async function restoreTag(svc: Services, actor: Actor, repo: Repository, name: string, digest: string): Promise<void> {
  checkTagName(name);
  const now = svc.clock.now();
  await svc.db.transaction(async (tx) => {
    const manifest = await manifestByDigest(tx, repo, digest);
    if (!manifest || !(await restorableManifest(tx, repo.id, manifest.id, now, await tagExpirationSeconds(tx, repo.namespaceId)))) {
      throw new DomainError("NOT_FOUND", "No such manifest in the time machine", { digest });
    }
    if (manifest.deletedAt) await tx.update(manifests).set({ deletedAt: null }).where(eq(manifests.id, manifest.id));
    await pointTag(tx, repo.id, name, manifest.id, now, { reversion: true });
    await logger(tx, actor, repo)("revert_tag", { tag: name, manifest_digest: digest });
  });
  svc.cache.forgetContent(repo.id);
}

export type TimeMachineTarget = { alive: true } | { alive: false; manifestDigest: string };

/**
 * Quay's permanent delete (`permanently_delete_tag`): the live tag, or the tag's ended rows for a
 * manifest, leave the time machine at once (no restore; garbage collection may take them).
 */
export async function permanentlyDeleteTag(svc: Services, actor: Actor, repo: Repository, name: string, target: TimeMachineTarget): Promise<void> {
  const now = svc.clock.now();
  await svc.db.transaction(async (tx) => {
    let manifestId: number;
    if (target.alive) {
      const tag = await liveTag(tx, repo.id, name, now);
      if (!tag) throw new DomainError("NOT_FOUND", "No such tag", { tag: name });
      manifestId = tag.manifestId;
    } else {
      const manifest = await manifestByDigest(tx, repo, target.manifestDigest);
      if (!manifest) throw new DomainError("NOT_FOUND", "No such manifest", { digest: target.manifestDigest });
      manifestId = manifest.id;
    }
    const rows = target.alive ? target : { alive: false as const, manifestId };
    const changed = await removeFromTimeMachine(tx, repo.id, name, rows, now, await tagExpirationSeconds(tx, repo.namespaceId));
    if (changed === 0) throw new DomainError("NOT_FOUND", "Nothing of this tag is in the time machine", { tag: name });
    await logger(tx, actor, repo)("permanently_delete_tag", { tag: name, manifest_digest: await digestOf(tx, manifestId) });
  });
  svc.cache.forgetContent(repo.id);
}

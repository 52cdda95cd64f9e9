// Tags. A tag row is never changed except to end it (and to set when it will expire): pointing a
// tag elsewhere ends the live row and starts a new one, so the rows are the tag's history.
// "Live" means not ended and not expired at the moment asked about; an expired row the expiry
// job has not ended yet is already history to every reader.
import { and, count, eq, gt, inArray, isNull, lte, or, type SQL, sql } from "drizzle-orm";
import type { DbOrTx } from "../../../db/client.ts";
import { manifests, tagPullStats, tags } from "../../../db/schema.ts";
import { DomainError } from "../errors.ts";
import { nameContains } from "../name-filter.ts";
import { pageAfter } from "./name-pages.ts";
import type { Services } from "../services.ts";

export interface TagChange {
  /** The manifest the tag pointed to before, if it was live. */
  previousManifestId: number | null;
  changed: boolean;
}

/**
 * The one rule for "live": not ended and not expired at `now`. Every read of current tags uses
 * it, so an expired tag is gone at its instant, whether or not the expiry job has ended its row.
 */
export function liveTagCondition(repositoryId: number, now: Date): SQL {
  return and(eq(tags.repositoryId, repositoryId), tagLiveAt(now))!;
}

/** The same rule without the repository, for reads across several (liveTagCondition otherwise). */
export function tagLiveAt(now: Date): SQL {
  return and(isNull(tags.lifetimeEnd), or(isNull(tags.expiresAt), gt(tags.expiresAt, now)))!;
}

/**
 * Sets (or clears, with null) when a live tag expires: the one change made to a row other than
 * ending it (Quay moves the tag's end likewise). Returns the expiry it had, or undefined when
 * no tag of that name is live at `now`.
 */
export async function setTagExpiration(
  tx: DbOrTx,
  repositoryId: number,
  name: string,
  expiresAt: Date | null,
  now: Date,
): Promise<{ previous: Date | null } | undefined> {
  const [row] = await tx.execute<{ previous: Date | string | null }>(sql`
    update ${tags} t set expires_at = ${expiresAt?.toISOString() ?? null}::timestamptz
    from (select id, expires_at from ${tags} where ${and(liveTagCondition(repositoryId, now), eq(tags.name, name))} for update) old
    where t.id = old.id
    returning old.expires_at as previous`);
  if (!row) return undefined;
  return { previous: row.previous === null ? null : new Date(row.previous) };
}

/**
 * The rule for moving a tag, as two CTEs for a statement that has already defined `m` (one row:
 * the manifest's `id`): `ended` ends the unended row if it points elsewhere or has expired (an
 * expired row ends at its expiry, as the expiry job would have ended it), and `started` begins a
 * new row unless one is still live. `started` reads `ended`, so Postgres ends the old row first
 * (statements merely sent together may run in another order).
 */
export function tagMoveCtes(repositoryId: number, name: string, now: Date, reversion = false): SQL {
  const at = sql`${now.toISOString()}::timestamptz`;
  return sql`
    ended as (
      update ${tags} set lifetime_end = case when ${tags.expiresAt} <= ${at} then ${tags.expiresAt} else ${at} end from m
      where ${tags.repositoryId} = ${repositoryId}::int and ${tags.name} = ${name}::text
        and ${tags.lifetimeEnd} is null and (${tags.manifestId} <> m.id or ${tags.expiresAt} <= ${at})
      returning ${tags.manifestId} as manifest_id, (${tags.expiresAt} is null or ${tags.expiresAt} > ${at}) as was_live
    ), started as (
      insert into ${tags} (repository_id, name, manifest_id, lifetime_start, reversion)
      select ${repositoryId}::int, ${name}::text, m.id, ${at}, ${reversion}::boolean from m
      where (select count(*) from ended) >= 0
      on conflict (repository_id, name) where lifetime_end is null do nothing
      returning id
    ), pulls_reset as (
      -- A tag starting with no live row before it (new, or back after expiring) counts its pulls
      -- afresh, as after a delete (which resets them itself).
      delete from ${tagPullStats} where ${tagPullStats.repositoryId} = ${repositoryId}::int and ${tagPullStats.tag} = ${name}::text
        and exists (select 1 from started) and not exists (select 1 from ended where was_live)
    )`;
}

/**
 * Points `name` at a manifest (ending the previous row); a no-op when it already points there.
 * One statement, one round trip. Nothing started means the tag already pointed here, or a
 * concurrent push just moved it: then look, and try again.
 */
export async function pointTag(
  tx: DbOrTx,
  repositoryId: number,
  name: string,
  manifestId: number,
  now: Date,
  options: { reversion?: boolean } = {},
): Promise<TagChange> {
  for (let attempt = 0; ; attempt++) {
    const [row] = await tx.execute<{ started: boolean; previous: number | null }>(sql`
      with m as (select ${manifestId}::int as id), ${tagMoveCtes(repositoryId, name, now, options.reversion)}
      select exists (select 1 from started) as started, (select manifest_id from ended where was_live limit 1) as previous`);
    if (row!.started) return { previousManifestId: row!.previous === null ? null : Number(row!.previous), changed: true };
    const current = await liveTag(tx, repositoryId, name, now);
    if (current?.manifestId === manifestId) return { previousManifestId: manifestId, changed: false };
    if (attempt === 2) throw new DomainError("CONFLICT", `tag ${name} is being changed by another request`);
  }
}

/** Ends a live tag; returns the manifest it pointed to, or null when there was none. */
export async function endTag(tx: DbOrTx, repositoryId: number, name: string, now: Date): Promise<number | null> {
  const [ended] = await tx
    .update(tags)
    .set({ lifetimeEnd: now })
    .where(and(liveTagCondition(repositoryId, now), eq(tags.name, name)))
    .returning({ manifestId: tags.manifestId });
  return ended?.manifestId ?? null;
}

/** Ends every live tag pointing at a manifest; returns their names. */
export async function endTagsOf(tx: DbOrTx, repositoryId: number, manifestId: number, now: Date): Promise<string[]> {
  const ended = await tx
    .update(tags)
    .set({ lifetimeEnd: now })
    .where(and(liveTagCondition(repositoryId, now), eq(tags.manifestId, manifestId)))
    .returning({ name: tags.name });
  return ended.map((t) => t.name);
}

/**
 * Ends up to `limit` rows whose expiry has passed, at their expiry, so they enter the time
 * machine as rows ended like any other (readers already treat them as gone). Returns how many.
 */
export async function endExpiredTags(db: DbOrTx, now: Date, limit: number): Promise<number> {
  const ended = await db.execute<{ id: number }>(sql`
    with due as (
      select id from ${tags}
      where ${tags.lifetimeEnd} is null and ${tags.expiresAt} is not null and ${tags.expiresAt} <= ${now.toISOString()}::timestamptz
      order by ${tags.expiresAt} limit ${limit} for update skip locked
    )
    update ${tags} t set lifetime_end = t.expires_at from due where t.id = due.id returning t.id`);
  return ended.length;
}

interface NameRow {
  name: string;
  expiresAt: Date | null;
}

/** Live, visible tag names in byte order with their expiry (`n`/`last` paging). */
async function liveNameRows(db: DbOrTx, repositoryId: number, now: Date, page: { last?: string; limit: number }): Promise<NameRow[]> {
  const byteOrder = sql`${tags.name} collate "C"`;
  const filters = [liveTagCondition(repositoryId, now), eq(tags.hidden, false)];
  if (page.last !== undefined) filters.push(sql`${byteOrder} > ${page.last}`);
  return db
    .select({ name: tags.name, expiresAt: tags.expiresAt })
    .from(tags)
    .where(and(...filters))
    .orderBy(byteOrder)
    .limit(page.limit);
}

/** Repositories with at most this many tags have their tag names kept in memory. */
export const CACHED_TAG_NAMES_MAX = 100_000;

/**
 * A page of live tag names in byte order, after `last`. Served from memory (kept in step with
 * writes by the content cache, and dropped when the first of the names expires) unless the
 * repository has more tags than are worth keeping.
 */
export async function tagNamesPage(
  svc: Services,
  repositoryId: number,
  page: { last?: string; limit: number },
): Promise<string[]> {
  const now = svc.clock.now();
  svc.cache.dropExpired(repositoryId, now);
  let all = svc.cache.tagNames(repositoryId);
  if (all === undefined) {
    const readAt = svc.cache.version;
    const rows = await liveNameRows(svc.db, repositoryId, now, { limit: CACHED_TAG_NAMES_MAX + 1 });
    all = rows.length > CACHED_TAG_NAMES_MAX ? null : rows.map((r) => r.name);
    svc.cache.rememberTagNames(repositoryId, all, readAt, firstExpiry(rows));
  }
  if (all !== null) return pageAfter(all, page.last, page.limit);
  return (await liveNameRows(svc.db, repositoryId, now, page)).map((r) => r.name);
}

function firstExpiry(rows: { expiresAt: Date | null }[]): Date | null {
  let first: Date | null = null;
  for (const { expiresAt } of rows) if (expiresAt && (!first || expiresAt < first)) first = expiresAt;
  return first;
}

export interface TagView {
  name: string;
  manifestDigest: string;
  mediaType: string;
  isIndex: boolean;
  /** Child manifests of an index (0 for an image). */
  childCount: number;
  size: number;
  lifetimeStart: Date;
  lifetimeEnd: Date | null;
  expiresAt: Date | null;
  reversion: boolean;
}

const INDEX_MEDIA_TYPES = sql`(${manifests.mediaType} in ('application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json'))`;

export interface TagFilter {
  /** Live tags only, or the whole history. */
  onlyActive: boolean;
  name?: string;
  /** Only tags whose name contains this text, ignoring case. */
  nameContains?: string;
}

function tagFilters(repositoryId: number, filter: TagFilter, now: Date): SQL | undefined {
  const filters = [filter.onlyActive ? liveTagCondition(repositoryId, now) : eq(tags.repositoryId, repositoryId), eq(tags.hidden, false)];
  if (filter.name !== undefined) filters.push(eq(tags.name, filter.name));
  if (filter.nameContains !== undefined) filters.push(nameContains(tags.name, filter.nameContains));
  return and(...filters);
}

/**
 * Newest first, spelled as the tags_live_start / tags_history_start indexes are built (plain
 * `desc` means nulls first, which they cannot supply: Postgres would sort every row).
 */
const NEWEST_FIRST = sql`${tags.lifetimeStart} desc nulls last`;

/** Tags with their manifests, newest first, live or as history at `now`. */
export async function listTagViews(
  db: DbOrTx,
  repositoryId: number,
  options: TagFilter & { offset: number; limit: number },
  now: Date,
): Promise<TagView[]> {
  return db
    .select({
      name: tags.name,
      manifestDigest: manifests.digest,
      mediaType: manifests.mediaType,
      isIndex: sql<boolean>`${INDEX_MEDIA_TYPES}`,
      childCount: sql<number>`(select count(*) from manifest_children c where c.manifest_id = ${manifests.id})::int`,
      size: manifests.layersSize,
      lifetimeStart: tags.lifetimeStart,
      lifetimeEnd: tags.lifetimeEnd,
      expiresAt: tags.expiresAt,
      reversion: tags.reversion,
    })
    .from(tags)
    .innerJoin(manifests, eq(manifests.id, tags.manifestId))
    .where(tagFilters(repositoryId, options, now))
    .orderBy(NEWEST_FIRST, tags.name)
    .offset(options.offset)
    .limit(options.limit);
}

/** How many tags a listing holds in all (the UI pager's total). */
export async function countTagViews(db: DbOrTx, repositoryId: number, filter: TagFilter, now: Date): Promise<number> {
  const [row] = await db.select({ count: count() }).from(tags).where(tagFilters(repositoryId, filter, now));
  return row?.count ?? 0;
}

/** When a row stopped being live, as seen at `now`: its end, or its expiry once passed. */
export function tagEndedAt(tag: Pick<TagView, "lifetimeEnd" | "expiresAt">, now: Date): Date | null {
  if (tag.lifetimeEnd) return tag.lifetimeEnd;
  return tag.expiresAt && tag.expiresAt <= now ? tag.expiresAt : null;
}

/** The oldest end a row may have and still be restored: `now` less the namespace's window. */
export function timeMachineStart(now: Date, windowSeconds: number): Date {
  return new Date(now.getTime() - windowSeconds * 1000);
}

/** Whether a row that has ended (or expired) is still inside the time machine at `now`. */
export function inTimeMachine(tag: Pick<TagView, "lifetimeEnd" | "expiresAt">, now: Date, windowSeconds: number): boolean {
  const end = tagEndedAt(tag, now);
  return end !== null && end > timeMachineStart(now, windowSeconds);
}

/**
 * The tag a "pull this image" hint names: `latest` when it exists, else the most recently pushed
 * tag; null when the repository has no tags. Whatever page or filter a table shows.
 */
export async function pullTagName(db: DbOrTx, repositoryId: number, now: Date): Promise<string | null> {
  const visible = and(liveTagCondition(repositoryId, now), eq(tags.hidden, false));
  // Two index lookups rather than one ordering by "is latest": that would sort every live tag.
  const [latest] = await db.select({ name: tags.name }).from(tags).where(and(visible, eq(tags.name, "latest")));
  if (latest) return latest.name;
  const [newest] = await db.select({ name: tags.name }).from(tags).where(visible).orderBy(NEWEST_FIRST, tags.name).limit(1);
  return newest?.name ?? null;
}

export interface LiveTag {
  manifestId: number;
  lifetimeStart: Date;
  expiresAt: Date | null;
}

/** A live tag: the manifest it points to, since when, and when it expires. */
export async function liveTag(db: DbOrTx, repositoryId: number, name: string, now: Date): Promise<LiveTag | undefined> {
  const [row] = await db
    .select({ manifestId: tags.manifestId, lifetimeStart: tags.lifetimeStart, expiresAt: tags.expiresAt })
    .from(tags)
    .where(and(liveTagCondition(repositoryId, now), eq(tags.name, name)));
  return row;
}

/** The id of the manifest a live tag points to. */
export async function liveTagManifestId(db: DbOrTx, repositoryId: number, name: string, now: Date): Promise<number | undefined> {
  return (await liveTag(db, repositoryId, name, now))?.manifestId;
}

/**
 * Whether a manifest of the repository may be tagged again by restoring: a live tag points at
 * it, or a row that did ended inside the time machine window.
 */
export async function restorableManifest(db: DbOrTx, repositoryId: number, manifestId: number, now: Date, windowSeconds: number): Promise<boolean> {
  const since = timeMachineStart(now, windowSeconds);
  const [row] = await db
    .select({ id: tags.id })
    .from(tags)
    .where(
      and(
        eq(tags.repositoryId, repositoryId),
        eq(tags.manifestId, manifestId),
        or(
          liveTagCondition(repositoryId, now),
          gt(tags.lifetimeEnd, since),
          and(isNull(tags.lifetimeEnd), gt(tags.expiresAt, since), lte(tags.expiresAt, now)),
        ),
      ),
    )
    .limit(1);
  return row !== undefined;
}

/**
 * Takes a tag's rows for a manifest out of the time machine (Quay's permanent delete): the live
 * row when `alive`, else every row of that name and manifest that ended inside the window, each
 * given an end just before the window so garbage collection may take what only they kept.
 * Returns how many rows changed.
 */
export async function removeFromTimeMachine(
  tx: DbOrTx,
  repositoryId: number,
  name: string,
  target: { alive: true } | { alive: false; manifestId: number },
  now: Date,
  windowSeconds: number,
): Promise<number> {
  const start = timeMachineStart(now, windowSeconds);
  if (target.alive) {
    const changed = await tx
      .update(tags)
      .set({ lifetimeEnd: start })
      .where(and(liveTagCondition(repositoryId, now), eq(tags.name, name)))
      .returning({ id: tags.id });
    return changed.length;
  }
  if (windowSeconds === 0) return 0;
  // Distinct ends (a millisecond apart) keep each row its own place in the history's order.
  const changed = await tx.execute<{ id: number }>(sql`
    with locked as (
      select id from ${tags}
      where ${tags.repositoryId} = ${repositoryId}::int and ${tags.name} = ${name}::text
        and ${tags.manifestId} = ${target.manifestId}::int
        and coalesce(${tags.lifetimeEnd}, case when ${tags.expiresAt} <= ${now.toISOString()}::timestamptz then ${tags.expiresAt} end)
            > ${start.toISOString()}::timestamptz
      for update
    ), inside as (select id, row_number() over (order by id) as n from locked)
    update ${tags} t set lifetime_end = ${start.toISOString()}::timestamptz - (inside.n * interval '1 millisecond')
    from inside where t.id = inside.id returning t.id`);
  return changed.length;
}

export interface TagHistoryEntry extends TagView {
  /** Whether the tag was pointed elsewhere the moment this row ended (else deleted or expired). */
  movedAway: boolean;
  /** The manifest the tag points to now, if it is live. */
  liveDigest: string | null;
}

/** A page of the tag history (every row, newest first), each row with what became of it. */
export async function listTagHistory(
  db: DbOrTx,
  repositoryId: number,
  options: { name?: string; offset: number; limit: number },
  now: Date,
): Promise<TagHistoryEntry[]> {
  const rows = await listTagViews(db, repositoryId, { onlyActive: false, ...options }, now);
  if (rows.length === 0) return [];
  const names = [...new Set(rows.map((r) => r.name))];
  const live = await db
    .select({ name: tags.name, digest: manifests.digest })
    .from(tags)
    .innerJoin(manifests, eq(manifests.id, tags.manifestId))
    .where(and(liveTagCondition(repositoryId, now), inArray(tags.name, names)));
  const liveDigests = new Map(live.map((l) => [l.name, l.digest]));
  // A move ends one row and starts the next at the same instant.
  const starts = await db
    .select({ name: tags.name, start: tags.lifetimeStart })
    .from(tags)
    .where(and(eq(tags.repositoryId, repositoryId), inArray(tags.name, names), inArray(tags.lifetimeStart, rows.flatMap((r) => (r.lifetimeEnd ? [r.lifetimeEnd] : [])))));
  const startKeys = new Set(starts.map((s) => `${s.name}@${s.start.getTime()}`));
  return rows.map((r) => ({
    ...r,
    movedAway: r.lifetimeEnd !== null && startKeys.has(`${r.name}@${r.lifetimeEnd.getTime()}`),
    liveDigest: liveDigests.get(r.name) ?? null,
  }));
}

// Tags. A tag row is never changed except to end it: pointing a tag elsewhere ends the live
// row and starts a new one, so the rows are the tag's history.
import { and, count, desc, eq, gt, isNull, or, type SQL, sql } from "drizzle-orm";
import type { DbOrTx } from "../../../db/client.ts";
import { manifests, tags } from "../../../db/schema.ts";
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
  return and(
    eq(tags.repositoryId, repositoryId),
    isNull(tags.lifetimeEnd),
    or(isNull(tags.expiresAt), gt(tags.expiresAt, now)),
  )!;
}

const live = (repositoryId: number) => and(eq(tags.repositoryId, repositoryId), isNull(tags.lifetimeEnd));

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
 * the manifest's `id`): `ended` ends the live row if it points elsewhere, and `started` begins a
 * new row unless one is still live. `started` reads `ended`, so Postgres ends the old row first
 * (statements merely sent together may run in another order).
 */
export function tagMoveCtes(repositoryId: number, name: string, now: Date, reversion = false): SQL {
  return sql`
    ended as (
      update ${tags} set lifetime_end = ${now.toISOString()}::timestamptz from m
      where ${tags.repositoryId} = ${repositoryId}::int and ${tags.name} = ${name}::text
        and ${tags.lifetimeEnd} is null and ${tags.manifestId} <> m.id
      returning ${tags.manifestId} as manifest_id
    ), started as (
      insert into ${tags} (repository_id, name, manifest_id, lifetime_start, reversion)
      select ${repositoryId}::int, ${name}::text, m.id, ${now.toISOString()}::timestamptz, ${reversion}::boolean from m
      where (select count(*) from ended) >= 0
      on conflict (repository_id, name) where lifetime_end is null do nothing
      returning id
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
      select exists (select 1 from started) as started, (select manifest_id from ended limit 1) as previous`);
    if (row!.started) return { previousManifestId: row!.previous === null ? null : Number(row!.previous), changed: true };
    const current = await liveTagManifestId(tx, repositoryId, name);
    if (current === manifestId) return { previousManifestId: manifestId, changed: false };
    if (attempt === 2) throw new DomainError("CONFLICT", `tag ${name} is being changed by another request`);
  }
}

/** Ends a live tag; returns the manifest it pointed to, or null when there was none. */
export async function endTag(tx: DbOrTx, repositoryId: number, name: string, now: Date): Promise<number | null> {
  const [ended] = await tx
    .update(tags)
    .set({ lifetimeEnd: now })
    .where(and(live(repositoryId), eq(tags.name, name)))
    .returning({ manifestId: tags.manifestId });
  return ended?.manifestId ?? null;
}

/** Ends every live tag pointing at a manifest; returns their names. */
export async function endTagsOf(tx: DbOrTx, repositoryId: number, manifestId: number, now: Date): Promise<string[]> {
  const ended = await tx
    .update(tags)
    .set({ lifetimeEnd: now })
    .where(and(live(repositoryId), eq(tags.manifestId, manifestId)))
    .returning({ name: tags.name });
  return ended.map((t) => t.name);
}

/** Live, visible tag names in byte order, for the registry's tags list (`n`/`last` paging). */
export async function listTagNames(
  db: DbOrTx,
  repositoryId: number,
  options: { last?: string; limit?: number },
): Promise<string[]> {
  const byteOrder = sql`${tags.name} collate "C"`;
  const filters = [live(repositoryId), eq(tags.hidden, false)];
  if (options.last !== undefined) filters.push(sql`${byteOrder} > ${options.last}`);
  const query = db.select({ name: tags.name }).from(tags).where(and(...filters)).orderBy(byteOrder);
  const rows = options.limit !== undefined ? await query.limit(options.limit) : await query;
  return rows.map((r) => r.name);
}

/** Repositories with at most this many tags have their tag names kept in memory. */
export const CACHED_TAG_NAMES_MAX = 100_000;

/**
 * A page of live tag names in byte order, after `last`. Served from memory (kept in step with
 * writes by the content cache) unless the repository has more tags than are worth keeping.
 */
export async function tagNamesPage(
  svc: Services,
  repositoryId: number,
  page: { last?: string; limit: number },
): Promise<string[]> {
  let all = svc.cache.tagNames(repositoryId);
  if (all === undefined) {
    const readAt = svc.cache.version;
    const names = await listTagNames(svc.db, repositoryId, { limit: CACHED_TAG_NAMES_MAX + 1 });
    all = names.length > CACHED_TAG_NAMES_MAX ? null : names;
    svc.cache.rememberTagNames(repositoryId, all, readAt);
  }
  return all === null ? listTagNames(svc.db, repositoryId, page) : pageAfter(all, page.last, page.limit);
}

export interface TagView {
  name: string;
  manifestDigest: string;
  mediaType: string;
  isIndex: boolean;
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

function tagFilters(repositoryId: number, filter: TagFilter): SQL | undefined {
  const filters = [eq(tags.repositoryId, repositoryId), eq(tags.hidden, false)];
  if (filter.onlyActive) filters.push(isNull(tags.lifetimeEnd));
  if (filter.name !== undefined) filters.push(eq(tags.name, filter.name));
  if (filter.nameContains !== undefined) filters.push(nameContains(tags.name, filter.nameContains));
  return and(...filters);
}

/** Tags with their manifests, newest first. */
export async function listTagViews(
  db: DbOrTx,
  repositoryId: number,
  options: TagFilter & { offset: number; limit: number },
): Promise<TagView[]> {
  return db
    .select({
      name: tags.name,
      manifestDigest: manifests.digest,
      mediaType: manifests.mediaType,
      isIndex: sql<boolean>`${INDEX_MEDIA_TYPES}`,
      size: manifests.layersSize,
      lifetimeStart: tags.lifetimeStart,
      lifetimeEnd: tags.lifetimeEnd,
      expiresAt: tags.expiresAt,
      reversion: tags.reversion,
    })
    .from(tags)
    .innerJoin(manifests, eq(manifests.id, tags.manifestId))
    .where(tagFilters(repositoryId, options))
    .orderBy(desc(tags.lifetimeStart), tags.name)
    .offset(options.offset)
    .limit(options.limit);
}

/** How many tags a listing holds in all (the UI pager's total). */
export async function countTagViews(db: DbOrTx, repositoryId: number, filter: TagFilter): Promise<number> {
  const [row] = await db.select({ count: count() }).from(tags).where(tagFilters(repositoryId, filter));
  return row?.count ?? 0;
}

/**
 * The tag a "pull this image" hint names: `latest` when it exists, else the most recently pushed
 * tag; null when the repository has no tags. Whatever page or filter a table shows.
 */
export async function pullTagName(db: DbOrTx, repositoryId: number): Promise<string | null> {
  const [row] = await db
    .select({ name: tags.name })
    .from(tags)
    .where(and(live(repositoryId), eq(tags.hidden, false)))
    .orderBy(sql`${tags.name} = 'latest' desc`, desc(tags.lifetimeStart), tags.name)
    .limit(1);
  return row?.name ?? null;
}

/** The id of the manifest a live tag points to. */
export async function liveTagManifestId(db: DbOrTx, repositoryId: number, name: string): Promise<number | undefined> {
  const [row] = await db
    .select({ manifestId: tags.manifestId })
    .from(tags)
    .where(and(live(repositoryId), eq(tags.name, name)));
  return row?.manifestId;
}

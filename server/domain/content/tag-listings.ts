// Read-only listings behind the repository page's Tags tab: pages of live tags newest first that
// cost the same on page 1 and page 4 000 of a repository with 100 000 tags (a keyset walk of the
// `tags_live_start` index, never an offset), and the child manifests of an index.
import { and, asc, count, desc, eq, gt, lt, type SQL, sql } from "drizzle-orm";
import type { DbOrTx } from "../../../db/client.ts";
import { manifestChildren, manifests, tags } from "../../../db/schema.ts";
import { nameContains } from "../name-filter.ts";
import { MEDIA_TYPES } from "./manifest-formats.ts";
import { liveTagCondition } from "./tags.ts";

/**
 * Where a row sits in the newest-first order: its start to the microsecond (which a Date cannot
 * hold) and its name, the order's tie-break.
 */
export interface TagPosition {
  start: string;
  name: string;
}

export interface TagListItem {
  name: string;
  manifestId: number;
  manifestDigest: string;
  isIndex: boolean;
  /** Compressed size of the layers (0 for an index). */
  size: number;
  lastModified: Date;
  expiresAt: Date | null;
  position: TagPosition;
}

export interface TagPage {
  rows: TagListItem[];
  /** The position to page back from (`before`), or null on the first page. */
  newer: TagPosition | null;
  /** The position to page on from (`after`), or null on the last page. */
  older: TagPosition | null;
}

export interface TagPageRequest {
  now: Date;
  nameContains?: string;
  /** Rows older than this position, or (with `before`) newer; neither: the newest. */
  after?: TagPosition;
  before?: TagPosition;
  limit: number;
}

const INDEX_TYPES = [MEDIA_TYPES.ociIndex, MEDIA_TYPES.dockerList];
// Spelled as `tags_live_start` is built (`desc nulls last`): a plain `desc` means nulls first,
// which that index cannot give, and Postgres would sort every live tag instead.
const NEWEST_FIRST = [sql`${tags.lifetimeStart} desc nulls last`, asc(tags.name)];
const OLDEST_FIRST = [sql`${tags.lifetimeStart} asc nulls first`, desc(tags.name)];
const START_TEXT = sql<string>`to_char(${tags.lifetimeStart} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
const POSITION_TEXT = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z)~([\w][\w.-]{0,127})$/;

/** A position as a URL parameter, e.g. `2026-11-30T00:15:45.123456Z~v1.0` (tag names hold no `~`). */
export const formatTagPosition = (p: TagPosition) => `${p.start}~${p.name}`;

/** The position a URL parameter names; null when it is not one (a hand-edited address). */
export function parseTagPosition(text: string): TagPosition | null {
  const m = POSITION_TEXT.exec(text);
  return m ? { start: m[1]!, name: m[2]! } : null;
}

function liveTags(repositoryId: number, now: Date, contains?: string): SQL {
  const filters = [liveTagCondition(repositoryId, now), eq(tags.hidden, false)];
  if (contains !== undefined) filters.push(nameContains(tags.name, contains));
  return and(...filters)!;
}

function selectTags(db: DbOrTx, where: SQL, order: SQL[], limit: number): Promise<TagListItem[]> {
  return db
    .select({
      name: tags.name,
      manifestId: manifests.id,
      manifestDigest: manifests.digest,
      isIndex: sql<boolean>`${manifests.mediaType} in (${sql.join(INDEX_TYPES.map((t) => sql`${t}`), sql`, `)})`,
      size: manifests.layersSize,
      lastModified: tags.lifetimeStart,
      expiresAt: tags.expiresAt,
      start: START_TEXT,
    })
    .from(tags)
    .innerJoin(manifests, eq(manifests.id, tags.manifestId))
    .where(where)
    .orderBy(...order)
    .limit(limit)
    .then((rows) => rows.map(({ start, ...row }) => ({ ...row, position: { start, name: row.name } })));
}

/**
 * Rows strictly past `from` in one direction: those sharing its start (by name), then those with
 * a start beyond it. Two range scans of the index sent together, rather than one `or` that
 * Postgres would answer by walking the index from its beginning.
 */
async function rowsPast(db: DbOrTx, base: SQL, from: TagPosition, older: boolean, limit: number): Promise<TagListItem[]> {
  const start = sql`${from.start}::timestamptz`;
  const [sameStart, beyond] = await Promise.all([
    selectTags(db, and(base, eq(tags.lifetimeStart, start), older ? gt(tags.name, from.name) : lt(tags.name, from.name))!, [older ? asc(tags.name) : desc(tags.name)], limit),
    selectTags(db, and(base, older ? lt(tags.lifetimeStart, start) : gt(tags.lifetimeStart, start))!, older ? NEWEST_FIRST : OLDEST_FIRST, limit),
  ]);
  return [...sameStart, ...beyond].slice(0, limit);
}

/** One page of a repository's live tags, newest first (then by name). */
export async function liveTagPage(db: DbOrTx, repositoryId: number, request: TagPageRequest): Promise<TagPage> {
  const base = liveTags(repositoryId, request.now, request.nameContains);
  const wanted = request.limit + 1;
  if (request.before) {
    const got = await rowsPast(db, base, request.before, false, wanted);
    const rows = got.slice(0, request.limit).reverse();
    return { rows, newer: got.length > request.limit ? rows[0]!.position : null, older: rows.at(-1)?.position ?? null };
  }
  const got = request.after
    ? await rowsPast(db, base, request.after, true, wanted)
    : await selectTags(db, base, NEWEST_FIRST, wanted);
  const rows = got.slice(0, request.limit);
  return { rows, newer: request.after !== undefined && rows.length > 0 ? rows[0]!.position : null, older: got.length > request.limit ? rows.at(-1)!.position : null };
}

/** One live tag as a listing shows it (a row opened or closed on its own). */
export async function liveTagItem(db: DbOrTx, repositoryId: number, now: Date, name: string): Promise<TagListItem | undefined> {
  const [row] = await selectTags(db, and(liveTags(repositoryId, now), eq(tags.name, name))!, [], 1);
  return row;
}

/** How many live tags match, counted no further than `cap` (a page shows "more than" past it). */
export async function countLiveTags(
  db: DbOrTx,
  repositoryId: number,
  request: Pick<TagPageRequest, "now" | "nameContains">,
  cap: number,
): Promise<number> {
  const matching = db.select({ one: sql`1` }).from(tags).where(liveTags(repositoryId, request.now, request.nameContains)).limit(cap).as("matching");
  const [row] = await db.select({ count: count() }).from(matching);
  return row?.count ?? 0;
}

export interface ChildManifest {
  digest: string;
  mediaType: string;
  /** Compressed size of its layers. */
  size: number;
  os: string | null;
  architecture: string | null;
  variant: string | null;
}

/** What the index's entry at `position` says the child runs on. */
function platformAt(raw: Uint8Array, position: number): Pick<ChildManifest, "os" | "architecture" | "variant"> {
  let platform: unknown;
  try {
    const body = JSON.parse(new TextDecoder().decode(raw)) as { manifests?: Array<{ platform?: unknown }> };
    platform = body.manifests?.[position]?.platform;
  } catch {
    // Stored manifests were valid JSON when pushed; a damaged one simply shows no platform.
  }
  const field = (key: string) => {
    const value = platform && typeof platform === "object" ? (platform as Record<string, unknown>)[key] : undefined;
    return typeof value === "string" ? value : null;
  };
  return { os: field("os"), architecture: field("architecture"), variant: field("variant") };
}

/** The manifests an index lists, in its order, each with the platform the index gives it. */
export async function childManifests(db: DbOrTx, repositoryId: number, indexDigest: string): Promise<ChildManifest[] | null> {
  const [index] = await db
    .select({ id: manifests.id, raw: manifests.raw, mediaType: manifests.mediaType })
    .from(manifests)
    .where(and(eq(manifests.repositoryId, repositoryId), eq(manifests.digest, indexDigest)));
  if (!index || !(INDEX_TYPES as string[]).includes(index.mediaType)) return null;
  const children = await db
    .select({ digest: manifests.digest, mediaType: manifests.mediaType, size: manifests.layersSize, position: manifestChildren.position })
    .from(manifestChildren)
    .innerJoin(manifests, eq(manifests.id, manifestChildren.childId))
    .where(eq(manifestChildren.manifestId, index.id))
    .orderBy(manifestChildren.position);
  return children.map(({ position, ...child }) => ({ ...child, ...platformAt(index.raw, position) }));
}

// The one query module over the usage log: a namespace's, a repository's or a user's log rows in a
// time range, newest first, a page at a time (keyset on time and id, so page 5 000 costs what page
// 1 costs), and the counts per kind and day behind the charts, read from the per-day counts the
// database keeps as rows are written (audit_log_day_counts, migration 0011). The API, the pages and
// the export job all read through here.
//
// The text filter matches a row's kind or performer (any part, any case) and, except in pulls, its
// address and metadata values (audit_log_search_text, trigram-indexed). Kind and performer
// matches are counted from the kept counts; only detail matches are counted row by row, through
// the index, so a filter costs what it finds rather than what the range holds.
import { and, desc, eq, gte, lt, type SQL, sql, type SQLWrapper } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { DbOrTx } from "../../../db/client.ts";
import { auditLog, auditLogDayCounts, namespaces, users } from "../../../db/schema.ts";

/** Whose log: everything in a namespace (organization or user), or in one repository. */
export type LogScope = { namespaceId: number } | { repositoryId: number };

export interface LogFilter {
  scope: LogScope;
  /** Inclusive start and exclusive end of the time range. */
  start: Date;
  end: Date;
  /** Only rows this username performed. */
  performer?: string;
  /** Case-insensitive text to find in the kind or performer, or (except in pulls) the IP or metadata values. */
  text?: string;
}

/** Where a row sits in the newest-first order: its time to the microsecond, then its id. */
export interface LogPosition {
  at: string;
  id: number;
}

export interface LogRow {
  id: number;
  kind: string;
  createdAt: Date;
  /** Who did it; null for the system (jobs), anonymous pulls or an account since deleted. */
  performer: { name: string; isRobot: boolean } | null;
  namespace: { name: string; kind: "user" | "org" } | null;
  ip: string | null;
  metadata: Record<string, unknown>;
}

export interface LogPage {
  rows: LogRow[];
  /** Where the next (older) page starts; null on the last page. */
  next: LogPosition | null;
}

export interface LogCount {
  kind: string;
  /** Midnight UTC of the day. */
  day: Date;
  count: number;
}

/** Most rows one page may hold. */
export const MAX_LOG_PAGE = 100;

const AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const CREATED_TEXT = sql<string>`to_char(${auditLog.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
const performers = alias(users, "performer");

/** True when `position` could have come from a page (else it was made up or edited). */
export function isLogPosition(position: LogPosition): boolean {
  return AT.test(position.at) && Number.isSafeInteger(position.id) && position.id > 0;
}

/** The row's scope, range and performer; the text filter is one of the two matches below. */
function conditions(filter: LogFilter): SQL[] {
  const where: SQL[] = [
    "repositoryId" in filter.scope
      ? eq(auditLog.repositoryId, filter.scope.repositoryId)
      : eq(auditLog.namespaceId, filter.scope.namespaceId),
    gte(auditLog.createdAt, filter.start),
    lt(auditLog.createdAt, filter.end),
  ];
  if (filter.performer !== undefined) where.push(eq(performers.username, filter.performer));
  return where;
}

/** The filter's text as an ilike pattern matching it anywhere, or undefined for no text. */
function textPattern(filter: LogFilter): string | undefined {
  const text = filter.text?.trim();
  return text ? `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : undefined;
}

/** Kind or performer name matches: the part of a text filter the kept counts can answer. */
const namedMatch = (kind: SQLWrapper, like: string) =>
  sql`(${kind} ilike ${like} or coalesce(${performers.username} ilike ${like}, false))`;

/**
 * Rows only their details match (never pulls): the partial trigram index finds them. `kind <>
 * 'pull_repo'` is written out so the planner sees the index's predicate.
 */
const detailOnlyMatch = (like: string) =>
  sql`(${auditLog.kind} <> 'pull_repo' and not ${namedMatch(auditLog.kind, like)}
    and audit_log_search_text(${auditLog.ip}, ${auditLog.metadata}) ilike ${like})`;

/** Up to `limit` (at most MAX_LOG_PAGE) rows newest first, from `after` (a position of an earlier page) on. */
export async function logPage(
  db: DbOrTx,
  filter: LogFilter,
  page: { after?: LogPosition; limit: number },
): Promise<LogPage> {
  return rowsFrom(db, filter, page.after, Math.max(1, Math.min(page.limit, MAX_LOG_PAGE)));
}

async function rowsFrom(db: DbOrTx, filter: LogFilter, after: LogPosition | undefined, limit: number): Promise<LogPage> {
  const where = conditions(filter);
  if (after && isLogPosition(after)) {
    where.push(sql`(${auditLog.createdAt}, ${auditLog.id}) < (${after.at}::timestamptz, ${after.id}::bigint)`);
  }
  const like = textPattern(filter);
  // A text filter reads its two matches apart (one OR would scan the whole range when matches are
  // rare) and merges them; the named one only when the kept counts say the range has such rows.
  const parts = like
    ? await Promise.all([
        (await hasNamedMatch(db, filter, like)) ? rowsWhere(db, [...where, namedMatch(auditLog.kind, like)], limit) : [],
        rowsWhere(db, [...where, detailOnlyMatch(like)], limit, "by matches"),
      ])
    : [await rowsWhere(db, where, limit)];
  const rows = parts.flat().sort((a, b) => (a.created === b.created ? b.id - a.id : a.created < b.created ? 1 : -1));
  const shown = rows.slice(0, limit);
  const last = shown.at(-1);
  return {
    rows: shown.map((r) => ({
      id: r.id,
      kind: r.kind,
      createdAt: r.createdAt,
      performer: r.performerName === null ? null : { name: r.performerName, isRobot: r.performerKind === "robot" },
      namespace: r.namespaceName === null ? null : { name: r.namespaceName, kind: r.namespaceKind! },
      ip: r.ip,
      metadata: r.metadata,
    })),
    next: rows.length > limit && last ? { at: last.created, id: last.id } : null,
  };
}

/**
 * Up to `limit` + 1 rows, newest first (one more than asked tells whether a next page exists).
 * "by matches" sorts by an expression, not the time column, so the planner cannot walk the time
 * index newest first hoping for an early match (it guesses details match often: a rare text then
 * scanned the whole range, seconds over 10 million rows); it takes the trigram index's matches.
 */
function rowsWhere(db: DbOrTx, where: SQL[], limit: number, read: "by time" | "by matches" = "by time") {
  const newest = read === "by time" ? desc(auditLog.createdAt) : sql`${auditLog.createdAt} + interval '0 seconds' desc`;
  return db
    .select({
      id: auditLog.id,
      kind: auditLog.kind,
      createdAt: auditLog.createdAt,
      created: CREATED_TEXT,
      performerName: performers.username,
      performerKind: performers.kind,
      namespaceName: namespaces.name,
      namespaceKind: namespaces.kind,
      ip: auditLog.ip,
      metadata: auditLog.metadata,
    })
    .from(auditLog)
    .leftJoin(performers, eq(performers.id, auditLog.performerId))
    .leftJoin(namespaces, eq(namespaces.id, auditLog.namespaceId))
    .where(and(...where))
    .orderBy(newest, desc(auditLog.id))
    .limit(limit + 1);
}

/** Rows the export reads per statement: few round trips, little memory. */
const EXPORT_BATCH = 2000;

/** Every row of the range, newest first, a batch at a time (for the export, which may be large). */
export async function* allLogRows(db: DbOrTx, filter: LogFilter): AsyncGenerator<LogRow[]> {
  let after: LogPosition | undefined;
  for (;;) {
    const page = await rowsFrom(db, filter, after, EXPORT_BATCH);
    if (page.rows.length > 0) yield page.rows;
    if (!page.next) return;
    after = page.next;
  }
}

const DAY_MS = 86_400_000;
const isoDay = (at: Date) => at.toISOString().slice(0, 10);

/** The UTC days a range touches, as [first, last + 1) ISO dates. */
function daysOf(filter: LogFilter): { from: string; to: string } {
  const lastMs = filter.end.getTime() - 1;
  return { from: isoDay(filter.start), to: isoDay(new Date(lastMs - (lastMs % DAY_MS) + DAY_MS)) };
}

/** The kept counts' rows of the filter's scope, days and performer (and kind or performer text match). */
function countConditions(filter: LogFilter, like: string | undefined): SQL[] {
  const days = daysOf(filter);
  const c = auditLogDayCounts;
  const where: SQL[] = [
    "repositoryId" in filter.scope ? eq(c.repositoryId, filter.scope.repositoryId) : eq(c.namespaceId, filter.scope.namespaceId),
    gte(c.day, days.from),
    lt(c.day, days.to),
  ];
  if (filter.performer !== undefined) where.push(eq(performers.username, filter.performer));
  if (like !== undefined) where.push(namedMatch(c.kind, like));
  return where;
}

async function hasNamedMatch(db: DbOrTx, filter: LogFilter, like: string): Promise<boolean> {
  const found = await db
    .select({ one: sql<number>`1` })
    .from(auditLogDayCounts)
    .leftJoin(performers, eq(performers.id, auditLogDayCounts.performerId))
    .where(and(...countConditions(filter, like)))
    .limit(1);
  return found.length > 0;
}

/**
 * How many actions of each kind each UTC day of the range holds, oldest day first (a pull_repo row
 * standing for several identical pulls counts them all). Whole days: a range that starts or ends
 * inside a day counts that day whole (the counts are kept per day).
 */
export async function logCounts(db: DbOrTx, filter: LogFilter): Promise<LogCount[]> {
  const like = textPattern(filter);
  const c = auditLogDayCounts;
  const kept = db
    .select({ kind: c.kind, day: c.day, count: sql<number>`sum(${c.count})::int` })
    .from(c)
    .leftJoin(performers, eq(performers.id, c.performerId))
    .where(and(...countConditions(filter, like)))
    .groupBy(c.kind, c.day);
  const [named, details] = await Promise.all([kept, like === undefined ? [] : detailCounts(db, filter, like)]);
  const counts = new Map<string, LogCount>();
  for (const r of [...named, ...details]) {
    const key = `${r.day} ${r.kind}`;
    const seen = counts.get(key);
    if (seen) seen.count += r.count;
    else counts.set(key, { kind: r.kind, day: new Date(`${r.day}T00:00:00Z`), count: r.count });
  }
  return [...counts.values()].sort((a, b) => a.day.getTime() - b.day.getTime() || (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0));
}

/** Rows of the filter's whole days that only their details match, counted per kind and day. */
function detailCounts(db: DbOrTx, filter: LogFilter, like: string) {
  const days = daysOf(filter);
  const wholeDays = { ...filter, start: new Date(`${days.from}T00:00:00Z`), end: new Date(`${days.to}T00:00:00Z`) };
  const day = sql<string>`to_char(date_trunc('day', ${auditLog.createdAt} at time zone 'UTC'), 'YYYY-MM-DD')`;
  return db
    .select({ kind: auditLog.kind, day, count: sql<number>`count(*)::int` }) // never pulls: one action a row
    .from(auditLog)
    .leftJoin(performers, eq(performers.id, auditLog.performerId))
    .where(and(...conditions(wholeDays), detailOnlyMatch(like)))
    .groupBy(auditLog.kind, day);
}

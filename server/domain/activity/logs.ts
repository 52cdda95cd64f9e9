// The one query module over the usage log: a namespace's, a repository's or a user's log rows in a
// time range, newest first, a page at a time (keyset on time and id, so page 5 000 costs what page
// 1 costs), and the counts per kind and day behind the charts. The API, the pages and the export
// job all read through here.
import { and, desc, eq, gte, lt, type SQL, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { DbOrTx } from "../../../db/client.ts";
import { auditLog, namespaces, users } from "../../../db/schema.ts";

/** Whose log: everything in a namespace (organization or user), or in one repository. */
export type LogScope = { namespaceId: number } | { repositoryId: number };

export interface LogFilter {
  scope: LogScope;
  /** Inclusive start and exclusive end of the time range. */
  start: Date;
  end: Date;
  /** Only rows this username performed. */
  performer?: string;
  /** Case-insensitive text to find in the kind, performer, IP or metadata. */
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

function conditions(filter: LogFilter): SQL[] {
  const where: SQL[] = [
    "repositoryId" in filter.scope
      ? eq(auditLog.repositoryId, filter.scope.repositoryId)
      : eq(auditLog.namespaceId, filter.scope.namespaceId),
    gte(auditLog.createdAt, filter.start),
    lt(auditLog.createdAt, filter.end),
  ];
  if (filter.performer !== undefined) where.push(eq(performers.username, filter.performer));
  const text = filter.text?.trim();
  if (text) {
    const like = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.push(
      sql`(${auditLog.kind} ilike ${like} or ${performers.username} ilike ${like} or ${auditLog.ip} ilike ${like}
        or ${auditLog.metadata}::text ilike ${like})`,
    );
  }
  return where;
}

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
  const rows = await db
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
    .orderBy(desc(auditLog.createdAt), desc(auditLog.id))
    .limit(limit + 1);
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

/** How many rows of each kind each UTC day of the range holds, oldest day first. */
export async function logCounts(db: DbOrTx, filter: LogFilter): Promise<LogCount[]> {
  const day = sql<string>`to_char(date_trunc('day', ${auditLog.createdAt} at time zone 'UTC'), 'YYYY-MM-DD')`;
  const rows = await db
    .select({ kind: auditLog.kind, day, count: sql<number>`count(*)::int` })
    .from(auditLog)
    .leftJoin(performers, eq(performers.id, auditLog.performerId))
    .where(and(...conditions(filter)))
    .groupBy(auditLog.kind, day)
    .orderBy(day, auditLog.kind);
  return rows.map((r) => ({ kind: r.kind, day: new Date(`${r.day}T00:00:00Z`), count: r.count }));
}

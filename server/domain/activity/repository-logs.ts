// A repository's usage log as its page reads it: audit rows newest first, a page at a time, paged
// by position (time and id) so an old repository's long log costs the same on every page.
import { and, asc, desc, eq, type SQL, sql } from "drizzle-orm";
import type { DbOrTx } from "../../../db/client.ts";
import { auditLog, users } from "../../../db/schema.ts";

export interface LogEntry {
  id: number;
  kind: string;
  createdAt: Date;
  /** Who did it; null for the system (jobs) or an account since deleted. */
  performer: string | null;
  ip: string | null;
  metadata: Record<string, unknown>;
}

/** Where a row sits in the newest-first order: its time to the microsecond, then its id. */
const POSITION = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z)~(\d{1,18})$/;
const CREATED_TEXT = sql<string>`to_char(${auditLog.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** True when `text` is a position a log page may start from (else it was edited by hand). */
export const isLogPosition = (text: string) => POSITION.test(text);

/**
 * `limit` entries newest first: the newest, those older than `after` or those newer than `before`
 * (positions from an earlier page), with the positions of the pages on either side (null at the
 * ends).
 */
export async function repositoryLogPage(
  db: DbOrTx,
  repositoryId: number,
  page: { after?: string; before?: string; limit: number },
): Promise<{ entries: LogEntry[]; newer: string | null; older: string | null }> {
  const from = page.before ?? page.after;
  const m = from === undefined ? null : POSITION.exec(from);
  const backwards = page.before !== undefined;
  const filters: SQL[] = [eq(auditLog.repositoryId, repositoryId)];
  if (m) {
    const at = sql`(${m[1]!}::timestamptz, ${m[2]!}::bigint)`;
    filters.push(backwards ? sql`(${auditLog.createdAt}, ${auditLog.id}) > ${at}` : sql`(${auditLog.createdAt}, ${auditLog.id}) < ${at}`);
  }
  const rows = await db
    .select({
      id: auditLog.id,
      kind: auditLog.kind,
      createdAt: auditLog.createdAt,
      performer: users.username,
      ip: auditLog.ip,
      metadata: auditLog.metadata,
      created: CREATED_TEXT,
    })
    .from(auditLog)
    .leftJoin(users, eq(users.id, auditLog.performerId))
    .where(and(...filters))
    .orderBy(...(backwards ? [asc(auditLog.createdAt), asc(auditLog.id)] : [desc(auditLog.createdAt), desc(auditLog.id)]))
    .limit(page.limit + 1);
  const more = rows.length > page.limit;
  const shown = rows.slice(0, page.limit);
  if (backwards) shown.reverse();
  const position = (row: (typeof rows)[number] | undefined) => (row ? `${row.created}~${row.id}` : null);
  return {
    entries: shown.map(({ created: _, ...entry }) => entry),
    newer: backwards ? (more ? position(shown[0]) : null) : from !== undefined ? position(shown[0]) : null,
    older: backwards ? position(shown.at(-1)) : more ? position(shown.at(-1)) : null,
  };
}

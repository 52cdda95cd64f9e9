// A repository's usage log as its page reads it: audit rows newest first, a page at a time, paged
// by position (time and id) so an old repository's long log costs the same on every page.
import { and, desc, eq, type SQL, sql } from "drizzle-orm";
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

/** True when `text` is a position a log page may start after (else it was edited by hand). */
export const isLogPosition = (text: string) => POSITION.test(text);

/** The newest `limit` entries older than `after` (a position from an earlier page), and the next page's position. */
export async function repositoryLogPage(
  db: DbOrTx,
  repositoryId: number,
  page: { after?: string; limit: number },
): Promise<{ entries: LogEntry[]; older: string | null }> {
  const filters: SQL[] = [eq(auditLog.repositoryId, repositoryId)];
  const m = page.after === undefined ? null : POSITION.exec(page.after);
  if (m) filters.push(sql`(${auditLog.createdAt}, ${auditLog.id}) < (${m[1]!}::timestamptz, ${m[2]!}::bigint)`);
  const rows = await db
    .select({
      id: auditLog.id,
      kind: auditLog.kind,
      createdAt: auditLog.createdAt,
      performer: users.username,
      ip: auditLog.ip,
      metadata: auditLog.metadata,
      position: CREATED_TEXT,
    })
    .from(auditLog)
    .leftJoin(users, eq(users.id, auditLog.performerId))
    .where(and(...filters))
    .orderBy(desc(auditLog.createdAt), desc(auditLog.id))
    .limit(page.limit + 1);
  const entries = rows.slice(0, page.limit).map(({ position: _, ...entry }) => entry);
  const last = rows.length > page.limit ? rows[page.limit - 1]! : null;
  return { entries, older: last ? `${last.position}~${last.id}` : null };
}

// How busy repositories are, from their tags and usage log: when a tag last moved, how many
// actions a recent window saw, and actions per day (Quay's last_modified, popularity, stats).
import { and, eq, gte, inArray, max, sql } from "drizzle-orm";
import type { DbOrTx } from "../../../db/client.ts";
import { auditLog, tags } from "../../../db/schema.ts";
import { tagLiveAt } from "../content/tags.ts";

/** The newest start of a tag live at `now` and visible, per repository (absent when a repository has none). */
export async function lastTagChange(db: DbOrTx, repositoryIds: number[], now: Date): Promise<Map<number, Date>> {
  if (repositoryIds.length === 0) return new Map();
  const rows = await db
    .select({ id: tags.repositoryId, at: max(tags.lifetimeStart) })
    .from(tags)
    .where(and(inArray(tags.repositoryId, repositoryIds), tagLiveAt(now), eq(tags.hidden, false)))
    .groupBy(tags.repositoryId);
  return new Map(rows.flatMap((r) => (r.at ? [[r.id, r.at] as const] : [])));
}

/** Usage-log entries per repository since a moment. */
export async function actionTotals(db: DbOrTx, repositoryIds: number[], since: Date): Promise<Map<number, number>> {
  if (repositoryIds.length === 0) return new Map();
  const rows = await db
    .select({ id: auditLog.repositoryId, n: sql<number>`count(*)::int` })
    .from(auditLog)
    .where(and(inArray(auditLog.repositoryId, repositoryIds), gte(auditLog.createdAt, since)))
    .groupBy(auditLog.repositoryId);
  return new Map(rows.flatMap((r) => (r.id === null ? [] : [[r.id, r.n] as const])));
}

export interface DailyCount {
  /** UTC day, `YYYY-MM-DD`. */
  date: string;
  count: number;
}

/** Usage-log entries per UTC day for one repository since a moment, oldest day first. */
export async function dailyActionCounts(db: DbOrTx, repositoryId: number, since: Date): Promise<DailyCount[]> {
  const day = sql<string>`to_char(${auditLog.createdAt} at time zone 'UTC', 'YYYY-MM-DD')`;
  return db
    .select({ date: day, count: sql<number>`count(*)::int` })
    .from(auditLog)
    .where(and(eq(auditLog.repositoryId, repositoryId), gte(auditLog.createdAt, since)))
    .groupBy(day)
    .orderBy(day);
}

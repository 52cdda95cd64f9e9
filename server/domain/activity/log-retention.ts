// The usage log's months (migration 0009 partitions audit_log by month, `audit_log_YYYY_MM`, plus
// `audit_log_default` for rows of a month not made yet). Retention drops whole months — no
// row-by-row delete, no table bloat — and makes the coming months before their rows arrive. The
// per-day counts (audit_log_day_counts) lose what the log loses.
import { sql } from "drizzle-orm";
import type { Db } from "../../../db/client.ts";
import { auditLogDayCounts } from "../../../db/schema.ts";

const PARTITION = /^audit_log_(\d{4})_(\d{2})$/;

/** First instant (UTC) of the month `offset` months after the one holding `at`. */
const monthStart = (at: Date, offset = 0) => new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + offset, 1));
const isoDay = (at: Date) => at.toISOString().slice(0, 10);
const partitionName = (month: Date) => `audit_log_${month.toISOString().slice(0, 7).replace("-", "_")}`;

/** The monthly partitions, oldest first, with the month each holds. */
export async function logPartitions(db: Db): Promise<{ name: string; from: Date }[]> {
  const rows = await db.execute<{ name: string }>(
    sql`select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid where i.inhparent = 'audit_log'::regclass`,
  );
  return rows
    .flatMap(({ name }) => {
      const m = PARTITION.exec(name);
      return m ? [{ name, from: new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1)) }] : [];
    })
    .sort((a, b) => a.from.getTime() - b.from.getTime());
}

/**
 * Makes the partitions of the month holding `now` and of the `ahead` months after it. Rows the
 * default partition took for such a month move into it (Postgres refuses the partition otherwise).
 */
export async function ensureLogPartitions(db: Db, now: Date, ahead = 2): Promise<string[]> {
  const existing = new Set((await logPartitions(db)).map((p) => p.name));
  const made: string[] = [];
  for (let offset = 0; offset <= ahead; offset++) {
    const from = monthStart(now, offset);
    const name = partitionName(from);
    if (existing.has(name)) continue;
    const to = monthStart(now, offset + 1);
    await db.transaction(async (tx) => {
      // Serialises makers on several nodes; the second finds the table made.
      await tx.execute(sql`lock table audit_log in share row exclusive mode`);
      const [found] = await tx.execute<{ made: boolean }>(sql`select to_regclass(${name}) is not null as made`);
      if (found?.made) return;
      await tx.execute(sql`create temporary table audit_log_moving on commit drop as
        with moved as (delete from audit_log_default where created_at >= ${from.toISOString()}::timestamptz and created_at < ${to.toISOString()}::timestamptz returning *)
        select * from moved`);
      await tx.execute(
        sql.raw(`create table ${name} partition of audit_log for values from ('${from.toISOString()}') to ('${to.toISOString()}')`),
      );
      // Into the partition itself: an insert into audit_log would count the rows a second time
      // (the day counts' trigger fires for the parent only).
      await tx.execute(sql`insert into ${sql.identifier(name)} select * from audit_log_moving`);
      made.push(name);
    });
  }
  return made;
}

/**
 * Drops the months wholly older than `retentionSeconds` before `now` (a month goes once its last
 * instant is past the cutoff) and deletes such rows from the default partition. Returns the
 * dropped partitions' names.
 */
export async function dropExpiredLogs(db: Db, now: Date, retentionSeconds: number): Promise<string[]> {
  const cutoff = new Date(now.getTime() - retentionSeconds * 1000);
  const dropped: string[] = [];
  for (const partition of await logPartitions(db)) {
    if (monthStart(partition.from, 1) > cutoff) break;
    // Detach first: dropping a partition of a table others are writing would wait on their locks
    // for the whole drop; a detached table is no one's.
    await db.execute(sql.raw(`alter table audit_log detach partition ${partition.name}`));
    await db.transaction(async (tx) => {
      await tx.execute(sql.raw(`drop table ${partition.name}`));
      // The month's rows were all in it (the default holds only months without a partition).
      await tx.execute(sql`delete from ${auditLogDayCounts} where day >= ${isoDay(partition.from)}::date and day < ${isoDay(monthStart(partition.from, 1))}::date`);
    });
    dropped.push(partition.name);
  }
  // Row by row in the default partition, so its counts come down by what went.
  await db.transaction(async (tx) => {
    await tx.execute(sql`with gone as (
        delete from audit_log_default where created_at < ${cutoff.toISOString()}::timestamptz
        returning namespace_id, (created_at at time zone 'UTC')::date as day, kind, repository_id, performer_id, audit_log_actions(kind, metadata) as n
      ), tally as (select namespace_id, day, kind, repository_id, performer_id, sum(n) as n from gone group by 1, 2, 3, 4, 5)
      update ${auditLogDayCounts} c set count = c.count - t.n from tally t
      where c.namespace_id is not distinct from t.namespace_id and c.day = t.day and c.kind = t.kind
        and c.repository_id is not distinct from t.repository_id and c.performer_id is not distinct from t.performer_id`);
    await tx.execute(sql`delete from ${auditLogDayCounts} where day <= ${isoDay(cutoff)}::date and count <= 0`);
  });
  return dropped;
}

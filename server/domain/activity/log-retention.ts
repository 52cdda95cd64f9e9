// The usage log's months (migration 0009 partitions audit_log by month, `audit_log_YYYY_MM`, plus
// `audit_log_default` for rows of a month not made yet). Retention drops whole months — no
// row-by-row delete, no table bloat — and makes the coming months before their rows arrive.
import { sql } from "drizzle-orm";
import type { Db } from "../../../db/client.ts";

const PARTITION = /^audit_log_(\d{4})_(\d{2})$/;

/** First instant (UTC) of the month `offset` months after the one holding `at`. */
const monthStart = (at: Date, offset = 0) => new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + offset, 1));
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
      await tx.execute(sql`insert into audit_log select * from audit_log_moving`);
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
    await db.execute(sql.raw(`drop table ${partition.name}`));
    dropped.push(partition.name);
  }
  await db.execute(sql`delete from audit_log_default where created_at < ${cutoff.toISOString()}::timestamptz`);
  return dropped;
}

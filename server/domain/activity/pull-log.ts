// Pulls are the hot path: logging each one in its own statement would cost the registry a round
// trip per manifest GET. They are kept in memory and written together — one insert of all the
// usage-log rows (`pull_repo`) and one upsert per statistics table — within a second of the first
// pull of a batch, and at once on a clean shutdown (stop()).
import { sql } from "drizzle-orm";
import type { Db } from "../../../db/client.ts";
import { manifestPullStats, tagPullStats } from "../../../db/schema.ts";
import { log } from "../../observability/log.ts";
import type { Clock } from "../clock.ts";
import { type Performer, performedBy } from "./audit.ts";
import type { Actor } from "../access/principal.ts";

export interface Pull {
  repo: { id: number; namespaceId: number; namespace: string; name: string };
  /** The tag the client named; absent for a pull by digest. */
  tag?: string;
  digest: string;
}

interface PullRow extends Pull, Performer {
  at: Date;
}

/** A batch this large is written without waiting for the second to pass (bounds memory). */
const BATCH_LIMIT = 20_000;
/** A batch Postgres refused is kept for the next flush, up to this many rows; older ones are dropped. */
const KEEP_LIMIT = 200_000;

export class PullLog {
  private rows: PullRow[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    /** Off (QUAYSIDE_LOG_PULLS=false): pulls are neither logged nor counted. */
    private readonly options: { enabled: boolean; intervalMs: number } = { enabled: true, intervalMs: 1000 },
  ) {}

  /** Pulls recorded and not yet handed to the database. */
  get pending(): number {
    return this.rows.length;
  }

  /** Notes a pull; it reaches the database with the next flush. */
  record(actor: Actor, pull: Pull): void {
    if (!this.options.enabled) return;
    this.rows.push({ ...pull, ...performedBy(actor), at: this.clock.now() });
    if (this.rows.length >= BATCH_LIMIT) void this.flush();
    else if (this.timer === undefined) {
      this.timer = setTimeout(() => void this.flush(), this.options.intervalMs);
      // Node lets a process exit with this timer pending (clean shutdowns flush through stop()).
      (this.timer as { unref?: () => void }).unref?.();
    }
  }

  /** Writes what has been recorded so far; resolves once it is in the database. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.rows;
    this.rows = [];
    // One batch at a time, in order, so statistics see pulls in the order they happened.
    this.writing = this.writing.then(() => (batch.length === 0 ? undefined : this.write(batch)));
    return this.writing;
  }

  /** Flushes and waits: part of the process's clean shutdown. */
  stop(): Promise<void> {
    return this.flush();
  }

  private async write(batch: PullRow[]): Promise<void> {
    try {
      await this.db.transaction(async (tx) => {
        await tx.execute(insertPullRows(batch));
        const tags = new Map<string, { repositoryId: number; tag: string; digest: string; count: number; last: Date }>();
        const manifests = new Map<string, { repositoryId: number; digest: string; count: number; last: Date }>();
        for (const row of batch) {
          const m = manifests.get(`${row.repo.id} ${row.digest}`);
          if (m) {
            m.count++;
            m.last = row.at;
          } else manifests.set(`${row.repo.id} ${row.digest}`, { repositoryId: row.repo.id, digest: row.digest, count: 1, last: row.at });
          if (row.tag === undefined) continue;
          const t = tags.get(`${row.repo.id} ${row.tag}`);
          if (t) {
            t.count++;
            t.last = row.at;
            t.digest = row.digest;
          } else tags.set(`${row.repo.id} ${row.tag}`, { repositoryId: row.repo.id, tag: row.tag, digest: row.digest, count: 1, last: row.at });
        }
        if (tags.size > 0) {
          const t = [...tags.values()];
          // A repository deleted since the pull has no statistics to keep (the join drops it).
          await tx.execute(sql`insert into ${tagPullStats} (repository_id, tag, pull_count, last_pulled_at, manifest_digest)
            select p.repository_id, p.tag, p.count, p.last, p.digest
            from unnest(${ints(t.map((x) => x.repositoryId))}::int[], ${texts(t.map((x) => x.tag))}::text[], ${ints(t.map((x) => x.count))}::bigint[],
                        ${texts(t.map((x) => x.last.toISOString()))}::timestamptz[], ${texts(t.map((x) => x.digest))}::text[])
                 as p(repository_id, tag, count, last, digest)
            join repositories r on r.id = p.repository_id
            on conflict (repository_id, tag) do update set pull_count = tag_pull_stats.pull_count + excluded.pull_count,
              last_pulled_at = greatest(tag_pull_stats.last_pulled_at, excluded.last_pulled_at),
              manifest_digest = excluded.manifest_digest`);
        }
        const m = [...manifests.values()];
        await tx.execute(sql`insert into ${manifestPullStats} (repository_id, manifest_digest, pull_count, last_pulled_at)
          select p.repository_id, p.digest, p.count, p.last
          from unnest(${ints(m.map((x) => x.repositoryId))}::int[], ${texts(m.map((x) => x.digest))}::text[], ${ints(m.map((x) => x.count))}::bigint[],
                      ${texts(m.map((x) => x.last.toISOString()))}::timestamptz[])
               as p(repository_id, digest, count, last)
          join repositories r on r.id = p.repository_id
          on conflict (repository_id, manifest_digest) do update set pull_count = manifest_pull_stats.pull_count + excluded.pull_count,
            last_pulled_at = greatest(manifest_pull_stats.last_pulled_at, excluded.last_pulled_at)`);
      });
    } catch (err) {
      log.error({ err, pulls: batch.length }, "writing the pull log failed; the pulls are kept for the next flush");
      this.rows = [...batch, ...this.rows].slice(-KEEP_LIMIT);
      if (this.timer === undefined && this.rows.length > 0) {
        this.timer = setTimeout(() => void this.flush(), this.options.intervalMs);
        (this.timer as { unref?: () => void }).unref?.();
      }
    }
  }
}

// Arrays go to Postgres as one text parameter each ('{…}' literals), so a batch of any size is
// one statement with a fixed number of parameters.
const ints = (values: number[]) => `{${values.join(",")}}`;
const texts = (values: (string | null)[]) =>
  `{${values.map((v) => (v === null ? "NULL" : `"${v.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`)).join(",")}}`;

function insertPullRows(batch: PullRow[]) {
  const metadata = batch.map((row) =>
    JSON.stringify(
      row.tag === undefined
        ? { namespace: row.repo.namespace, repo: row.repo.name, manifest_digest: row.digest }
        : { namespace: row.repo.namespace, repo: row.repo.name, tag: row.tag, manifest_digest: row.digest },
    ),
  );
  return sql`insert into audit_log (kind, namespace_id, repository_id, performer_id, performer_kind, ip, metadata, created_at)
    select 'pull_repo', * from unnest(${ints(batch.map((r) => r.repo.namespaceId))}::int[], ${ints(batch.map((r) => r.repo.id))}::int[],
      ${texts(batch.map((r) => (r.performerId === null ? null : String(r.performerId))))}::int[], ${texts(batch.map((r) => r.performerKind))}::text[],
      ${texts(batch.map((r) => r.ip))}::text[], ${texts(metadata)}::jsonb[], ${texts(batch.map((r) => r.at.toISOString()))}::timestamptz[])`;
}

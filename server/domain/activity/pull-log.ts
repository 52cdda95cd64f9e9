// Pulls are the hot path: logging each one in its own statement would cost the registry a round
// trip per manifest GET. They are kept in memory and written together — one insert of the
// usage-log rows (`pull_repo`) and one upsert per statistics table — within a second of the first
// pull of a batch, and at once on a clean shutdown (stop()).
//
// Identical pulls of one batch (same repository, tag or digest, manifest, performer and IP: a CI
// fleet pulling `latest`) become one row whose metadata says how many (`count`, only when more
// than one), timed at the first of them. Without this, a registry under load spent about half of
// its manifest GET throughput on its own usage log (bench: "Manifest GET by tag with every pull
// logged"); memory and the flush now grow with distinct pulls, not with pulls.
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
  /** The first pull's time, and the last one's. */
  first: Date;
  last: Date;
  count: number;
}

/** A batch with this many distinct pulls is written without waiting for the second to pass. */
const BATCH_LIMIT = 20_000;
/** A batch Postgres refused is kept for the next flush, up to this many distinct pulls; others are dropped. */
const KEEP_LIMIT = 200_000;

export class PullLog {
  private rows = new Map<string, PullRow>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    /** Off (QUAYSIDE_LOG_PULLS=false): pulls are neither logged nor counted. */
    private readonly options: { enabled: boolean; intervalMs: number } = { enabled: true, intervalMs: 1000 },
  ) {}

  /** Distinct pulls recorded and not yet handed to the database. */
  get pending(): number {
    return this.rows.size;
  }

  /** Notes a pull; it reaches the database with the next flush. */
  record(actor: Actor, pull: Pull): void {
    if (!this.options.enabled) return;
    const now = this.clock.now();
    const performer = performedBy(actor);
    const key = keyOf(pull, performer);
    const same = this.rows.get(key);
    if (same) {
      same.count++;
      same.last = now;
      return;
    }
    this.rows.set(key, { ...pull, ...performer, first: now, last: now, count: 1 });
    if (this.rows.size >= BATCH_LIMIT) void this.flush();
    else this.schedule();
  }

  /** Writes what has been recorded so far; resolves once it is in the database. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = [...this.rows.values()];
    this.rows = new Map();
    // One batch at a time, in order, so statistics see pulls in the order they happened.
    this.writing = this.writing.then(() => (batch.length === 0 ? undefined : this.write(batch)));
    return this.writing;
  }

  /** Flushes and waits: part of the process's clean shutdown. */
  stop(): Promise<void> {
    return this.flush();
  }

  private schedule(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => void this.flush(), this.options.intervalMs);
    // Node lets a process exit with this timer pending (clean shutdowns flush through stop()).
    (this.timer as { unref?: () => void }).unref?.();
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
            m.count += row.count;
            if (row.last > m.last) m.last = row.last;
          } else manifests.set(`${row.repo.id} ${row.digest}`, { repositoryId: row.repo.id, digest: row.digest, count: row.count, last: row.last });
          if (row.tag === undefined) continue;
          const t = tags.get(`${row.repo.id} ${row.tag}`);
          if (!t) tags.set(`${row.repo.id} ${row.tag}`, { repositoryId: row.repo.id, tag: row.tag, digest: row.digest, count: row.count, last: row.last });
          else {
            t.count += row.count;
            if (row.last >= t.last) {
              t.last = row.last;
              t.digest = row.digest;
            }
          }
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
      for (const row of batch) {
        const same = this.rows.get(keyOf(row, row));
        if (same) {
          same.count += row.count;
          same.first = row.first;
        } else if (this.rows.size < KEEP_LIMIT) this.rows.set(keyOf(row, row), row);
      }
      this.schedule();
    }
  }
}

/** Pulls with the same key are one row of a batch. */
const keyOf = (pull: Pull, p: Performer) => `${pull.repo.id} ${pull.tag ?? ""} ${pull.digest} ${p.performerId ?? ""} ${p.performerKind} ${p.ip ?? ""}`;

// Arrays go to Postgres as one text parameter each ('{…}' literals), so a batch of any size is
// one statement with a fixed number of parameters.
const ints = (values: number[]) => `{${values.join(",")}}`;
const texts = (values: (string | null)[]) =>
  `{${values.map((v) => (v === null ? "NULL" : `"${v.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`)).join(",")}}`;

function insertPullRows(batch: PullRow[]) {
  const metadata = batch.map((row) =>
    JSON.stringify({
      namespace: row.repo.namespace,
      repo: row.repo.name,
      ...(row.tag === undefined ? {} : { tag: row.tag }),
      manifest_digest: row.digest,
      ...(row.count > 1 ? { count: row.count } : {}),
    }),
  );
  return sql`insert into audit_log (kind, namespace_id, repository_id, performer_id, performer_kind, ip, metadata, created_at)
    select 'pull_repo', * from unnest(${ints(batch.map((r) => r.repo.namespaceId))}::int[], ${ints(batch.map((r) => r.repo.id))}::int[],
      ${texts(batch.map((r) => (r.performerId === null ? null : String(r.performerId))))}::int[], ${texts(batch.map((r) => r.performerKind))}::text[],
      ${texts(batch.map((r) => r.ip))}::text[], ${texts(metadata)}::jsonb[], ${texts(batch.map((r) => r.first.toISOString()))}::timestamptz[])`;
}

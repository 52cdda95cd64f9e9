// Pulls are the hot path: logging each one in its own statement would cost the registry a round
// trip per manifest GET. They are kept in memory and written together — one insert of the
// usage-log rows (`pull_repo`) and one upsert per statistics table — within a second of the first
// pull of a batch, and at once on a clean shutdown (stop()).
//
// Identical pulls of one batch (same repository, tag or digest, manifest, performer and IP: a CI
// fleet pulling `latest`) become one row whose metadata says how many (`count`, only when more
// than one), timed at the first of them. Memory and the flush grow with distinct pulls, not with
// pulls.
//
// Distinct pulls (every one from its own address) are the costly case, so both halves stay lean
// (bench: "Manifest GET by tag with every pull logged, each pull from an address of its own"):
// a pull is filed under its target (repository, tag or digest, manifest) and then its performer,
// as a small object built field by field; the flush sends each target's metadata once and one
// number or address per pull, and Postgres puts them together.
import { sql } from "drizzle-orm";
import type { Db } from "../../../db/client.ts";
import { log } from "../../observability/log.ts";
import type { Clock } from "../clock.ts";
import { type Performer, performedBy } from "./audit.ts";
import type { Actor } from "../access/principal.ts";
import { countPulls } from "./pull-statistics.ts";

export interface Pull {
  repo: { id: number; namespaceId: number; namespace: string; name: string };
  /** The tag the client named; absent for a pull by digest. */
  tag?: string;
  digest: string;
}

/** What a batch's pulls fetched (one repository's manifest, by a tag or by digest), and who did. */
interface PulledTarget extends Pull {
  /** The last pull's time (the statistics' "last pulled"). */
  last: Date;
  /** The distinct pulls, by performerKey. */
  pulls: Map<string, DistinctPull>;
}

/** One row of the usage log: a performer's pulls of a target. */
interface DistinctPull extends Performer {
  /** The first pull's time: the row's. */
  first: Date;
  count: number;
}

/** A batch with this many distinct pulls is written without waiting for the second to pass. */
const BATCH_LIMIT = 20_000;
/** A batch Postgres refused is kept for the next flush, up to this many distinct pulls; others are dropped. */
const KEEP_LIMIT = 200_000;

export class PullLog {
  private targets = new Map<string, PulledTarget>();
  private size = 0;
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
    return this.size;
  }

  /** Notes a pull; it reaches the database with the next flush. */
  record(actor: Actor, pull: Pull): void {
    if (!this.options.enabled) return;
    const now = this.clock.now();
    const target = this.targetOf(pull, now);
    if (now > target.last) target.last = now;
    const performer = performedBy(actor);
    const key = performerKey(performer);
    const same = target.pulls.get(key);
    if (same) {
      same.count++;
      return;
    }
    // Field by field: spreading the performer into a new object cost several µs a pull.
    target.pulls.set(key, { performerId: performer.performerId, performerKind: performer.performerKind, ip: performer.ip, first: now, count: 1 });
    if (++this.size >= BATCH_LIMIT) void this.flush();
    else this.schedule();
  }

  /** Writes what has been recorded so far; resolves once it is in the database. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    // A target whose pulls were all dropped (keep()) has nothing to write.
    const batch = [...this.targets.values()].filter((t) => t.pulls.size > 0);
    this.targets = new Map();
    this.size = 0;
    // One batch at a time, in order, so statistics see pulls in the order they happened.
    this.writing = this.writing.then(() => (batch.length === 0 ? undefined : this.write(batch)));
    return this.writing;
  }

  /** Flushes and waits: part of the process's clean shutdown. */
  stop(): Promise<void> {
    return this.flush();
  }

  /** The batch's entry for what `pull` fetched, made on its first pull. */
  private targetOf(pull: Pull, at: Date): PulledTarget {
    const key = `${pull.repo.id} ${pull.tag ?? ""} ${pull.digest}`;
    let target = this.targets.get(key);
    if (!target) {
      target = { repo: pull.repo, tag: pull.tag, digest: pull.digest, last: at, pulls: new Map() };
      this.targets.set(key, target);
    }
    return target;
  }

  private schedule(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => void this.flush(), this.options.intervalMs);
    // Node lets a process exit with this timer pending (clean shutdowns flush through stop()).
    (this.timer as { unref?: () => void }).unref?.();
  }

  private async write(batch: PulledTarget[]): Promise<void> {
    try {
      await this.db.transaction(async (tx) => {
        await tx.execute(insertPullRows(batch));
        await countPulls(
          tx,
          batch.map((t) => ({ repositoryId: t.repo.id, tag: t.tag, digest: t.digest, last: t.last, count: sum(t.pulls.values()) })),
        );
      });
    } catch (err) {
      const pulls = batch.reduce((n, t) => n + t.pulls.size, 0);
      log.error({ err, pulls }, "writing the pull log failed; the pulls are kept for the next flush");
      this.keep(batch);
      this.schedule();
    }
  }

  /** Takes back a batch that was not written, merged with what was recorded since. */
  private keep(batch: PulledTarget[]): void {
    for (const old of batch) {
      const target = this.targetOf(old, old.last);
      if (old.last > target.last) target.last = old.last;
      for (const [key, pull] of old.pulls) {
        const same = target.pulls.get(key);
        if (same) {
          same.count += pull.count;
          same.first = pull.first;
        } else if (this.size < KEEP_LIMIT) {
          target.pulls.set(key, pull);
          this.size++;
        }
      }
    }
  }
}

/** A target's pulls with the same key are one row of a batch. */
const performerKey = (p: Performer) => `${p.performerKind} ${p.performerId ?? ""} ${p.ip ?? ""}`;

const sum = (pulls: Iterable<DistinctPull>) => {
  let n = 0;
  for (const p of pulls) n += p.count;
  return n;
};

/**
 * One insert for the whole batch. Each target's metadata goes once (a JSON array), each row as
 * its target's index, ids, performer and first pull's time (epoch ms); Postgres joins them, adding
 * `count` to the rows that fold several pulls. Arrays go as one text parameter each ('{…}'
 * literals), so a batch of any size is one statement with a fixed number of parameters.
 */
function insertPullRows(batch: PulledTarget[]) {
  const metadata: string[] = [];
  const target: number[] = [];
  const namespaceIds: number[] = [];
  const repositoryIds: number[] = [];
  const performerIds: (number | null)[] = [];
  const kinds: string[] = [];
  const ips: (string | null)[] = [];
  const counts: number[] = [];
  const firsts: number[] = [];
  batch.forEach((t, i) => {
    const { namespace, name } = t.repo;
    metadata.push(JSON.stringify(t.tag === undefined ? { namespace, repo: name, manifest_digest: t.digest } : { namespace, repo: name, tag: t.tag, manifest_digest: t.digest }));
    for (const p of t.pulls.values()) {
      target.push(i);
      namespaceIds.push(t.repo.namespaceId);
      repositoryIds.push(t.repo.id);
      performerIds.push(p.performerId);
      kinds.push(p.performerKind);
      ips.push(p.ip);
      counts.push(p.count);
      firsts.push(p.first.getTime());
    }
  });
  return sql`insert into audit_log (kind, namespace_id, repository_id, performer_id, performer_kind, ip, metadata, created_at)
    select 'pull_repo', p.namespace_id, p.repository_id, p.performer_id, p.performer_kind, p.ip,
           case when p.count > 1 then (m.targets -> p.target) || jsonb_build_object('count', p.count) else m.targets -> p.target end,
           to_timestamp(p.first / 1000)
    from (select ${`[${metadata.join(",")}]`}::jsonb as targets) m,
      unnest(${ints(target)}::int[], ${ints(namespaceIds)}::int[], ${ints(repositoryIds)}::int[], ${ints(performerIds)}::int[],
             ${texts(kinds)}::text[], ${texts(ips)}::text[], ${ints(counts)}::int[], ${ints(firsts)}::float8[])
        as p(target, namespace_id, repository_id, performer_id, performer_kind, ip, count, first)`;
}

const ints = (values: (number | null)[]) => `{${values.map((v) => v ?? "NULL").join(",")}}`;
const texts = (values: (string | null)[]) => `{${values.map(quoted).join(",")}}`;
/** An array literal's element: always in quotes (so '', 'NULL' and commas stay text), \ and " escaped. */
const quoted = (v: string | null) => (v === null ? "NULL" : /["\\]/.test(v) ? `"${v.replace(/["\\]/g, "\\$&")}"` : `"${v}"`);

// Pull counts and last pull times per tag and per manifest, added to by the pull log's flush
// (pull-log.ts, through countPulls): for Quay's pull_statistics endpoints and the Tags tab's
// "last pulled" column. They lag the pulls by up to a second (the pull log's batching).
import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import type { DbOrTx } from "../../../db/client.ts";
import { manifestPullStats, manifests, tagPullStats, tags } from "../../../db/schema.ts";
import { liveTagCondition } from "../content/tags.ts";

/** A batch's pulls of one repository's manifest by one tag (or by digest). */
export interface PullCount {
  repositoryId: number;
  /** Absent for pulls by digest (they count for the manifest only). */
  tag?: string;
  digest: string;
  count: number;
  last: Date;
}

/**
 * Adds a batch of pulls (the pull log's flush) to both tables, one upsert each. A tag pulled as
 * two manifests in one batch (moved in between) keeps the digest of its latest pull.
 */
export async function countPulls(tx: DbOrTx, batch: PullCount[]): Promise<void> {
  const tags = new Map<string, PullCount & { tag: string }>();
  const manifests = new Map<string, PullCount>();
  for (const pull of batch) {
    const m = manifests.get(`${pull.repositoryId} ${pull.digest}`);
    if (!m) manifests.set(`${pull.repositoryId} ${pull.digest}`, { ...pull });
    else {
      m.count += pull.count;
      if (pull.last > m.last) m.last = pull.last;
    }
    if (pull.tag === undefined) continue;
    const t = tags.get(`${pull.repositoryId} ${pull.tag}`);
    if (!t) tags.set(`${pull.repositoryId} ${pull.tag}`, { ...pull, tag: pull.tag });
    else {
      t.count += pull.count;
      if (pull.last >= t.last) {
        t.last = pull.last;
        t.digest = pull.digest;
      }
    }
  }
  const columns = (rows: PullCount[]) => ({
    ids: sql.param(rows.map((x) => x.repositoryId)),
    digests: sql.param(rows.map((x) => x.digest)),
    counts: sql.param(rows.map((x) => x.count)),
    lasts: sql.param(rows.map((x) => x.last.getTime())),
  });
  if (tags.size > 0) {
    const t = [...tags.values()];
    const c = columns(t);
    // A repository deleted since the pull has no statistics to keep (the join drops it).
    await tx.execute(sql`insert into ${tagPullStats} (repository_id, tag, pull_count, last_pulled_at, manifest_digest)
      select p.repository_id, p.tag, p.count, to_timestamp(p.last / 1000), p.digest
      from unnest(${c.ids}::int[], ${sql.param(t.map((x) => x.tag))}::text[], ${c.counts}::bigint[], ${c.lasts}::float8[], ${c.digests}::text[])
           as p(repository_id, tag, count, last, digest)
      join repositories r on r.id = p.repository_id
      on conflict (repository_id, tag) do update set pull_count = tag_pull_stats.pull_count + excluded.pull_count,
        last_pulled_at = greatest(tag_pull_stats.last_pulled_at, excluded.last_pulled_at),
        manifest_digest = excluded.manifest_digest`);
  }
  const c = columns([...manifests.values()]);
  await tx.execute(sql`insert into ${manifestPullStats} (repository_id, manifest_digest, pull_count, last_pulled_at)
    select p.repository_id, p.digest, p.count, to_timestamp(p.last / 1000)
    from unnest(${c.ids}::int[], ${c.digests}::text[], ${c.counts}::bigint[], ${c.lasts}::float8[]) as p(repository_id, digest, count, last)
    join repositories r on r.id = p.repository_id
    on conflict (repository_id, manifest_digest) do update set pull_count = manifest_pull_stats.pull_count + excluded.pull_count,
      last_pulled_at = greatest(manifest_pull_stats.last_pulled_at, excluded.last_pulled_at)`);
}

export interface ManifestPulls {
  digest: string;
  count: number;
  lastPulledAt: Date | null;
}

export interface TagPulls {
  tag: string;
  count: number;
  lastPulledAt: Date | null;
  /** The manifest the tag named at its last pull; the one it names now if never pulled. */
  manifest: ManifestPulls;
}

async function manifestPulls(db: DbOrTx, repositoryId: number, digest: string): Promise<ManifestPulls> {
  const [row] = await db
    .select({ count: manifestPullStats.pullCount, last: manifestPullStats.lastPulledAt })
    .from(manifestPullStats)
    .where(and(eq(manifestPullStats.repositoryId, repositoryId), eq(manifestPullStats.manifestDigest, digest)));
  return { digest, count: row?.count ?? 0, lastPulledAt: row?.last ?? null };
}

/** A live tag's pulls; undefined when the tag is not live. */
export async function tagPullStatistics(db: DbOrTx, repositoryId: number, tag: string, now: Date): Promise<TagPulls | undefined> {
  const [current] = await db
    .select({ digest: manifests.digest })
    .from(tags)
    .innerJoin(manifests, eq(manifests.id, tags.manifestId))
    .where(and(liveTagCondition(repositoryId, now), eq(tags.name, tag)));
  if (!current) return undefined;
  const [row] = await db
    .select()
    .from(tagPullStats)
    .where(and(eq(tagPullStats.repositoryId, repositoryId), eq(tagPullStats.tag, tag)));
  return {
    tag,
    count: row?.pullCount ?? 0,
    lastPulledAt: row?.lastPulledAt ?? null,
    manifest: await manifestPulls(db, repositoryId, row?.manifestDigest ?? current.digest),
  };
}

/** A manifest's pulls (by tag or digest); undefined when the repository holds no such manifest. */
export async function manifestPullStatistics(db: DbOrTx, repositoryId: number, digest: string): Promise<ManifestPulls | undefined> {
  const [found] = await db
    .select({ digest: manifests.digest })
    .from(manifests)
    .where(and(eq(manifests.repositoryId, repositoryId), eq(manifests.digest, digest), isNull(manifests.deletedAt)));
  return found ? manifestPulls(db, repositoryId, found.digest) : undefined;
}

/** When each of `tags` was last pulled (tags never pulled are left out): the Tags tab's column. */
export async function lastPulledByTag(db: DbOrTx, repositoryId: number, tags: string[]): Promise<Map<string, Date>> {
  if (tags.length === 0) return new Map();
  const rows = await db
    .select({ tag: tagPullStats.tag, last: tagPullStats.lastPulledAt })
    .from(tagPullStats)
    .where(and(eq(tagPullStats.repositoryId, repositoryId), inArray(tagPullStats.tag, tags)));
  return new Map(rows.map((r) => [r.tag, r.last]));
}

/** A deleted tag starts counting afresh if it comes back (as Quay resets it). */
export async function forgetTagPulls(db: DbOrTx, repositoryId: number, tag: string): Promise<void> {
  await db.delete(tagPullStats).where(and(eq(tagPullStats.repositoryId, repositoryId), eq(tagPullStats.tag, tag)));
}

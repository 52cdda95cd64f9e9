// Pull counts and last pull times per tag and per manifest, as the pull log (pull-log.ts) keeps
// them: for Quay's pull_statistics endpoints and the Tags tab's "last pulled" column. They lag the
// pulls by up to a second (the pull log's batching).
import { and, eq, inArray, isNull } from "drizzle-orm";
import type { DbOrTx } from "../../../db/client.ts";
import { manifestPullStats, manifests, tagPullStats, tags } from "../../../db/schema.ts";
import { liveTagCondition } from "../content/tags.ts";

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

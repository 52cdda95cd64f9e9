// Which manifests garbage collection keeps. A manifest is rooted when a tag keeps it (live, or
// ended or expired within its namespace's time-machine window) or when it was pushed less than
// the grace period ago (and not deleted by digest since); it is kept when it or one of its
// ancestors is rooted. Its ancestors are the indexes listing it as a child and the subject it
// refers to (a referrer lives as long as its subject), and theirs in turn.
import { type SQL, sql } from "drizzle-orm";
import type { DbOrTx } from "../../../db/client.ts";

/** The moment rules are judged at, and how long an untagged push or a fresh blob link is kept. */
export interface KeepRules {
  now: Date;
  graceSeconds: number;
}

/** Nested indexes and referrer chains are followed this deep (cycles end here too). */
const MAX_DEPTH = 8;

const ids = (values: number[]) => sql`${sql.param(values)}::int[]`;
const at = (date: Date) => sql`${date.toISOString()}::timestamptz`;

export const graceCutoff = (rules: KeepRules) => new Date(rules.now.getTime() - rules.graceSeconds * 1000);

/**
 * A tag row (`t`, its namespace `n`) that keeps its manifest: it has not ended, or ended (or
 * expired: `expires_at` is when an expired tag ended, whether or not the expiry job has closed
 * its row yet) less than the namespace's time-machine window ago. With a window of 0 this is
 * exactly tags.ts's `liveTagCondition`.
 */
export function tagRetains(now: Date): SQL {
  return sql`coalesce(least(t.lifetime_end, t.expires_at), 'infinity'::timestamptz)
    > ${at(now)} - make_interval(secs => n.tag_expiration_s)`;
}

/** Among `manifestIds`, those that keep themselves (a retaining tag, or a recent push). */
export async function rootedAmong(db: DbOrTx, manifestIds: number[], rules: KeepRules): Promise<Set<number>> {
  if (manifestIds.length === 0) return new Set();
  const rows = await db.execute<{ id: number }>(sql`
    select a.id from manifests a
    where a.id = any(${ids(manifestIds)})
      and ((a.deleted_at is null and a.created_at > ${at(graceCutoff(rules))})
           or exists (select 1 from tags t join repositories r on r.id = t.repository_id
                      join namespaces n on n.id = r.namespace_id
                      where t.manifest_id = a.id and ${tagRetains(rules.now)}))`);
  return new Set(rows.map((r) => Number(r.id)));
}

/** Each manifest's ancestors, itself included: what could keep it. */
export async function ancestorsOf(db: DbOrTx, manifestIds: number[]): Promise<Map<number, Set<number>>> {
  const ancestors = new Map<number, Set<number>>(manifestIds.map((id) => [id, new Set([id])]));
  if (manifestIds.length === 0) return ancestors;
  const rows = await db.execute<{ start_id: number; id: number }>(sql`
    with recursive up(start_id, id, depth) as (
      select m.id, m.id, 0 from manifests m where m.id = any(${ids(manifestIds)})
      union
      select up.start_id, next.id, up.depth + 1 from up cross join lateral (
        select mc.manifest_id as id from manifest_children mc where mc.child_id = up.id
        union all
        select s.id from manifests r
        join manifests s on s.repository_id = r.repository_id and s.digest = r.subject_digest
        where r.id = up.id
      ) next
      where up.depth < ${MAX_DEPTH}
    )
    select distinct start_id, id from up`);
  for (const row of rows) ancestors.get(Number(row.start_id))?.add(Number(row.id));
  return ancestors;
}

/** Among `manifestIds`, those that are not kept, each with its ancestors (none of them kept either). */
export async function unreachableAmong(
  db: DbOrTx,
  manifestIds: number[],
  rules: KeepRules,
): Promise<Map<number, Set<number>>> {
  const rooted = await rootedAmong(db, manifestIds, rules);
  const candidates = manifestIds.filter((id) => !rooted.has(id));
  const ancestors = await ancestorsOf(db, candidates);
  const allAncestors = [...new Set([...ancestors.values()].flatMap((set) => [...set]))];
  const rootedAncestors = await rootedAmong(db, allAncestors, rules);
  for (const [id, set] of ancestors) {
    if ([...set].some((a) => rootedAncestors.has(a))) ancestors.delete(id);
  }
  return ancestors;
}

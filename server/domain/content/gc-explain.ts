// "Why is this blob kept?": the manifests that reference a blob, and for each what keeps it by
// the garbage collector's rules (gc-reachability.ts) — live tags, time-machine entries, a recent
// push — on itself or on an index or subject above it; plus the blob's recent links.
import { sql } from "drizzle-orm";
import type { DbOrTx } from "../../../db/client.ts";
import { ancestorsOf, graceCutoff, type KeepRules, tagRetains } from "./gc-reachability.ts";

export type KeepReason =
  | { kind: "live-tag"; repository: string; tag: string; manifest: string }
  | { kind: "time-machine"; repository: string; tag: string; manifest: string; until: Date }
  | { kind: "recent-push"; repository: string; manifest: string; until: Date };

export interface ReferencingManifest {
  repository: string;
  digest: string;
  /** Empty: nothing keeps the manifest, it is collected with its blobs. */
  reasons: KeepReason[];
}

export interface BlobLink {
  repository: string;
  linkedAt: Date;
  /** Pushed or mounted within the grace period: keeps the blob until then. */
  keepsUntil: Date | null;
}

export interface BlobExplanation {
  digest: string;
  /** Unknown to the registry (never pushed, or already collected). */
  stored: boolean;
  size: number | null;
  kept: boolean;
  manifests: ReferencingManifest[];
  links: BlobLink[];
}

/** At most this many referencing manifests are explained. */
const MAX_MANIFESTS = 100;

const ids = (values: number[]) => sql`${sql.param(values)}::int[]`;
const fullName = sql`ns.name || '/' || r.name`;

export async function explainBlob(db: DbOrTx, digest: string, rules: KeepRules): Promise<BlobExplanation> {
  const [blob] = await db.execute<{ size: number | string }>(sql`select size from blobs where digest = ${digest}`);
  const graceMs = rules.graceSeconds * 1000;
  const cutoff = graceCutoff(rules);
  const [referencing, linkRows] = await Promise.all([
    db.execute<{ id: number; digest: string; repository: string }>(sql`
      select distinct m.id, m.digest, ${fullName} as repository from manifest_blobs mb
      join manifests m on m.id = mb.manifest_id join repositories r on r.id = m.repository_id
      join namespaces ns on ns.id = r.namespace_id
      where mb.digest = ${digest} order by m.id limit ${MAX_MANIFESTS}`),
    db.execute<{ repository: string; created_at: Date | string }>(sql`
      select ${fullName} as repository, l.created_at from repo_blobs l
      join repositories r on r.id = l.repository_id join namespaces ns on ns.id = r.namespace_id
      where l.digest = ${digest} order by 1`),
  ]);
  const ancestors = await ancestorsOf(db, referencing.map((m) => Number(m.id)));
  const reasonsByManifest = await rootReasons(db, [...new Set([...ancestors.values()].flatMap((s) => [...s]))], rules);
  const manifests = referencing.map((m) => ({
    repository: m.repository,
    digest: m.digest,
    reasons: [...(ancestors.get(Number(m.id)) ?? [])].flatMap((a) => reasonsByManifest.get(a) ?? []),
  }));
  const links = linkRows.map((l) => {
    const linkedAt = new Date(l.created_at);
    return { repository: l.repository, linkedAt, keepsUntil: linkedAt > cutoff ? new Date(linkedAt.getTime() + graceMs) : null };
  });
  return {
    digest,
    stored: blob !== undefined,
    size: blob ? Number(blob.size) : null,
    kept: manifests.some((m) => m.reasons.length > 0) || links.some((l) => l.keepsUntil !== null),
    manifests,
    links,
  };
}

/** What roots each of `manifestIds` (see rootedAmong), as reasons naming the manifest. */
async function rootReasons(db: DbOrTx, manifestIds: number[], rules: KeepRules): Promise<Map<number, KeepReason[]>> {
  const reasons = new Map<number, KeepReason[]>();
  if (manifestIds.length === 0) return reasons;
  const add = (id: number, reason: KeepReason) => reasons.set(id, [...(reasons.get(id) ?? []), reason]);
  const [tagRows, pushRows] = await Promise.all([
    db.execute<{ manifest_id: number; digest: string; repository: string; name: string; live: boolean; until: Date | string | null }>(sql`
      select t.manifest_id, m.digest, ${fullName} as repository, t.name,
             (t.lifetime_end is null and (t.expires_at is null or t.expires_at > ${rules.now.toISOString()}::timestamptz)) as live,
             least(t.lifetime_end, t.expires_at) + make_interval(secs => n.tag_expiration_s) as until
      from tags t join manifests m on m.id = t.manifest_id join repositories r on r.id = t.repository_id
      join namespaces n on n.id = r.namespace_id join namespaces ns on ns.id = r.namespace_id
      where t.manifest_id = any(${ids(manifestIds)}) and ${tagRetains(rules.now)}
      order by t.name`),
    db.execute<{ id: number; digest: string; repository: string; created_at: Date | string }>(sql`
      select m.id, m.digest, ${fullName} as repository, m.created_at from manifests m
      join repositories r on r.id = m.repository_id join namespaces ns on ns.id = r.namespace_id
      where m.id = any(${ids(manifestIds)}) and m.deleted_at is null
        and m.created_at > ${graceCutoff(rules).toISOString()}::timestamptz`),
  ]);
  for (const t of tagRows) {
    const base = { repository: t.repository, tag: t.name, manifest: t.digest };
    add(Number(t.manifest_id), t.live || t.until === null ? { kind: "live-tag", ...base } : { kind: "time-machine", ...base, until: new Date(t.until) });
  }
  for (const m of pushRows) {
    const until = new Date(new Date(m.created_at).getTime() + rules.graceSeconds * 1000);
    add(Number(m.id), { kind: "recent-push", repository: m.repository, manifest: m.digest, until });
  }
  return reasons;
}

// Storing a pushed manifest in one statement: one round trip, atomic without BEGIN/COMMIT.
// Every write in it is gated on the checks (all referenced blobs linked to the repository, all
// children present, every declared size that of the stored blob or child manifest), so a failed
// check writes nothing and says what is wrong. The rules are
// the manifest row (revived if it was deleted), its layer and child rows when it is new, the tag
// moved by the same CTEs `pointTag` uses, the image config's labels, and a `push_repo` entry.
import { sql } from "drizzle-orm";
import type { DbOrTx } from "../../../db/client.ts";
import { tags } from "../../../db/schema.ts";
import { auditInsertFrom, type PerformerKind } from "../activity/audit.ts";
import type { Descriptor, ParsedManifest } from "./manifest-formats.ts";
import { liveTagCondition, pointTag, setTagExpiration, tagMoveCtes } from "./tags.ts";
import { configLabelRows, configLabelsInsert, expiresAfterSeconds, indexLabelRows, type LabelRow } from "./labels.ts";
import { readImageConfig } from "./image-config.ts";
import type { Services } from "../services.ts";

export interface ManifestWrite {
  repositoryId: number;
  namespaceId: number;
  parsed: ParsedManifest;
  raw: Uint8Array;
  tag?: string;
  now: Date;
  performerId: number | null;
  performerKind: PerformerKind;
  ip: string | null;
  /** The OAuth token the pusher signed in with (the push_repo row names it, as Quay's does). */
  oauthTokenId?: number;
  auditMetadata: Record<string, unknown>;
  /** Labels of the image config, stored with a new manifest. */
  labels?: LabelRow[];
}

export type ManifestWriteResult =
  /** `tagInPlace`: the tag now points at the manifest (moved here, or already there). */
  | { stored: true; manifestId: number; tagInPlace: boolean }
  | { stored: false; missingBlob: string | null; missingChild: string | null; wrongSize: WrongSize | null };

/** A descriptor whose declared size is not that of the stored content it names. */
export interface WrongSize {
  digest: string;
  size: number;
  stored: number;
}

const array = (values: unknown[]) => sql.param(values);

/**
 * Stores a pushed manifest: one small read first (an image's config, or for an index the
 * labels its children share, as Quay gives an index), then the push statement. When the image asks for an expiry (`quay.expires-after`, counted from the
 * push as Quay counts it from the tag's start) the tag's expiry is set in the same
 * transaction; only then is there one, so an ordinary push stays one round trip.
 */
export async function storeManifest(svc: Pick<Services, "db" | "store">, w: Omit<ManifestWrite, "labels">): Promise<ManifestWriteResult> {
  const { config: configDescriptor, children } = w.parsed;
  let labels: LabelRow[];
  if (w.parsed.isIndex) labels = await indexLabelRows(svc.db, w.repositoryId, children.map((c) => c.digest));
  else {
    const config = configDescriptor ? await readImageConfig(svc.store, configDescriptor.digest, configDescriptor.size) : null;
    labels = configLabelRows(config);
  }
  const expiresAfterS = w.tag === undefined ? null : expiresAfterSeconds(labels);
  const store = async (tx: DbOrTx): Promise<ManifestWriteResult> => {
    const written = await writeManifest(tx, { ...w, labels });
    if (!written.stored || w.tag === undefined) return written;
    // A racing push moved the tag between this statement's look and its write: try again alone.
    if (!written.tagInPlace) await pointTag(tx, w.repositoryId, w.tag, written.manifestId, w.now);
    if (expiresAfterS !== null) {
      await setTagExpiration(tx, w.repositoryId, w.tag, new Date(w.now.getTime() + expiresAfterS * 1000), w.now);
    }
    return { ...written, tagInPlace: true };
  };
  return expiresAfterS === null ? store(svc.db) : svc.db.transaction(store);
}

export async function writeManifest(db: DbOrTx, w: ManifestWrite): Promise<ManifestWriteResult> {
  const { parsed } = w;
  const referenced: Descriptor[] = parsed.config ? [parsed.config, ...parsed.layers] : parsed.layers;
  // Null where the format declares no size: the stored one is taken, nothing is compared.
  const sizes = (descriptors: Descriptor[]) => descriptors.map((d) => (parsed.sizesDeclared ? d.size : null));
  const tag = w.tag ?? null;
  const [row] = await db.execute<{
    ok: boolean;
    missing_blob: string | null;
    missing_child: string | null;
    wrong_size: WrongSize | null;
    manifest_id: number | null;
    tag_started: boolean;
    tag_already_here: boolean;
  }>(sql`
    with refs as (
      select r.digest, r.size, r.media_type, (r.ord - 1)::int as position
      from unnest(${array(referenced.map((d) => d.digest))}::text[], ${array(sizes(referenced))}::bigint[],
                  ${array(referenced.map((d) => d.mediaType))}::text[]) with ordinality as r(digest, size, media_type, ord)
    ), found as (
      select b.digest, b.size from repo_blobs l join blobs b on b.digest = l.digest
      where l.repository_id = ${w.repositoryId} and l.digest in (select digest from refs)
      -- Held against garbage collection (gc-blob-sweep.ts): a blob it is deleting is waited
      -- for and then missing, a clean MANIFEST_BLOB_UNKNOWN rather than a foreign-key failure.
      for key share of b
    ), missing_blob as (
      select digest from refs where digest not in (select digest from found) limit 1
    ), children as (
      select c.digest, c.size, (c.ord - 1)::int as position
      from unnest(${array(parsed.children.map((c) => c.digest))}::text[], ${array(sizes(parsed.children))}::bigint[])
           with ordinality as c(digest, size, ord)
    ), found_children as (
      select id, digest, octet_length(raw)::bigint as size from manifests
      where repository_id = ${w.repositoryId} and deleted_at is null and digest in (select digest from children)
      for key share -- likewise against the manifest sweep (gc-manifest-sweep.ts)
    ), missing_child as (
      select digest from children where digest not in (select digest from found_children) limit 1
    ), wrong_size as (
      select json_build_object('digest', r.digest, 'size', r.size, 'stored', f.size) as wrong
      from refs r join found f on f.digest = r.digest where r.size <> f.size
      union all
      select json_build_object('digest', c.digest, 'size', c.size, 'stored', fc.size)
      from children c join found_children fc on fc.digest = c.digest where c.size <> fc.size
      limit 1
    ), checked as (
      select not exists (select 1 from missing_blob) and not exists (select 1 from missing_child)
             and not exists (select 1 from wrong_size) as ok
    ), m as (
      insert into manifests (repository_id, digest, media_type, raw, config_digest, config_media_type,
                             subject_digest, artifact_type, annotations, layers_size)
      select ${w.repositoryId}::int, ${parsed.digest}::text, ${parsed.mediaType}::text, ${Buffer.from(w.raw)}::bytea,
             ${parsed.config?.digest ?? null}::text, ${parsed.config?.mediaType ?? null}::text, ${parsed.subject?.digest ?? null}::text,
             ${parsed.artifactType ?? null}::text, ${parsed.annotations ? JSON.stringify(parsed.annotations) : null}::jsonb,
             -- schema 1 descriptors carry no sizes: take the stored blobs'
             (select coalesce(sum(coalesce(l.size, f.size, 0)), 0)
              from unnest(${array(parsed.allLayers.map((l) => l.digest))}::text[], ${array(sizes(parsed.allLayers))}::bigint[])
                   as l(digest, size) left join found f on f.digest = l.digest)
      from checked where checked.ok
      on conflict (repository_id, digest) do update set deleted_at = null
      returning id, (xmax = 0) as inserted
    ), layer_rows as (
      insert into manifest_blobs (manifest_id, position, digest, size, media_type)
      select m.id, r.position, r.digest, coalesce(r.size, f.size, 0), r.media_type
      from m cross join refs r left join found f on f.digest = r.digest
      where m.inserted
    ), child_rows as (
      insert into manifest_children (manifest_id, child_id, position)
      select m.id, fc.id, c.position
      from m cross join children c join found_children fc on fc.digest = c.digest
      where m.inserted
    ),
    ${tag === null ? sql`started as (select null::int as id where false)` : tagMoveCtes(w.repositoryId, tag, w.now)},
    ${w.labels?.length ? sql`config_labels as (${configLabelsInsert(w.labels)}),` : sql``}
    audit as (
      ${auditInsertFrom(sql`m`, {
        kind: "push_repo",
        namespaceId: w.namespaceId,
        repositoryId: w.repositoryId,
        performerId: w.performerId,
        performerKind: w.performerKind,
        ip: w.ip,
        oauthTokenId: w.oauthTokenId,
        metadata: w.auditMetadata,
      })}
    )
    select (select ok from checked) as ok,
           (select digest from missing_blob) as missing_blob,
           (select digest from missing_child) as missing_child,
           (select wrong from wrong_size) as wrong_size,
           (select id from m) as manifest_id,
           exists (select 1 from started) as tag_started,
           -- what the tag pointed to before this statement (its own writes are not visible here)
           exists (select 1 from ${tags} join m on ${tags.manifestId} = m.id
                   where ${liveTagCondition(w.repositoryId, w.now)} and ${tags.name} = ${tag}::text)
             as tag_already_here`);
  if (!row!.ok) {
    return { stored: false, missingBlob: row!.missing_blob, missingChild: row!.missing_child, wrongSize: row!.wrong_size };
  }
  return { stored: true, manifestId: Number(row!.manifest_id), tagInPlace: row!.tag_started || row!.tag_already_here };
}

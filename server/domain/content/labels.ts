// Manifest labels, Quay's rules: those of the image config are stored at push (source
// `manifest`, immutable); people add and delete their own through the API (source `api`),
// within Quay's key grammar and outside its reserved prefixes. `quay.expires-after` sets the
// pushed tag's expiry.
import { and, asc, eq, inArray, isNull, type SQL, sql } from "drizzle-orm";
import type { DbOrTx } from "../../../db/client.ts";
import { manifestLabels, manifests } from "../../../db/schema.ts";
import { performedBy, writeAudit } from "../activity/audit.ts";
import { type Actor } from "../access/principal.ts";
import { DomainError } from "../errors.ts";
import type { Repository } from "../repositories/repositories.ts";
import type { Services } from "../services.ts";
import type { ImageConfig } from "./image-config.ts";
import { isUuid } from "../uuids.ts";

export const LABEL_MEDIA_TYPES = ["text/plain", "application/json"] as const;
export type LabelMediaType = (typeof LABEL_MEDIA_TYPES)[number];
export type LabelSource = "manifest" | "api" | "internal";

export interface Label {
  id: string;
  manifestId: number;
  key: string;
  value: string;
  mediaType: LabelMediaType;
  sourceType: LabelSource;
}

/** Quay's label key grammar (Kubernetes-like): lowercase alphanumerics, single `.`/`-` between. */
export const LABEL_KEY_PATTERN = "^[a-z0-9](([a-z0-9]|[-.](?![.-]))*[a-z0-9])?$";
const LABEL_KEY = new RegExp(LABEL_KEY_PATTERN);
const MAX_KEY_LENGTH = 255;

/** Prefixes only the registry itself may set (Quay's DEFAULT_LABEL_KEY_RESERVED_PREFIXES). */
const RESERVED_PREFIXES = [
  "com.docker.",
  "io.docker.",
  "org.dockerproject.",
  "org.opencontainers.",
  "io.cncf.",
  "io.kubernetes.",
  "io.k8s.",
  "io.quay",
  "com.coreos",
  "com.tectonic",
  "internal",
  "quay",
];

export const isValidLabelKey = (key: string) => key.length <= MAX_KEY_LENGTH && LABEL_KEY.test(key);
export const hasReservedPrefix = (key: string) => RESERVED_PREFIXES.some((p) => key.startsWith(p));

/** Labels of the image config are stored as they are; only API labels must follow the grammar. */
const IMMUTABLE_SOURCES: ReadonlySet<LabelSource> = new Set(["manifest", "internal"]);

/** The media type Quay infers for a value: JSON when it is a JSON object or array. */
export function inferredMediaType(value: string): LabelMediaType {
  const bracketed = (value.startsWith("{") && value.endsWith("}")) || (value.startsWith("[") && value.endsWith("]"));
  if (!bracketed) return "text/plain";
  try {
    JSON.parse(value);
    return "application/json";
  } catch {
    return "text/plain";
  }
}

export interface LabelRow {
  key: string;
  value: string;
  mediaType: LabelMediaType;
}

/** The labels a push stores from its image config (empty keys carry nothing and are skipped). */
export function configLabelRows(config: ImageConfig | null): LabelRow[] {
  return (config?.labels ?? [])
    .filter(([key]) => key !== "")
    .map(([key, value]) => ({ key, value, mediaType: inferredMediaType(value) }));
}

/**
 * An index's labels, as Quay gives them: the image labels every child has alike (same key and
 * value), read from the children stored in this repository. One query, for index pushes only.
 */
export async function indexLabelRows(db: DbOrTx, repositoryId: number, childDigests: string[]): Promise<LabelRow[]> {
  const digests = [...new Set(childDigests)];
  if (digests.length === 0) return [];
  const rows = await db
    .select({ key: manifestLabels.key, value: manifestLabels.value, count: sql<number>`count(distinct ${manifests.id})::int` })
    .from(manifestLabels)
    .innerJoin(manifests, eq(manifests.id, manifestLabels.manifestId))
    .where(
      and(
        eq(manifests.repositoryId, repositoryId),
        inArray(manifests.digest, digests),
        isNull(manifests.deletedAt),
        eq(manifestLabels.sourceType, "manifest"),
      ),
    )
    .groupBy(manifestLabels.key, manifestLabels.value)
    .orderBy(asc(sql`min(${manifestLabels.id})`));
  return rows
    .filter((r) => r.count === digests.length)
    .map((r) => ({ key: r.key, value: r.value, mediaType: inferredMediaType(r.value) }));
}

export const EXPIRES_AFTER_LABEL = "quay.expires-after";
const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };
/** Beyond this an expiry means nothing (and Date would overflow): ignored. */
const MAX_EXPIRES_AFTER_S = 100 * 365 * 86_400;

/**
 * Seconds from Quay's `<number><unit>` grammar (units s, m, h, d, w: `20h`, `5d`, `2w`), or null
 * for anything else, which Quay ignores too. A negative number is taken as Quay takes it: the
 * tag is born expired.
 */
export function parseExpiresAfter(value: string): number | null {
  const m = /^\s*([+-]?\d+)\s*([smhdw])$/.exec(value);
  if (!m) return null;
  const seconds = Number(m[1]) * UNIT_SECONDS[m[2]!]!;
  return Math.abs(seconds) > MAX_EXPIRES_AFTER_S ? null : seconds;
}

/** The `quay.expires-after` of a config, in seconds (the last one when repeated), or null. */
export function expiresAfterSeconds(rows: LabelRow[]): number | null {
  const label = rows.findLast((r) => r.key === EXPIRES_AFTER_LABEL);
  return label ? parseExpiresAfter(label.value) : null;
}

/**
 * A CTE body inserting the config's labels for the manifest a push statement just created
 * (`m`: `id`, `inserted`); a manifest pushed again keeps the labels it has.
 */
export function configLabelsInsert(rows: LabelRow[]): SQL {
  return sql`insert into ${manifestLabels} (manifest_id, key, value, media_type, source_type)
    select m.id, l.key, l.value, l.media_type, 'manifest'
    from m cross join unnest(${sql.param(rows.map((r) => r.key))}::text[], ${sql.param(rows.map((r) => r.value))}::text[],
                             ${sql.param(rows.map((r) => r.mediaType))}::text[]) with ordinality as l(key, value, media_type, ord)
    where m.inserted`;
}

const columns = {
  id: manifestLabels.uuid,
  manifestId: manifestLabels.manifestId,
  key: manifestLabels.key,
  value: manifestLabels.value,
  mediaType: manifestLabels.mediaType,
  sourceType: manifestLabels.sourceType,
};

/** A manifest's labels in the order they were made; `prefix` keeps those whose key starts so (any case). */
export async function listLabels(db: DbOrTx, manifestId: number, prefix?: string): Promise<Label[]> {
  const filters = [eq(manifestLabels.manifestId, manifestId)];
  if (prefix) filters.push(sql`starts_with(lower(${manifestLabels.key}), lower(${prefix}))`);
  return db.select(columns).from(manifestLabels).where(and(...filters)).orderBy(asc(manifestLabels.id));
}

/** Labels of many manifests in one query (the Tags tab's expanded view), by manifest id. */
export async function labelsOf(db: DbOrTx, manifestIds: number[]): Promise<Map<number, Label[]>> {
  const byManifest = new Map<number, Label[]>(manifestIds.map((id) => [id, []]));
  if (manifestIds.length === 0) return byManifest;
  const rows = await db
    .select(columns)
    .from(manifestLabels)
    .where(inArray(manifestLabels.manifestId, [...new Set(manifestIds)]))
    .orderBy(asc(manifestLabels.id));
  for (const row of rows) byManifest.get(row.manifestId)?.push(row);
  return byManifest;
}

export async function findLabel(db: DbOrTx, manifestId: number, id: string): Promise<Label | undefined> {
  if (!isUuid(id)) return undefined;
  const [row] = await db
    .select(columns)
    .from(manifestLabels)
    .where(and(eq(manifestLabels.manifestId, manifestId), eq(manifestLabels.uuid, id)));
  return row;
}

export interface LabelTarget {
  repo: Repository;
  manifestId: number;
  digest: string;
}

/** The live manifest `digest` of a repository, as a target for label changes; undefined when none. */
export async function labelTarget(db: DbOrTx, repo: Repository, digest: string): Promise<LabelTarget | undefined> {
  const [row] = await db
    .select({ id: manifests.id })
    .from(manifests)
    .where(and(eq(manifests.repositoryId, repo.id), eq(manifests.digest, digest), isNull(manifests.deletedAt)));
  return row && { repo, manifestId: row.id, digest };
}

const auditMetadata = (t: LabelTarget, label: Label) => ({
  id: label.id,
  key: label.key,
  value: label.value,
  manifest_digest: t.digest,
  namespace: t.repo.namespace,
  repo: t.repo.name,
});

export const RESERVED_PREFIX_MESSAGE = "Label has a reserved prefix";
export const INVALID_KEY_MESSAGE = `Label is of an invalid format or missing please use ${LABEL_KEY_PATTERN} format for labels`;

/** Adds a label through the API (source `api`), with its `manifest_label_add` entry. */
export async function addLabel(
  svc: Services,
  actor: Actor,
  target: LabelTarget,
  input: { key: string; value: string; mediaType: LabelMediaType | null },
): Promise<Label> {
  if (hasReservedPrefix(input.key)) throw new DomainError("MODEL_REFUSED", RESERVED_PREFIX_MESSAGE);
  if (!isValidLabelKey(input.key)) throw new DomainError("MODEL_REFUSED", INVALID_KEY_MESSAGE);
  return svc.db.transaction(async (tx) => {
    const [label] = await tx
      .insert(manifestLabels)
      .values({
        manifestId: target.manifestId,
        key: input.key,
        value: input.value,
        mediaType: input.mediaType ?? inferredMediaType(input.value),
        sourceType: "api",
      })
      .returning(columns);
    await writeAudit(tx, {
      kind: "manifest_label_add",
      namespaceId: target.repo.namespaceId,
      repositoryId: target.repo.id,
      ...performedBy(actor),
      metadata: { ...auditMetadata(target, label!), media_type: label!.mediaType },
    });
    return label!;
  });
}

/**
 * Deletes an API label, with its `manifest_label_delete` entry. Labels of the image config are
 * the image's own: refused. Undefined when the manifest has no such label.
 */
export async function deleteLabel(svc: Services, actor: Actor, target: LabelTarget, id: string): Promise<Label | undefined> {
  return svc.db.transaction(async (tx) => {
    const label = await findLabel(tx, target.manifestId, id);
    if (!label) return undefined;
    if (IMMUTABLE_SOURCES.has(label.sourceType)) throw new DomainError("MODEL_REFUSED", "Cannot delete immutable label");
    await tx.delete(manifestLabels).where(eq(manifestLabels.uuid, label.id));
    await writeAudit(tx, {
      kind: "manifest_label_delete",
      namespaceId: target.repo.namespaceId,
      repositoryId: target.repo.id,
      ...performedBy(actor),
      metadata: auditMetadata(target, label),
    });
    return label;
  });
}

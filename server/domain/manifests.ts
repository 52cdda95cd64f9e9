// Manifests in a repository: push (with every reference checked), lookup by tag or digest,
// deletion, and the referrers of a subject.
import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import type { DbOrTx } from "../../db/client.ts";
import { blobs, manifestBlobs, manifestChildren, manifests, repoBlobs } from "../../db/schema.ts";
import { writeAudit } from "./audit.ts";
import { looksLikeDigest, parseDigest } from "./digests.ts";
import { DomainError } from "./errors.ts";
import { type Descriptor, effectiveArtifactType, parseManifest } from "./manifest-formats.ts";
import { isValidTagName } from "./names.ts";
import { type Actor, performerId } from "./principal.ts";
import type { Repository } from "./repositories.ts";
import type { Services } from "./services.ts";
import { endTag, endTagsOf, liveTagManifestId, pointTag } from "./tags.ts";

export interface StoredManifest {
  id: number;
  digest: string;
  mediaType: string;
  raw: Buffer;
  subjectDigest: string | null;
}

export type Reference = { tag: string } | { digest: string };

/** A `<reference>` path segment: a digest when it looks like one, else a tag (validated). */
export function parseReference(reference: string): Reference {
  if (looksLikeDigest(reference)) {
    parseDigest(reference);
    return { digest: reference };
  }
  if (!isValidTagName(reference)) throw new DomainError("TAG_INVALID", "manifest tag did not match URI", { tag: reference });
  return { tag: reference };
}

const storedColumns = {
  id: manifests.id,
  digest: manifests.digest,
  mediaType: manifests.mediaType,
  raw: manifests.raw,
  subjectDigest: manifests.subjectDigest,
};

export async function findManifest(db: DbOrTx, repositoryId: number, ref: Reference): Promise<StoredManifest | undefined> {
  if ("tag" in ref) {
    const manifestId = await liveTagManifestId(db, repositoryId, ref.tag);
    if (manifestId === undefined) return undefined;
    const [row] = await db.select(storedColumns).from(manifests).where(eq(manifests.id, manifestId));
    return row;
  }
  const [row] = await db
    .select(storedColumns)
    .from(manifests)
    .where(and(eq(manifests.repositoryId, repositoryId), eq(manifests.digest, ref.digest), isNull(manifests.deletedAt)));
  return row;
}

export async function getManifest(db: DbOrTx, repositoryId: number, ref: Reference): Promise<StoredManifest> {
  const found = await findManifest(db, repositoryId, ref);
  if (!found) throw new DomainError("MANIFEST_UNKNOWN", "manifest unknown to registry", ref);
  return found;
}

/** getManifest through the in-memory cache: the registry's hot path. */
export async function getManifestCached(svc: Services, repositoryId: number, ref: Reference): Promise<StoredManifest> {
  const key = "tag" in ref ? `tag:${ref.tag}` : ref.digest;
  const hit = svc.cache.manifest(repositoryId, key);
  if (hit) return hit;
  const readAt = svc.cache.version;
  const manifest = await getManifest(svc.db, repositoryId, ref);
  svc.cache.rememberManifest(repositoryId, key, manifest, readAt);
  return manifest;
}

/** Every referenced blob must be in the repository; returns their sizes by digest. */
async function requireBlobs(tx: DbOrTx, repositoryId: number, descriptors: Descriptor[]): Promise<Map<string, number>> {
  const digests = [...new Set(descriptors.map((d) => d.digest))];
  if (digests.length === 0) return new Map();
  const found = await tx
    .select({ digest: blobs.digest, size: blobs.size })
    .from(repoBlobs)
    .innerJoin(blobs, eq(blobs.digest, repoBlobs.digest))
    .where(and(eq(repoBlobs.repositoryId, repositoryId), inArray(repoBlobs.digest, digests)));
  const sizes = new Map(found.map((b) => [b.digest, b.size]));
  const missing = digests.find((d) => !sizes.has(d));
  if (missing) throw new DomainError("MANIFEST_BLOB_UNKNOWN", "blob unknown to registry", { digest: missing });
  return sizes;
}

/** Every child of an index must already be a manifest in the repository; returns their ids. */
async function requireChildren(tx: DbOrTx, repositoryId: number, children: Descriptor[]): Promise<number[]> {
  if (children.length === 0) return [];
  const digests = [...new Set(children.map((c) => c.digest))];
  const found = await tx
    .select({ id: manifests.id, digest: manifests.digest })
    .from(manifests)
    .where(and(eq(manifests.repositoryId, repositoryId), inArray(manifests.digest, digests), isNull(manifests.deletedAt)));
  const ids = new Map(found.map((m) => [m.digest, m.id]));
  const missing = digests.find((d) => !ids.has(d));
  if (missing) throw new DomainError("MANIFEST_BLOB_UNKNOWN", "manifest references an unknown child manifest", { digest: missing });
  return children.map((c) => ids.get(c.digest)!);
}

export interface PushResult {
  digest: string;
  subjectDigest?: string;
  tag?: string;
}

export async function pushManifest(
  svc: Services,
  actor: Actor,
  repo: Repository,
  reference: string,
  bytes: Uint8Array,
  contentType: string | undefined,
): Promise<PushResult> {
  const ref = parseReference(reference);
  const algorithm = "digest" in ref ? parseDigest(ref.digest).algorithm : "sha256";
  const parsed = await parseManifest(bytes, contentType, algorithm);
  if ("digest" in ref && ref.digest !== parsed.digest) {
    throw new DomainError("DIGEST_INVALID", "manifest digest did not match the content", {
      expected: ref.digest,
      actual: parsed.digest,
    });
  }
  const now = svc.clock.now();
  await svc.db.transaction(async (tx) => {
    const referenced = parsed.config ? [parsed.config, ...parsed.layers] : parsed.layers;
    // Statements go out together wherever one does not need another's answer: postgres.js
    // pipelines them on the transaction's connection. A failed check still rolls everything back.
    const checked = Promise.all([
      requireBlobs(tx, repo.id, referenced),
      requireChildren(tx, repo.id, parsed.children),
      writeAudit(tx, {
        kind: "push_repo",
        namespaceId: repo.namespaceId,
        repositoryId: repo.id,
        performerId: performerId(actor),
        ip: actor.ip,
        metadata: {
          repo: repo.name,
          namespace: repo.namespace,
          ...("tag" in ref ? { tag: ref.tag } : {}),
          manifest_digest: parsed.digest,
        },
      }),
    ]);
    checked.catch(() => {}); // awaited below; this only keeps an early failure from going unhandled
    // Schema 1 descriptors carry no sizes: then the stored blobs' sizes are needed first.
    const storedSizes = referenced.some((d) => !d.size) ? (await checked)[0] : undefined;
    const sizeOf = (d: Descriptor) => d.size || storedSizes?.get(d.digest) || 0;
    const inserting = tx
      .insert(manifests)
      .values({
        repositoryId: repo.id,
        digest: parsed.digest,
        mediaType: parsed.mediaType,
        raw: Buffer.from(bytes),
        configDigest: parsed.config?.digest,
        configMediaType: parsed.config?.mediaType,
        subjectDigest: parsed.subject?.digest,
        artifactType: parsed.artifactType,
        annotations: parsed.annotations,
        layersSize: parsed.allLayers.reduce((sum, l) => sum + sizeOf(l), 0),
      })
      .onConflictDoUpdate({
        target: [manifests.repositoryId, manifests.digest],
        set: { deletedAt: null },
      })
      .returning({ id: manifests.id, inserted: sql<boolean>`(xmax = 0)` });
    const [[, childIds], [row]] = await Promise.all([checked, inserting]);
    const manifestId = row!.id;
    const writes: Promise<unknown>[] = [];
    if ("tag" in ref) writes.push(pointTag(tx, repo.id, ref.tag, manifestId, now));
    if (row!.inserted) {
      const blobRows = referenced.map((d, position) => ({
        manifestId,
        position,
        digest: d.digest,
        size: sizeOf(d),
        mediaType: d.mediaType,
      }));
      if (blobRows.length) writes.push(tx.insert(manifestBlobs).values(blobRows).execute());
      if (childIds.length > 0) {
        const childRows = childIds.map((childId, position) => ({ manifestId, childId, position }));
        writes.push(tx.insert(manifestChildren).values(childRows).execute());
      }
    }
    await Promise.all(writes);
  });
  svc.cache.forgetContent(repo.id);
  return {
    digest: parsed.digest,
    subjectDigest: parsed.subject?.digest,
    ...("tag" in ref ? { tag: ref.tag } : {}),
  };
}

/**
 * DELETE by digest hides the manifest and ends its tags (kept as history until garbage
 * collection); DELETE by tag ends only that tag.
 */
export async function deleteManifest(svc: Services, actor: Actor, repo: Repository, reference: string): Promise<void> {
  const ref = parseReference(reference);
  const now = svc.clock.now();
  await svc.db.transaction(async (tx) => {
    const audit = (tag: string, digest: string) =>
      writeAudit(tx, {
        kind: "delete_tag",
        namespaceId: repo.namespaceId,
        repositoryId: repo.id,
        performerId: performerId(actor),
        ip: actor.ip,
        metadata: { repo: repo.name, namespace: repo.namespace, tag, manifest_digest: digest },
      });
    if ("tag" in ref) {
      const manifest = await getManifest(tx, repo.id, ref);
      await endTag(tx, repo.id, ref.tag, now);
      await audit(ref.tag, manifest.digest);
      return;
    }
    const manifest = await getManifest(tx, repo.id, ref);
    await tx.update(manifests).set({ deletedAt: now }).where(eq(manifests.id, manifest.id));
    for (const tag of await endTagsOf(tx, repo.id, manifest.id, now)) await audit(tag, manifest.digest);
  });
  svc.cache.forgetContent(repo.id);
}

export interface Referrer {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
}

export async function listReferrers(db: DbOrTx, repositoryId: number, subject: string, artifactType?: string): Promise<Referrer[]> {
  const rows = await db
    .select({
      mediaType: manifests.mediaType,
      digest: manifests.digest,
      size: sql<number>`octet_length(${manifests.raw})`,
      artifactType: manifests.artifactType,
      configMediaType: manifests.configMediaType,
      annotations: manifests.annotations,
    })
    .from(manifests)
    .where(and(eq(manifests.repositoryId, repositoryId), eq(manifests.subjectDigest, subject), isNull(manifests.deletedAt)))
    .orderBy(manifests.id);
  return rows
    .map((r) => ({
      mediaType: r.mediaType,
      digest: r.digest,
      size: Number(r.size),
      artifactType: effectiveArtifactType(r),
      ...(r.annotations ? { annotations: r.annotations } : {}),
    }))
    .filter((r) => artifactType === undefined || r.artifactType === artifactType);
}

// Manifests in a repository: push (with every reference checked), lookup by tag or digest,
// deletion, and the referrers of a subject.
import { and, eq, isNull, sql } from "drizzle-orm";
import type { DbOrTx } from "../../../db/client.ts";
import { manifests } from "../../../db/schema.ts";
import { performedBy, writeAudit } from "../activity/audit.ts";
import { forgetTagPulls } from "../activity/pull-statistics.ts";
import { looksLikeDigest, parseDigest } from "./digests.ts";
import { DomainError } from "../errors.ts";
import { effectiveArtifactType, parseManifest } from "./manifest-formats.ts";
import { storeManifest } from "./manifest-write.ts";
import { isValidTagName } from "../names.ts";
import type { Actor } from "../access/principal.ts";
import type { Repository } from "../repositories/repositories.ts";
import type { Services } from "../services.ts";
import { endTag, endTagsOf, liveTag } from "./tags.ts";

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

/** The manifest a tag live at `now` points to, and when that tag expires. */
async function findTagged(
  db: DbOrTx,
  repositoryId: number,
  name: string,
  now: Date,
): Promise<{ manifest: StoredManifest; expiresAt: Date | null } | undefined> {
  const tag = await liveTag(db, repositoryId, name, now);
  if (!tag) return undefined;
  const [manifest] = await db.select(storedColumns).from(manifests).where(eq(manifests.id, tag.manifestId));
  return manifest && { manifest, expiresAt: tag.expiresAt };
}

export async function findManifest(db: DbOrTx, repositoryId: number, ref: Reference, now: Date): Promise<StoredManifest | undefined> {
  if ("tag" in ref) return (await findTagged(db, repositoryId, ref.tag, now))?.manifest;
  const [row] = await db
    .select(storedColumns)
    .from(manifests)
    .where(and(eq(manifests.repositoryId, repositoryId), eq(manifests.digest, ref.digest), isNull(manifests.deletedAt)));
  return row;
}

const unknownManifest = (ref: Reference) => new DomainError("MANIFEST_UNKNOWN", "manifest unknown to registry", ref);

export async function getManifest(db: DbOrTx, repositoryId: number, ref: Reference, now: Date): Promise<StoredManifest> {
  const found = await findManifest(db, repositoryId, ref, now);
  if (!found) throw unknownManifest(ref);
  return found;
}

/**
 * getManifest through the in-memory cache: the registry's hot path. A manifest found by tag is
 * held no longer than the tag lives.
 */
export async function getManifestCached(svc: Services, repositoryId: number, ref: Reference): Promise<StoredManifest> {
  const now = svc.clock.now();
  svc.cache.dropExpired(repositoryId, now);
  const key = "tag" in ref ? `tag:${ref.tag}` : ref.digest;
  const hit = svc.cache.manifest(repositoryId, key);
  if (hit) return hit;
  const readAt = svc.cache.version;
  if ("tag" in ref) {
    const tagged = await findTagged(svc.db, repositoryId, ref.tag, now);
    if (!tagged) throw unknownManifest(ref);
    svc.cache.rememberManifest(repositoryId, key, tagged.manifest, readAt, tagged.expiresAt);
    return tagged.manifest;
  }
  const manifest = await getManifest(svc.db, repositoryId, ref, now);
  svc.cache.rememberManifest(repositoryId, key, manifest, readAt);
  return manifest;
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
  const tag = "tag" in ref ? ref.tag : undefined;
  const written = await storeManifest(svc, {
    repositoryId: repo.id,
    namespaceId: repo.namespaceId,
    parsed,
    raw: bytes,
    tag,
    now,
    ...performedBy(actor),
    auditMetadata: {
      repo: repo.name,
      namespace: repo.namespace,
      ...(tag !== undefined ? { tag } : {}),
      manifest_digest: parsed.digest,
    },
  });
  if (!written.stored) {
    if (written.missingBlob) {
      throw new DomainError("MANIFEST_BLOB_UNKNOWN", "blob unknown to registry", { digest: written.missingBlob });
    }
    if (written.missingChild) {
      throw new DomainError("MANIFEST_BLOB_UNKNOWN", "manifest references an unknown child manifest", {
        digest: written.missingChild,
      });
    }
    // Sizes are checked so that the sizes clients and the UI are shown cannot be made up.
    throw new DomainError("MANIFEST_INVALID", "descriptor size does not match the stored content", written.wrongSize);
  }
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
    const audit = async (tag: string, digest: string) => {
      await forgetTagPulls(tx, repo.id, tag);
      await writeAudit(tx, {
        kind: "delete_tag",
        namespaceId: repo.namespaceId,
        repositoryId: repo.id,
        ...performedBy(actor),
        metadata: { repo: repo.name, namespace: repo.namespace, tag, manifest_digest: digest },
      });
    };
    if ("tag" in ref) {
      const manifest = await getManifest(tx, repo.id, ref, now);
      await endTag(tx, repo.id, ref.tag, now);
      await audit(ref.tag, manifest.digest);
      return;
    }
    const manifest = await getManifest(tx, repo.id, ref, now);
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

// What a manifest page and Quay's manifest API show about one manifest: its layers with the
// build step that made each (from the image config's history), an index's children, what kind
// of artifact it is, and what refers to it.
import { and, eq, inArray, isNull } from "drizzle-orm";
import type { DbOrTx } from "../../../db/client.ts";
import { manifests } from "../../../db/schema.ts";
import type { Services } from "../services.ts";
import { buildSteps, type HistoryEntry, type ImageConfig, instructionOf, readImageConfig } from "./image-config.ts";
import { effectiveArtifactType, MEDIA_TYPES, parseManifest } from "./manifest-formats.ts";
import { listReferrers, type Referrer } from "./manifests.ts";

export interface ManifestLayer {
  /** Position among the manifest's layers, base first. */
  index: number;
  digest: string;
  size: number;
  mediaType: string;
  urls: string[] | null;
}

/** One build step: what made it, and the layer it made (none for ENV, LABEL, CMD, …). */
export interface BuildStepView {
  history: HistoryEntry | null;
  /** The command as Quay's API gives it: the step's `created_by` (schema 1: the `Cmd` array). */
  command: string[] | null;
  /** The Dockerfile instruction, for people: `COPY file /`, `ENV A=b`, `RUN make`. */
  instruction: string | null;
  layer: ManifestLayer | null;
}

export interface Platform {
  os: string | null;
  architecture: string | null;
  variant: string | null;
}

export interface ManifestChild {
  digest: string;
  mediaType: string;
  size: number;
  platform: Platform | null;
  /** Whether the child is stored in this repository (a sparse index may lack some). */
  present: boolean;
}

export type ArtifactKind = "image" | "index" | "helm-chart" | "signature" | "sbom" | "attestation" | "artifact";

export interface ManifestDetails {
  id: number;
  digest: string;
  mediaType: string;
  raw: Buffer;
  /** Bytes of the manifest itself. */
  size: number;
  /** Compressed size of the layers (0 for an index). */
  layersSize: number;
  isIndex: boolean;
  configDigest: string | null;
  configMediaType: string | null;
  artifactType: string | null;
  kind: ArtifactKind;
  subjectDigest: string | null;
  annotations: Record<string, string>;
  pushedAt: Date;
  config: ImageConfig | null;
  layers: ManifestLayer[];
  steps: BuildStepView[];
  children: ManifestChild[];
}

const IMAGE_CONFIG_TYPES = new Set([
  "application/vnd.oci.image.config.v1+json",
  "application/vnd.docker.container.image.v1+json",
]);

/** What an artifact is, from its artifact type (or config media type), as people name it. */
export function artifactKind(isIndex: boolean, artifactType: string | null): ArtifactKind {
  if (artifactType === null || IMAGE_CONFIG_TYPES.has(artifactType)) return isIndex ? "index" : "image";
  const t = artifactType.toLowerCase();
  if (t.startsWith("application/vnd.cncf.helm.")) return "helm-chart";
  if (/signature|cosign|sigstore|notary|simplesigning/.test(t)) return "signature";
  if (/spdx|cyclonedx|syft|sbom/.test(t)) return "sbom";
  if (/in-toto|dsse|attestation|provenance|vex/.test(t)) return "attestation";
  return "artifact";
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const textOrNull = (v: unknown) => (typeof v === "string" ? v : null);

function platformOf(p: Record<string, unknown> | undefined): Platform | null {
  if (!p) return null;
  return { os: textOrNull(p.os), architecture: textOrNull(p.architecture), variant: textOrNull(p.variant) };
}

/**
 * Schema 1 carries its history inline: one `v1Compatibility` per layer, top first, whose
 * `container_config.Cmd` is the command and `throwaway` marks a step that added nothing.
 */
function schema1Steps(raw: Buffer, layers: ManifestLayer[]): BuildStepView[] {
  let history: unknown[] = [];
  try {
    const body = JSON.parse(raw.toString("utf8")) as { history?: unknown };
    if (Array.isArray(body.history)) history = [...body.history].reverse();
  } catch {
    // stored manifests were parsed at push; nothing to show otherwise
  }
  return layers.map((layer, i) => {
    let v1: Record<string, unknown> = {};
    try {
      const entry = history[i];
      if (isRecord(entry) && typeof entry.v1Compatibility === "string") v1 = JSON.parse(entry.v1Compatibility) ?? {};
    } catch {
      // an unreadable entry: a step of unknown origin
    }
    const run = isRecord(v1.container_config) ? v1.container_config : {};
    const cmd = Array.isArray(run.Cmd) && run.Cmd.every((c) => typeof c === "string") ? (run.Cmd as string[]) : null;
    const created = typeof v1.created === "string" && !Number.isNaN(Date.parse(v1.created)) ? new Date(v1.created) : null;
    const createdBy = cmd ? cmd.join(" ") : null;
    return {
      history: { created, createdBy, author: textOrNull(v1.author), comment: textOrNull(v1.comment), emptyLayer: v1.throwaway === true },
      command: cmd,
      instruction: instructionOf(createdBy),
      layer,
    };
  });
}

/** A live manifest of a repository with everything its page shows; undefined when there is none. */
export async function manifestDetails(svc: Services, repositoryId: number, digest: string): Promise<ManifestDetails | undefined> {
  const [row] = await svc.db
    .select()
    .from(manifests)
    .where(and(eq(manifests.repositoryId, repositoryId), eq(manifests.digest, digest), isNull(manifests.deletedAt)));
  if (!row) return undefined;
  const parsed = await parseManifest(row.raw, row.mediaType);
  const layers = parsed.allLayers.map((l, index) => ({
    index,
    digest: l.digest,
    size: l.size,
    mediaType: l.mediaType,
    urls: l.urls ?? null,
  }));
  const schema1 = parsed.mediaType === MEDIA_TYPES.dockerSchema1 || parsed.mediaType === MEDIA_TYPES.dockerSchema1Signed;
  const config = parsed.config ? await readImageConfig(svc.store, parsed.config.digest, parsed.config.size) : null;
  let steps: BuildStepView[];
  if (schema1) steps = schema1Steps(row.raw, layers);
  else {
    steps = buildSteps(config?.history ?? [], layers.length).map((s) => ({
      history: s.history,
      command: s.history?.createdBy ? [s.history.createdBy] : null,
      instruction: instructionOf(s.history?.createdBy ?? null),
      layer: s.layerIndex === null ? null : layers[s.layerIndex]!,
    }));
  }
  const artifactType = effectiveArtifactType(row) ?? null;
  return {
    id: row.id,
    digest: row.digest,
    mediaType: row.mediaType,
    raw: row.raw,
    size: row.raw.byteLength,
    layersSize: Number(row.layersSize),
    isIndex: parsed.isIndex,
    configDigest: row.configDigest,
    configMediaType: row.configMediaType,
    artifactType,
    kind: artifactKind(parsed.isIndex, artifactType),
    subjectDigest: row.subjectDigest,
    annotations: row.annotations ?? {},
    pushedAt: row.createdAt,
    config,
    layers,
    steps,
    children: await childrenOf(svc.db, repositoryId, parsed.children),
  };
}

async function childrenOf(
  db: DbOrTx,
  repositoryId: number,
  descriptors: { digest: string; mediaType: string; size: number; platform?: Record<string, unknown> }[],
): Promise<ManifestChild[]> {
  if (descriptors.length === 0) return [];
  const stored = await db
    .select({ digest: manifests.digest })
    .from(manifests)
    .where(
      and(
        eq(manifests.repositoryId, repositoryId),
        inArray(manifests.digest, descriptors.map((d) => d.digest)),
        isNull(manifests.deletedAt),
      ),
    );
  const present = new Set(stored.map((s) => s.digest));
  return descriptors.map((d) => ({
    digest: d.digest,
    mediaType: d.mediaType,
    size: d.size,
    platform: platformOf(d.platform),
    present: present.has(d.digest),
  }));
}

/** The manifests whose subject is this one (signatures, SBOMs, attestations), each with its kind. */
export async function referrersOf(db: DbOrTx, repositoryId: number, digest: string): Promise<(Referrer & { kind: ArtifactKind })[]> {
  const referrers = await listReferrers(db, repositoryId, digest);
  return referrers.map((r) => ({
    ...r,
    kind: artifactKind(r.mediaType === MEDIA_TYPES.ociIndex || r.mediaType === MEDIA_TYPES.dockerList, r.artifactType ?? null),
  }));
}

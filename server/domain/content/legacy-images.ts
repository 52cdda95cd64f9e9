// Docker v1 "images" for the legacy image API that older scripts still call. Images are not
// stored: as Quay does for manifest-based images, each build step of a live tag's manifest is an
// image whose id is made from (manifest id, position counted from the leaf: 0 is the image
// itself, its parent 1, …) with Hashids over hex digits, at least 64 long, salted per
// installation. So ids are stable here, opaque, and mean nothing on another installation.
import Hashids from "hashids";
import { and, eq } from "drizzle-orm";
import type { Db } from "../../../db/client.ts";
import { manifests, tags } from "../../../db/schema.ts";
import { instanceSecret } from "../../auth/instance-secrets.ts";
import type { Services } from "../services.ts";
import { type BuildStepView, manifestDetails } from "./manifest-details.ts";
import { liveTagCondition } from "./tags.ts";

/** Quay's size of the empty layer that stands for a step without files. */
export const EMPTY_LAYER_SIZE = 32;
export const EMPTY_LAYER_DIGEST = "sha256:a3ed95caeb02ffe68cdf9fd84406680ae93d633cb16422d00e8a7c22955b46d4";

export interface LegacyImage {
  id: string;
  created: Date | null;
  comment: string | null;
  command: string[] | null;
  size: number;
  /** Ancestor ids, the parent first. */
  parents: string[];
  /** Live tags naming this image (only a manifest's leaf image has any). */
  tags: string[];
}

const idCodecs = new WeakMap<Db, Promise<Hashids>>();

/** The installation's id codec (its salt made once and kept in instance_settings). */
function idCodec(db: Db): Promise<Hashids> {
  let codec = idCodecs.get(db);
  if (!codec) {
    codec = instanceSecret(db, "legacy_image_id_salt").then((salt) => legacyIdCodec(salt.toString("base64url")));
    idCodecs.set(db, codec);
  }
  return codec;
}

export const legacyIdCodec = (salt: string) => new Hashids(salt, 64, "0123456789abcdef");

/** The images of one manifest's build steps, base first. */
export function imagesOfSteps(codec: Hashids, manifestId: number, steps: BuildStepView[], leafTags: string[]): LegacyImage[] {
  const ids = steps.map((_, i) => codec.encode(manifestId, steps.length - 1 - i));
  return steps.map((step, i) => ({
    id: ids[i]!,
    created: step.history?.created ?? null,
    comment: step.history?.comment ?? null,
    command: step.command,
    size: step.layer?.size ?? EMPTY_LAYER_SIZE,
    parents: ids.slice(0, i).reverse(),
    tags: i === steps.length - 1 ? leafTags : [],
  }));
}

/** Every image of the manifests live tags point to (indexes have none). */
export async function listLegacyImages(svc: Services, repositoryId: number): Promise<LegacyImage[]> {
  const codec = await idCodec(svc.db);
  const rows = await svc.db
    .select({ name: tags.name, manifestId: tags.manifestId, digest: manifests.digest })
    .from(tags)
    .innerJoin(manifests, eq(manifests.id, tags.manifestId))
    .where(and(liveTagCondition(repositoryId, svc.clock.now()), eq(tags.hidden, false)))
    .orderBy(tags.name);
  const byManifest = new Map<number, { digest: string; tags: string[] }>();
  for (const r of rows) {
    const entry = byManifest.get(r.manifestId) ?? { digest: r.digest, tags: [] };
    entry.tags.push(r.name);
    byManifest.set(r.manifestId, entry);
  }
  const images: LegacyImage[] = [];
  for (const [manifestId, { digest, tags: names }] of byManifest) {
    const details = await manifestDetails(svc, repositoryId, digest);
    if (!details || details.isIndex) continue;
    images.push(...imagesOfSteps(codec, manifestId, details.steps, names));
  }
  return images;
}

/** One image by id, with its ancestors (parent first); undefined when unknown here. */
export async function getLegacyImage(
  svc: Services,
  repositoryId: number,
  id: string,
): Promise<{ image: LegacyImage; ancestors: LegacyImage[]; manifestDigest: string; topLayerIndex: number } | undefined> {
  const codec = await idCodec(svc.db);
  let decoded: number[];
  try {
    decoded = codec.decode(id.toLowerCase()).map(Number);
  } catch {
    return undefined;
  }
  if (decoded.length !== 2) return undefined;
  const [manifestId, fromLeaf] = decoded as [number, number];
  const [row] = await svc.db
    .select({ digest: manifests.digest })
    .from(manifests)
    .where(and(eq(manifests.id, manifestId), eq(manifests.repositoryId, repositoryId)));
  if (!row) return undefined;
  const details = await manifestDetails(svc, repositoryId, row.digest);
  if (!details || details.isIndex || fromLeaf >= details.steps.length) return undefined;
  const leafTags = await svc.db
    .select({ name: tags.name })
    .from(tags)
    .where(and(liveTagCondition(repositoryId, svc.clock.now()), eq(tags.manifestId, manifestId), eq(tags.hidden, false)));
  const images = imagesOfSteps(codec, manifestId, details.steps, leafTags.map((t) => t.name));
  const position = images.length - 1 - fromLeaf;
  // The image's filesystem is the manifest's layers up to the one its step (or an earlier one) made.
  const topLayerIndex = Math.max(-1, ...details.steps.slice(0, position + 1).map((s) => s.layer?.index ?? -1));
  return { image: images[position]!, ancestors: images.slice(0, position).reverse(), manifestDigest: row.digest, topLayerIndex };
}

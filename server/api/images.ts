// Quay's legacy image API (removed in Quay 3.7, kept for scripts written for older Quay):
// `GET /repository/{repo}/image/` and `/image/{image_id}`, images derived from the manifests of
// live tags (see domain/content/legacy-images.ts).
import type { RepoRef } from "../domain/names.ts";
import { getLegacyImage, type LegacyImage, listLegacyImages } from "../domain/content/legacy-images.ts";
import { authorizeExistingRepository } from "./auth.ts";
import { rfc2822 } from "./dates.ts";
import { notFound } from "./errors.ts";
import type { ApiRequest } from "./request.ts";

function imageItem(image: LegacyImage) {
  return {
    id: image.id,
    created: image.created ? rfc2822(image.created) : null,
    comment: image.comment,
    command: image.command,
    size: image.size,
    uploading: false,
    sort_index: image.parents.length,
    ancestors: `/${image.parents.join("/")}/`,
  };
}

export async function listImagesHandler(r: ApiRequest, ref: RepoRef): Promise<Response> {
  const { repo } = await authorizeExistingRepository(r.deps, r.caller, ref, "read");
  const images = await listLegacyImages(r.deps, repo.id);
  return r.c.json({ images: images.map((image) => ({ ...imageItem(image), tags: image.tags })) });
}

export async function getImageHandler(r: ApiRequest, ref: RepoRef, [id]: string[]): Promise<Response> {
  const { repo } = await authorizeExistingRepository(r.deps, r.caller, ref, "read");
  const found = await getLegacyImage(r.deps, repo.id, id!);
  if (!found) throw notFound();
  return r.c.json({ ...imageItem(found.image), history: found.ancestors.map(imageItem) });
}

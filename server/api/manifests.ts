// `GET /api/v1/repository/{repo}/manifest/{digest}`: one manifest in Quay's shape, its layers
// each with the command of the build step that made it. Like Quay, every step of the image
// config's history is listed, a step that made no files standing on the empty layer.
import type { RepoRef } from "../domain/names.ts";
import { type BuildStepView, manifestDetails } from "../domain/content/manifest-details.ts";
import { EMPTY_LAYER_DIGEST, EMPTY_LAYER_SIZE } from "../domain/content/legacy-images.ts";
import { authorizeExistingRepository } from "./auth.ts";
import { rfc2822 } from "./dates.ts";
import { notFound } from "./errors.ts";
import type { ApiRequest } from "./request.ts";
import { addLabelHandler, deleteLabelHandler, getLabelHandler, listLabelsHandler } from "./labels.ts";
import { getImageHandler, listImagesHandler } from "./images.ts";
import { manifestPullStatisticsHandler } from "./pull-statistics.ts";
import { imageSecurityHandler, manifestSecurityHandler } from "./security.ts";

/** Quay's digest grammar in manifest paths; anything else is not a manifest route at all. */
export const DIGEST = "[A-Za-z0-9_+.-]+:[A-Fa-f0-9]+";

function layerItem(step: BuildStepView, index: number) {
  const h = step.history;
  return {
    index,
    compressed_size: step.layer?.size ?? EMPTY_LAYER_SIZE,
    is_remote: Boolean(step.layer?.urls?.length),
    urls: step.layer?.urls ?? null,
    command: step.command,
    comment: h?.comment ?? null,
    author: h?.author ?? null,
    blob_digest: step.layer?.digest ?? EMPTY_LAYER_DIGEST,
    created_datetime: h?.created ? rfc2822(h.created) : null,
  };
}

export async function getManifestHandler(r: ApiRequest, ref: RepoRef, [digest]: string[]): Promise<Response> {
  const { repo } = await authorizeExistingRepository(r.deps, r.caller, ref, "read");
  const details = await manifestDetails(r.deps, repo.id, digest!);
  if (!details) throw notFound();
  return r.c.json({
    digest: details.digest,
    is_manifest_list: details.isIndex,
    manifest_data: details.raw.toString("utf8"),
    config_media_type: details.configMediaType,
    layers_compressed_size: details.layersSize,
    layers: details.isIndex || details.steps.length === 0 ? null : details.steps.map(layerItem),
  });
}

type ManifestRouteHandler = (r: ApiRequest, ref: RepoRef, names: string[]) => Promise<Response>;

/** Paths under /repository/{repo}/: the manifest, its labels and scan, and the legacy images and their scans. */
export const MANIFEST_ROUTES: { pattern: RegExp; methods: Record<string, ManifestRouteHandler> }[] = [
  { pattern: new RegExp(`^(.+)/manifest/(${DIGEST})/labels/([^/]+)$`), methods: { GET: getLabelHandler, DELETE: deleteLabelHandler } },
  { pattern: new RegExp(`^(.+)/manifest/(${DIGEST})/labels$`), methods: { GET: listLabelsHandler, POST: addLabelHandler } },
  { pattern: new RegExp(`^(.+)/manifest/(${DIGEST})$`), methods: { GET: getManifestHandler } },
  { pattern: new RegExp(`^(.+)/manifest/(${DIGEST})/pull_statistics$`), methods: { GET: manifestPullStatisticsHandler } },
  { pattern: new RegExp(`^(.+)/manifest/(${DIGEST})/security$`), methods: { GET: manifestSecurityHandler } },
  { pattern: /^(.+)\/image\/?$/, methods: { GET: listImagesHandler } },
  { pattern: /^(.+)\/image\/([^/]+)$/, methods: { GET: getImageHandler } },
  { pattern: /^(.+)\/image\/([^/]+)\/security$/, methods: { GET: imageSecurityHandler } },
];

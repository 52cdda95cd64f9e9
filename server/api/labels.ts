// Manifest labels, as Quay's API has them: list (with a key prefix filter), add (201 with a
// Location), look up and delete by id. Labels from the image config cannot be deleted.
import { z } from "zod";
import type { RepoRef } from "../domain/names.ts";
import {
  addLabel,
  deleteLabel,
  findLabel,
  hasReservedPrefix,
  type Label,
  LABEL_MEDIA_TYPES,
  labelTarget,
  listLabels,
  RESERVED_PREFIX_MESSAGE,
} from "../domain/content/labels.ts";
import type { Repository } from "../domain/repositories/repositories.ts";
import { authorizeExistingRepository, authorizeRepository } from "./auth.ts";
import { notFound, PlainError } from "./errors.ts";
import { jsonBody } from "./input.ts";
import type { ApiRequest } from "./request.ts";

export const labelItem = (label: Label) => ({
  id: label.id,
  key: label.key,
  value: label.value,
  source_type: label.sourceType,
  media_type: label.mediaType,
});

const newLabel = z.object({
  key: z.string(),
  value: z.string(),
  media_type: z.enum(LABEL_MEDIA_TYPES).nullable(),
});

async function target(r: ApiRequest, repo: Repository, digest: string) {
  const found = await labelTarget(r.deps.db, repo, digest);
  if (!found) throw notFound();
  return found;
}

export async function listLabelsHandler(r: ApiRequest, ref: RepoRef, [digest]: string[]): Promise<Response> {
  const { repo } = await authorizeExistingRepository(r.deps, r.caller, ref, "read");
  const { manifestId } = await target(r, repo, digest!);
  const labels = await listLabels(r.deps.db, manifestId, r.c.req.query("filter") || undefined);
  return r.c.json({ labels: labels.map(labelItem) });
}

export async function addLabelHandler(r: ApiRequest, ref: RepoRef, [digest]: string[]): Promise<Response> {
  const grant = await authorizeRepository(r.deps, r.caller, ref, "write");
  const body = await jsonBody(r.c, newLabel);
  // Quay refuses a reserved prefix before it looks for the repository or the manifest.
  if (hasReservedPrefix(body.key)) throw new PlainError(400, { message: RESERVED_PREFIX_MESSAGE });
  if (!grant.repo) throw notFound();
  const t = await target(r, grant.repo, digest!);
  const label = await addLabel(r.deps, r.actor, t, { key: body.key, value: body.value, mediaType: body.media_type });
  const location = `/api/v1/repository/${ref.namespace}/${ref.name}/manifest/${digest}/labels/${label.id}`;
  return r.c.json({ label: labelItem(label) }, 201, { Location: location });
}

export async function getLabelHandler(r: ApiRequest, ref: RepoRef, [digest, id]: string[]): Promise<Response> {
  const { repo } = await authorizeExistingRepository(r.deps, r.caller, ref, "read");
  const { manifestId } = await target(r, repo, digest!);
  const label = await findLabel(r.deps.db, manifestId, id!);
  if (!label) throw notFound();
  return r.c.json(labelItem(label));
}

export async function deleteLabelHandler(r: ApiRequest, ref: RepoRef, [digest, id]: string[]): Promise<Response> {
  const { repo } = await authorizeExistingRepository(r.deps, r.caller, ref, "write");
  const deleted = await deleteLabel(r.deps, r.actor, await target(r, repo, digest!), id!);
  if (!deleted) throw notFound();
  return r.c.body(null, 204);
}

// The registry's lists: tags of a repository, the catalog, and referrers of a manifest.
import { parseDigest } from "../domain/content/digests.ts";
import { DomainError } from "../domain/errors.ts";
import { MEDIA_TYPES } from "../domain/content/manifest-formats.ts";
import { listReferrers } from "../domain/content/manifests.ts";
import { catalogPage } from "../domain/repositories/repositories.ts";
import { tagNamesPage } from "../domain/content/tags.ts";
import { challenge, requireAction } from "./auth.ts";
import { existingRepository } from "./repository.ts";
import { type RegistryRequest, respond } from "./request.ts";

/** The most names one response carries; longer lists are paged with a Link header. */
export const MAX_PAGE = 10_000;

/**
 * `n` and `last` paging parameters. Without `n` (or with a larger one) a page holds MAX_PAGE
 * names, and a full page links to the next, so clients that follow Link see every name.
 */
function paging(url: URL): { limit: number; last?: string } {
  const nText = url.searchParams.get("n");
  let limit = MAX_PAGE;
  if (nText !== null) {
    // Digits only (as distribution's Atoi); any count past the cap is the cap.
    if (!/^\d+$/.test(nText)) throw new DomainError("INVALID_REQUEST", "n must be a non-negative integer");
    limit = Math.min(Number(nText), MAX_PAGE);
  }
  return { limit, last: url.searchParams.get("last") ?? undefined };
}

function json(body: unknown, headers: Record<string, string> = {}, contentType = "application/json"): Response {
  return respond(200, { "Content-Type": contentType, ...headers }, JSON.stringify(body));
}

/** A page that came back full may have more: point at the next one. */
function nextLink(path: string, limit: number, items: string[]): Record<string, string> {
  if (limit === 0 || items.length < limit) return {};
  const last = items[items.length - 1]!;
  return { Link: `<${path}?n=${limit}&last=${encodeURIComponent(last)}>; rel="next"` };
}

export async function listTags(r: RegistryRequest): Promise<Response> {
  await requireAction(r.deps, r.c, r.caller, r.name, "pull");
  const repositoryId = (await existingRepository(r.deps, r.name)).id;
  const { limit, last } = paging(new URL(r.c.req.url));
  const tags = limit === 0 ? [] : await tagNamesPage(r.deps, repositoryId, { last, limit });
  return json({ name: r.name, tags }, nextLink(`/v2/${r.name}/tags/list`, limit, tags));
}

export async function catalog(r: RegistryRequest): Promise<Response> {
  if (!r.caller.presentedCredentials) throw challenge(r.deps, r.c, "registry:catalog:*");
  const { limit, last } = paging(new URL(r.c.req.url));
  const names = limit === 0 ? [] : await catalogPage(r.deps, r.caller.principal, { last, limit });
  return json({ repositories: names }, nextLink("/v2/_catalog", limit, names));
}

export async function referrers(r: RegistryRequest): Promise<Response> {
  await requireAction(r.deps, r.c, r.caller, r.name, "pull");
  parseDigest(r.param);
  const repositoryId = (await existingRepository(r.deps, r.name)).id;
  const artifactType = new URL(r.c.req.url).searchParams.get("artifactType") ?? undefined;
  const manifests = await listReferrers(r.deps.db, repositoryId, r.param, artifactType);
  const headers: Record<string, string> = artifactType ? { "OCI-Filters-Applied": "artifactType" } : {};
  return json({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociIndex, manifests }, headers, MEDIA_TYPES.ociIndex);
}

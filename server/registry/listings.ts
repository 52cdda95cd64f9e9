// The registry's lists: tags of a repository, the catalog, and referrers of a manifest.
import { parseDigest } from "../domain/digests.ts";
import { DomainError } from "../domain/errors.ts";
import { MEDIA_TYPES } from "../domain/manifest-formats.ts";
import { listReferrers } from "../domain/manifests.ts";
import { listRepositoryNames } from "../domain/repositories.ts";
import { listTagNames } from "../domain/tags.ts";
import { challenge, requireAction } from "./auth.ts";
import { existingRepository } from "./repository.ts";
import { type RegistryRequest, respond } from "./request.ts";

const MAX_PAGE = 10_000;

/** `n` and `last` paging parameters. */
function paging(url: URL): { n?: number; last?: string } {
  const nText = url.searchParams.get("n");
  let n: number | undefined;
  if (nText !== null) {
    n = Number(nText);
    if (!Number.isInteger(n) || n < 0) throw new DomainError("INVALID_REQUEST", "n must be a non-negative integer");
    n = Math.min(n, MAX_PAGE);
  }
  return { n, last: url.searchParams.get("last") ?? undefined };
}

function json(body: unknown, headers: Record<string, string> = {}, contentType = "application/json"): Response {
  return respond(200, { "Content-Type": contentType, ...headers }, JSON.stringify(body));
}

/** A page that came back full may have more: point at the next one. */
function nextLink(path: string, n: number | undefined, items: string[]): Record<string, string> {
  if (n === undefined || n === 0 || items.length < n) return {};
  const last = items[items.length - 1]!;
  return { Link: `<${path}?n=${n}&last=${encodeURIComponent(last)}>; rel="next"` };
}

export async function listTags(r: RegistryRequest): Promise<Response> {
  await requireAction(r.deps, r.c, r.caller, r.name, "pull");
  const repo = await existingRepository(r.deps, r.name);
  const { n, last } = paging(new URL(r.c.req.url));
  const tags = n === 0 ? [] : await listTagNames(r.deps.db, repo.id, { last, limit: n ?? MAX_PAGE });
  return json({ name: r.name, tags }, nextLink(`/v2/${r.name}/tags/list`, n, tags));
}

export async function catalog(r: RegistryRequest): Promise<Response> {
  if (!r.caller.presentedCredentials) throw challenge(r.deps, r.c, "registry:catalog:*");
  const { n, last } = paging(new URL(r.c.req.url));
  const names = n === 0 ? [] : await listRepositoryNames(r.deps.db, r.caller.principal, last, n ?? MAX_PAGE);
  return json({ repositories: names }, nextLink("/v2/_catalog", n, names));
}

export async function referrers(r: RegistryRequest): Promise<Response> {
  await requireAction(r.deps, r.c, r.caller, r.name, "pull");
  parseDigest(r.param);
  const repo = await existingRepository(r.deps, r.name);
  const artifactType = new URL(r.c.req.url).searchParams.get("artifactType") ?? undefined;
  const manifests = await listReferrers(r.deps.db, repo.id, r.param, artifactType);
  const headers: Record<string, string> = artifactType ? { "OCI-Filters-Applied": "artifactType" } : {};
  return json({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociIndex, manifests }, headers, MEDIA_TYPES.ociIndex);
}

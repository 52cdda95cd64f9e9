// Quay's tag endpoints under /api/v1/repository/{repo}/tag/: the history list, create/move and
// expiry (PUT), delete, restore and permanent delete from the time machine.
import { z } from "zod";
import type { RepoRef } from "../domain/names.ts";
import { listTagViews, type TagView } from "../domain/content/tags.ts";
import { changeTagExpiration, deleteTag, permanentlyDeleteTag, restoreTag, TAG_NAME_ERROR, tagManifest } from "../domain/content/tag-changes.ts";
import { isValidTagName } from "../domain/names.ts";
import type { Repository } from "../domain/repositories/repositories.ts";
import { authorizeExistingRepository, authorizeRepository } from "./auth.ts";
import { invalidRequest, notFound, PlainError } from "./errors.ts";
import { intParam, jsonBody, truthy } from "./input.ts";
import type { ApiRequest } from "./request.ts";
import { tagItem } from "./views.ts";
import { tagPullStatisticsHandler } from "./pull-statistics.ts";

const LIMIT_HELP = "Limit to the number of results to return per page. Max 100.";
const PAGE_HELP = "Page index for the results. Default 1.";
const BAD_FILTER =
  "Unsupported syntax for filter_tag_name. Expected <operation>:<tag_name> where <operation>can be 'like' or 'eq'.";
/** Flask's words for a bare 400 (Quay's `abort(400)`). */
const BAD_REQUEST = "The browser (or proxy) sent a request that this server could not understand.";

interface NameFilter {
  name?: string;
  nameContains?: string;
}

/** `like:<text>` or `eq:<name>`; another operation filters nothing, as in Quay. */
function parseNameFilter(text: string | undefined): NameFilter {
  if (!text) return {};
  const colon = text.indexOf(":");
  if (colon < 0) throw new PlainError(400, { message: BAD_FILTER });
  const op = text.slice(0, colon);
  const value = text.slice(colon + 1);
  if (op === "like") return { nameContains: value };
  if (op === "eq") return { name: value };
  return {};
}

export async function listTagsHandler(r: ApiRequest, ref: RepoRef): Promise<Response> {
  const { deps, c, caller } = r;
  const query = (name: string) => c.req.query(name);
  const { repo } = await authorizeRepository(deps, caller, ref, "read");
  const page = Math.max(1, intParam(c, "page", 1, PAGE_HELP));
  const limit = Math.min(100, Math.max(1, intParam(c, "limit", 50, LIMIT_HELP)));
  if (!repo) throw notFound();
  const specificTag = query("specificTag") || undefined;
  const filter = parseNameFilter(query("filter_tag_name") || undefined);
  const onlyActive = truthy(query("onlyActiveTags"), false);
  const now = deps.clock.now();
  // Both name filters apply; when they disagree nothing can match.
  let rows: TagView[] = [];
  if (!(specificTag && filter.name && specificTag !== filter.name)) {
    rows = await listTagViews(
      deps.db,
      repo.id,
      { onlyActive, name: specificTag ?? filter.name, nameContains: filter.nameContains, offset: (page - 1) * limit, limit: limit + 1 },
      now,
    );
  }
  return c.json({ tags: rows.slice(0, limit).map((t) => tagItem(t)), page, has_additional: rows.length > limit });
}

/** A write to a repository's tags: write role, and a repository taking writes (Quay's 503 otherwise). */
async function writableRepository(r: ApiRequest, ref: RepoRef): Promise<Repository> {
  const { repo } = await authorizeExistingRepository(r.deps, r.caller, ref, "write");
  if (repo.state !== "NORMAL") throw new PlainError(503, { message: `Repository is in read only or mirror mode: ${repo.state}` });
  return repo;
}

const changeTagBody = z.object({
  manifest_digest: z.string().nullable().optional(),
  expiration: z.number().nullable().optional(),
});

/**
 * `PUT .../tag/{tag}`: `expiration` (Unix seconds, null clears; the tag must be live) first, then
 * `manifest_digest` (create or move). 201 `"Updated"`, as Quay answers.
 */
async function changeTagHandler(r: ApiRequest, ref: RepoRef, [tag]: string[]): Promise<Response> {
  const repo = await writableRepository(r, ref);
  if (!isValidTagName(tag!)) throw new PlainError(400, { message: TAG_NAME_ERROR });
  const body = await jsonBody(r.c, changeTagBody);
  if (body.expiration !== undefined) {
    const requested = body.expiration === null ? null : new Date(body.expiration * 1000);
    if (requested && (Number.isNaN(requested.getTime()) || requested <= r.deps.clock.now())) {
      throw new PlainError(400, { message: BAD_REQUEST });
    }
    await changeTagExpiration(r.deps, r.actor, repo, tag!, requested);
  }
  if (body.manifest_digest !== undefined) {
    if (body.manifest_digest === null) throw notFound();
    await tagManifest(r.deps, r.actor, repo, tag!, body.manifest_digest);
  }
  return r.c.json("Updated", 201);
}

async function deleteTagHandler(r: ApiRequest, ref: RepoRef, [tag]: string[]): Promise<Response> {
  const repo = await writableRepository(r, ref);
  await deleteTag(r.deps, r.actor, repo, tag!);
  return r.c.body(null, 204);
}

const restoreBody = z.object({ manifest_digest: z.string().optional() });

/** `POST .../tag/{tag}/restore`: points the tag at a manifest the time machine holds. `{}`. */
async function restoreTagHandler(r: ApiRequest, ref: RepoRef, [tag]: string[]): Promise<Response> {
  const repo = await writableRepository(r, ref);
  const body = await jsonBody(r.c, restoreBody);
  if (body.manifest_digest === undefined) throw invalidRequest("Missing manifest_digest");
  await restoreTag(r.deps, r.actor, repo, tag!, body.manifest_digest);
  return r.c.json({});
}

const expireBody = z.object({
  manifest_digest: z.string().optional(),
  include_submanifests: z.boolean().optional(),
  is_alive: z.boolean().optional(),
});

/**
 * `POST .../tag/{tag}/expire` (Quay's PERMANENTLY_DELETE_TAGS, on by default): the live tag
 * (`is_alive`) or the tag's ended rows for `manifest_digest` leave the time machine. Quay keeps
 * no temporary tags on child manifests, so `include_submanifests` changes nothing here.
 */
async function expireTagHandler(r: ApiRequest, ref: RepoRef, [tag]: string[]): Promise<Response> {
  const { repo } = await authorizeExistingRepository(r.deps, r.caller, ref, "write");
  const body = await jsonBody(r.c, expireBody);
  const alive = body.is_alive ?? false;
  if (!alive && body.manifest_digest === undefined) throw invalidRequest("manifest_digest required when is_alive set to false");
  await permanentlyDeleteTag(r.deps, r.actor, repo, tag!, alive ? { alive } : { alive, manifestDigest: body.manifest_digest! });
  return r.c.json("");
}

type TagRouteHandler = (r: ApiRequest, ref: RepoRef, names: string[]) => Promise<Response>;

export const TAG_ROUTES: { pattern: RegExp; methods: Record<string, TagRouteHandler> }[] = [
  { pattern: /^(.+)\/tag\/?$/, methods: { GET: listTagsHandler } },
  { pattern: /^(.+)\/tag\/([^/]+)\/restore$/, methods: { POST: restoreTagHandler } },
  { pattern: /^(.+)\/tag\/([^/]+)\/expire$/, methods: { POST: expireTagHandler } },
  { pattern: /^(.+)\/tag\/([^/]+)\/pull_statistics$/, methods: { GET: tagPullStatisticsHandler } },
  { pattern: /^(.+)\/tag\/([^/]+)$/, methods: { PUT: changeTagHandler, DELETE: deleteTagHandler } },
];

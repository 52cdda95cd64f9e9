// `GET /api/v1/repository/{repo}/tag/`: a repository's tag history (live and ended rows), newest
// first, paged by page/limit.
import type { RepoRef } from "../domain/names.ts";
import { listTagViews, type TagView } from "../domain/content/tags.ts";
import { authorizeRepository } from "./auth.ts";
import { notFound, PlainError } from "./errors.ts";
import { intParam, truthy } from "./input.ts";
import type { ApiRequest } from "./request.ts";
import { tagItem } from "./views.ts";

const LIMIT_HELP = "Limit to the number of results to return per page. Max 100.";
const PAGE_HELP = "Page index for the results. Default 1.";
const BAD_FILTER =
  "Unsupported syntax for filter_tag_name. Expected <operation>:<tag_name> where <operation>can be 'like' or 'eq'.";

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
  // Both name filters apply; when they disagree nothing can match.
  let rows: TagView[] = [];
  if (!(specificTag && filter.name && specificTag !== filter.name)) {
    rows = await listTagViews(deps.db, repo.id, {
      onlyActive,
      name: specificTag ?? filter.name,
      nameContains: filter.nameContains,
      offset: (page - 1) * limit,
      limit: limit + 1,
    });
  }
  return c.json({ tags: rows.slice(0, limit).map(tagItem), page, has_additional: rows.length > limit });
}

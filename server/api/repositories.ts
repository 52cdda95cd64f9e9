// Repository endpoints: list, create, read, update the description, delete, change visibility.
import { z } from "zod";
import { findNamespace, tagExpirationSeconds } from "../domain/accounts/namespaces.ts";
import type { RepoRef } from "../domain/names.ts";
import { roleAtLeast } from "../domain/access/permissions.ts";
import { anonymous } from "../domain/access/principal.ts";
import { actionTotals, dailyActionCounts, lastTagChange } from "../domain/repositories/repository-activity.ts";
import { listVisibleRepositories, starredAmong } from "../domain/repositories/repository-listings.ts";
import {
  createRepository,
  deleteRepository,
  isStarred,
  setDescription,
  setVisibility,
} from "../domain/repositories/repositories.ts";
import { listTagViews } from "../domain/content/tags.ts";
import { repositoryStorageBytes } from "../domain/content/storage-usage.ts";
import { authorizeExistingRepository, authorizeRepository, isAnonymous } from "./auth.ts";
import { invalidRequest, notFound, PlainError, unauthorized } from "./errors.ts";
import { jsonBody, truthy } from "./input.ts";
import { decodePageToken, encodePageToken } from "./paging.ts";
import type { ApiRequest } from "./request.ts";
import { type ListItemExtras, repositoryListItem, repositoryView } from "./views.ts";

const PAGE_SIZE = 100;
/** Live tags the repository view includes at most. */
const MAX_TAGS = 500;
const DAY_MS = 86_400_000;
/** Popularity counts the last week's actions. */
export const POPULARITY_WINDOW_MS = 7 * DAY_MS;
const STATS_WINDOW_MS = 92 * DAY_MS;

/** `namespace/name[/more]` from the path; a name without namespace means Quay's "library". */
export function repoRefFromPath(path: string): RepoRef {
  const slash = path.indexOf("/");
  return slash < 0 ? { namespace: "library", name: path } : { namespace: path.slice(0, slash), name: path.slice(slash + 1) };
}

/**
 * `GET /api/v1/repository`. A namespace's repositories and starred ones come whole; only the
 * listing of everything visible is paged (100 per page, opaque `next_page`), as in Quay.
 */
export async function listRepositoriesHandler({ deps, c, caller }: ApiRequest): Promise<Response> {
  const namespace = c.req.query("namespace") || undefined;
  const starred = truthy(c.req.query("starred"), false);
  const includePublic = truthy(c.req.query("public"), false);
  if (!namespace && !starred && !includePublic) {
    throw invalidRequest("namespace, starred or public are required for this API call");
  }
  if (starred && isAnonymous(caller)) {
    throw new PlainError(400, { message: "The browser (or proxy) sent a request that this server could not understand." });
  }
  const now = deps.clock.now();
  const paged = !starred && !namespace;
  const startId = paged ? decodePageToken(c.req.query("next_page"), now) : undefined;
  // A token without any repo scope sees only what anyone may see.
  const principal = caller.caps.repo ? caller.principal : anonymous;
  let repos = (c.req.query("repo_kind") ?? "image") === "image"
    ? await listVisibleRepositories(deps.db, principal, {
      namespace,
      includePublic,
      starred,
      afterId: startId === undefined ? undefined : startId - 1,
      limit: paged ? PAGE_SIZE + 1 : undefined,
    })
    : [];
  let nextPage: string | undefined;
  if (paged && repos.length > PAGE_SIZE) {
    repos = repos.slice(0, PAGE_SIZE);
    nextPage = encodePageToken(repos.at(-1)!.id + 1, now);
  }
  const ids = repos.map((r) => r.id);
  const lastModified = truthy(c.req.query("last_modified"), false) ? await lastTagChange(deps.db, ids, now) : undefined;
  const popularity = truthy(c.req.query("popularity"), false)
    ? await actionTotals(deps.db, ids, new Date(now.getTime() - POPULARITY_WINDOW_MS))
    : undefined;
  const stars = isAnonymous(caller) ? undefined : await starredAmong(deps.db, caller.principal, ids);
  const body: Record<string, unknown> = {
    repositories: repos.map((repo) => {
      const extras: ListItemExtras = {};
      if (lastModified) extras.lastModified = lastModified.get(repo.id) ?? null;
      if (popularity) extras.popularity = popularity.get(repo.id) ?? 0;
      if (stars) extras.isStarred = stars.has(repo.id);
      return repositoryListItem(repo, extras);
    }),
  };
  if (nextPage) body.next_page = nextPage;
  return c.json(body);
}

const newRepository = z.object({
  repository: z.string(),
  visibility: z.enum(["public", "private"]),
  description: z.string(),
  namespace: z.string().optional(),
  repo_kind: z.enum(["image"]).nullish(),
});

/** `POST /api/v1/repository`: needs repo:create (or org:admin) and the right to create there. */
export async function createRepositoryHandler({ deps, c, caller, actor }: ApiRequest): Promise<Response> {
  const body = await jsonBody(c, newRepository);
  // Anonymous writes never get here (no CSRF token); Quay's words if one did.
  if (!caller.user) throw invalidRequest("Must provide a namespace or must be logged in.");
  const namespace = body.namespace ?? caller.user.username;
  if (caller.caps.namespace === null) throw unauthorized(false);
  const repo = await createRepository(deps.db, actor, {
    namespace,
    name: body.repository,
    visibility: body.visibility,
    description: body.description,
  });
  return c.json({ namespace: repo.namespace, name: repo.name, kind: repo.kind }, 201);
}

/** `GET /api/v1/repository/{repo}`: readable by anyone when public. */
export async function getRepositoryHandler(r: ApiRequest, ref: RepoRef): Promise<Response> {
  const { deps, c, caller } = r;
  const { repo, role } = await authorizeExistingRepository(deps, caller, ref, "read");
  const now = deps.clock.now();
  const ns = await findNamespace(deps.db, repo.namespace);
  const tags = truthy(c.req.query("includeTags"), true)
    ? await listTagViews(deps.db, repo.id, { onlyActive: true, offset: 0, limit: MAX_TAGS }, now)
    : undefined;
  const stats = truthy(c.req.query("includeStats"), false)
    ? { counts: await dailyActionCounts(deps.db, repo.id, new Date(now.getTime() - STATS_WINDOW_MS)), today: now }
    : undefined;
  return c.json(
    repositoryView(repo, {
      isOrganization: ns?.kind === "org",
      isStarred: await isStarred(deps.db, caller.principal, repo),
      tagExpirationSeconds: await tagExpirationSeconds(deps.db, repo.namespaceId),
      canWrite: roleAtLeast(role, "write") && repo.state === "NORMAL",
      canAdmin: roleAtLeast(role, "admin"),
      tags,
      stats,
      storageBytes: await repositoryStorageBytes(deps.db, repo.id),
    }),
  );
}

const repositoryUpdate = z.object({ description: z.string() });

/** `PUT /api/v1/repository/{repo}`: the description (repo:write). */
export async function updateRepositoryHandler(r: ApiRequest, ref: RepoRef): Promise<Response> {
  const { repo } = await authorizeRepository(r.deps, r.caller, ref, "write");
  const body = await jsonBody(r.c, repositoryUpdate);
  if (!repo) throw notFound();
  await setDescription(r.deps, r.actor, repo, body.description);
  return r.c.json({ success: true });
}

/** `DELETE /api/v1/repository/{repo}` (repo:admin): 204, also when it was already gone (Quay). */
export async function deleteRepositoryHandler(r: ApiRequest, ref: RepoRef): Promise<Response> {
  const { repo } = await authorizeRepository(r.deps, r.caller, ref, "admin");
  if (repo) await deleteRepository(r.deps, r.actor, repo);
  return r.c.body(null, 204);
}

const visibilityChange = z.object({ visibility: z.enum(["public", "private"]) });

/** `POST /api/v1/repository/{repo}/changevisibility` (repo:admin). */
export async function changeVisibilityHandler(r: ApiRequest, ref: RepoRef): Promise<Response> {
  const { repo } = await authorizeRepository(r.deps, r.caller, ref, "admin");
  const body = await jsonBody(r.c, visibilityChange);
  // Quay's quirk: a missing repository (the caller owns its namespace) answers 200 `null`.
  if (!repo) return r.c.json(null);
  await setVisibility(r.deps, r.actor, repo, body.visibility);
  return r.c.json({ success: true });
}

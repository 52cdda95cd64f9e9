// The caller's starred repositories: `GET/POST /api/v1/user/starred`,
// `DELETE /api/v1/user/starred/{repo}` (user:admin, as in Quay).
import { z } from "zod";
import type { UserPrincipal } from "../domain/access/principal.ts";
import { listVisibleRepositories } from "../domain/repositories/repository-listings.ts";
import { starRepository, unstarRepository } from "../domain/repositories/stars.ts";
import { isAnonymous } from "./auth.ts";
import { unauthorized } from "./errors.ts";
import { jsonBody } from "./input.ts";
import { decodePageToken, encodePageToken } from "./paging.ts";
import { repoRefFromPath } from "./repositories.ts";
import type { ApiRequest } from "./request.ts";

const PAGE_SIZE = 100;

function starringUser({ caller }: ApiRequest): UserPrincipal {
  if (caller.principal.kind !== "user" || caller.caps.user !== "admin") throw unauthorized(isAnonymous(caller));
  return caller.principal;
}

export async function listStarredHandler(r: ApiRequest): Promise<Response> {
  const user = starringUser(r);
  const now = r.deps.clock.now();
  const startId = decodePageToken(r.c.req.query("next_page"), now);
  let repos = await listVisibleRepositories(r.deps.db, user, {
    starred: true,
    includePublic: false,
    afterId: startId === undefined ? undefined : startId - 1,
    limit: PAGE_SIZE + 1,
  });
  const body: Record<string, unknown> = {};
  if (repos.length > PAGE_SIZE) {
    repos = repos.slice(0, PAGE_SIZE);
    body.next_page = encodePageToken(repos.at(-1)!.id + 1, now);
  }
  body.repositories = repos.map((repo) => ({
    namespace: repo.namespace,
    name: repo.name,
    description: repo.description,
    is_public: repo.visibility === "public",
  }));
  return r.c.json(body);
}

const starBody = z.object({ namespace: z.string(), repository: z.string() });

/** 201 with the body echoed; an unknown (or unreadable) repository answers 200 `null`, as Quay's. */
export async function starHandler(r: ApiRequest): Promise<Response> {
  const user = starringUser(r);
  const body = await jsonBody(r.c, starBody);
  const repo = await starRepository(r.deps.db, user, { namespace: body.namespace, name: body.repository });
  return repo ? r.c.json({ namespace: body.namespace, repository: body.repository }, 201) : r.c.json(null, 200);
}

export async function unstarHandler(r: ApiRequest, path: string): Promise<Response> {
  const user = starringUser(r);
  const repo = await unstarRepository(r.deps.db, user, repoRefFromPath(path));
  return repo ? r.c.body(null, 204) : r.c.json(null, 200);
}

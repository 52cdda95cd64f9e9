// Quay's search endpoints: `GET /api/v1/find/repositories` (pages of 10, at most 10 pages, with
// last_modified, stars and popularity) and `GET /api/v1/find/all` (repositories, users and
// organizations, and for signed-in callers their robots and teams, ranked by score). What a caller
// finds is decided in domain/repositories/search.ts.
import { anonymous } from "../domain/access/principal.ts";
import { actionTotals, lastTagChange } from "../domain/repositories/repository-activity.ts";
import {
  closeness,
  type NamespaceMatch,
  namespacesNamed,
  type RobotMatch,
  searchNamespaces,
  searchRepositories,
  searchRobots,
  searchTeams,
  type TeamMatch,
} from "../domain/repositories/search.ts";
import type { Repository } from "../domain/repositories/repositories.ts";
import { starCounts } from "../domain/repositories/stars.ts";
import { avatar } from "./avatar.ts";
import { unixSeconds } from "./dates.ts";
import { unauthorized } from "./errors.ts";
import { intParam } from "./input.ts";
import { POPULARITY_WINDOW_MS } from "./repositories.ts";
import type { ApiRequest } from "./request.ts";

type Json = Record<string, unknown>;

/** Quay's SEARCH_RESULTS_PER_PAGE and SEARCH_MAX_RESULT_PAGE_COUNT defaults. */
const PAGE_SIZE = 10;
const MAX_PAGES = 10;
/** find/all takes this many of each kind (Quay's limits). */
const ALL_LIMIT = 5;

/** Quay's base scores, multiplied by how close each name is to the query. */
const ENTITY_SCORE = 1;
const TEAM_SCORE = 2;
const REPOSITORY_SCORE = 4;

function namespaceView(ns: NamespaceMatch): Json {
  const org = ns.kind === "org";
  return {
    title: org ? "org" : "user",
    kind: org ? "organization" : "user",
    avatar: avatar(ns.name, ns.email, org ? "org" : "user"),
    name: ns.name,
    score: ENTITY_SCORE,
    href: `/${org ? "organization" : "user"}/${ns.name}`,
  };
}

function robotView(robot: RobotMatch, callerName: string): Json {
  const place = robot.owner === callerName ? `/user/${callerName}` : `/organization/${robot.owner}`;
  return {
    title: "robot",
    kind: "robot",
    avatar: null,
    name: robot.username,
    score: ENTITY_SCORE,
    href: `${place}?tab=robots&showRobot=${robot.username}`,
    short_name: robot.username.slice(robot.owner.length + 1),
  };
}

function teamView(team: TeamMatch): Json {
  return {
    kind: "team",
    name: team.name,
    organization: namespaceView({ name: team.organization, kind: "org", email: team.organizationEmail }),
    avatar: avatar(team.name, team.name, "team"),
    score: TEAM_SCORE,
    href: `/organization/${team.organization}/teams/${team.name}`,
  };
}

/** The namespace's kind and e-mail for each repository found (avatars need them). */
type Owners = Map<string, NamespaceMatch>;

function repositoryView(repo: Repository, owners: Owners): Json {
  const owner = owners.get(repo.namespace) ?? { name: repo.namespace, kind: "user", email: "" };
  return {
    kind: "repository",
    title: "repo",
    namespace: namespaceView(owner),
    name: repo.name,
    description: repo.description,
    is_public: repo.visibility === "public",
    score: REPOSITORY_SCORE,
    href: `/repository/${repo.namespace}/${repo.name}`,
  };
}

/** A token without any repo scope finds only what anyone may (as the repository list does). */
const searcher = ({ caller }: ApiRequest) => (caller.caps.repo ? caller.principal : anonymous);

/** `GET /api/v1/find/repositories?query=&page=`: anonymous callers find public repositories. */
export async function findRepositoriesHandler(r: ApiRequest): Promise<Response> {
  const { deps, c } = r;
  const query = c.req.query("query") ?? "";
  const page = Math.min(Math.max(1, intParam(c, "page", 1, "The page.")), MAX_PAGES);
  const offset = (page - 1) * PAGE_SIZE;
  const principal = searcher(r);
  const found = await searchRepositories(deps.db, principal, { query, offset, limit: PAGE_SIZE + 1 });
  const repos = found.slice(0, PAGE_SIZE);
  const ids = repos.map((repo) => repo.id);
  const now = deps.clock.now();
  const [owners, lastModified, stars, popularity] = await Promise.all([
    ownersOf(r, repos),
    lastTagChange(deps.db, ids, now),
    starCounts(deps.db, ids),
    actionTotals(deps.db, ids, new Date(now.getTime() - POPULARITY_WINDOW_MS)),
  ]);
  // `includeUsage` asks for quota usage, which is off here (as Quay without quota management).
  const results = repos.map((repo) => {
    const view = repositoryView(repo, owners);
    const modified = lastModified.get(repo.id);
    if (modified) view.last_modified = unixSeconds(modified);
    view.stars = stars.get(repo.id) ?? 0;
    view.popularity = popularity.get(repo.id) ?? 0;
    return view;
  });
  return c.json({ results, has_additional: found.length > PAGE_SIZE, page, page_size: PAGE_SIZE, start_index: offset });
}

/** The namespaces of the repositories found, with what their views show. */
const ownersOf = (r: ApiRequest, repos: Repository[]): Promise<Owners> =>
  namespacesNamed(r.deps.db, [...new Set(repos.map((repo) => repo.namespace))]);

/** `GET /api/v1/find/all?query=`: needs repo:read in a token; an empty query finds nothing. */
export async function findAllHandler(r: ApiRequest): Promise<Response> {
  const { deps, c, caller } = r;
  if (caller.via === "token" && caller.caps.repo === null) throw unauthorized(false);
  const query = c.req.query("query") ?? "";
  if (!query) return c.json({ results: [] });
  const principal = caller.principal;
  const [teams, robots, repos, namespaces] = await Promise.all([
    searchTeams(deps.db, principal, query, 2 * ALL_LIMIT),
    searchRobots(deps.db, principal, query, ALL_LIMIT),
    searchRepositories(deps.db, principal, { query, offset: 0, limit: ALL_LIMIT }),
    searchNamespaces(deps.db, principal, query, ALL_LIMIT),
  ]);
  const owners = await ownersOf(r, repos);
  const callerName = principal.kind === "user" ? principal.username : "";
  const results = [
    ...teams.map(teamView),
    ...robots.map((robot) => robotView(robot, callerName)),
    ...repos.map((repo) => repositoryView(repo, owners)),
    ...namespaces.map(namespaceView),
  ];
  for (const result of results) {
    const name = String(result.short_name ?? result.name);
    result.score = (result.score as number) * closeness(name, query);
  }
  results.sort((a, b) => (b.score as number) - (a.score as number));
  return c.json({ results });
}

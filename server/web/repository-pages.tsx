// Repositories in the browser: the list (with filter and paging) and one repository's page with
// its tags. Who sees what is decided by server/domain (listRepositories, roleOn); a private
// repository someone may not read answers exactly like a missing one.
import { Hono } from "hono";
import { RepositoriesPage } from "../../views/pages/repositories.tsx";
import { RepositoryPage } from "../../views/pages/repository.tsx";
import type { PagerProps } from "../../views/partials/pager.tsx";
import { REPO_TABLE_ID, RepoTable, type RepoTableProps } from "../../views/partials/repo-table.tsx";
import { savedSetting } from "../../views/partials/repository-admin.tsx";
import { TAG_TABLE_ID, TagTable, type TagTableProps } from "../../views/partials/tag-table.tsx";
import type { AppDeps } from "../deps.ts";
import { isValidNamespaceName, repositoryNameProblem } from "../domain/names.ts";
import { roleAtLeast, roleOn } from "../domain/access/permissions.ts";
import { userOrganizations } from "../domain/accounts/organizations.ts";
import { countRepositories, findRepository, isStarred, listRepositories } from "../domain/repositories/repositories.ts";
import { countTagViews, listTagViews, pullTagName } from "../domain/content/tags.ts";
import { serviceName } from "../registry/deps.ts";
import type { FirstRun } from "./first-run.ts";
import { chrome, fragment, notFoundPage, page, wantsFragment } from "./render.tsx";
import type { WebContext, WebEnv } from "./session.ts";

const PAGE_SIZE = 25;
/** Deeper pages are refused (offsets that far are slow, and nobody pages that far by hand). */
const MAX_PAGE = 100_000;

/** The host[:port] registry clients use: the public URL's, else the one this request came to. */
export const registryHost = (deps: AppDeps, c: WebContext) => serviceName(deps.config, new URL(c.req.url));

function hrefWith(path: string, filter: string, pageNumber: number): string {
  const params = new URLSearchParams();
  if (filter) params.set("filter", filter);
  if (pageNumber > 1) params.set("page", String(pageNumber));
  const query = params.toString();
  return query ? `${path}?${query}` : path;
}

/** `page=` as a page number; null when it is not one (a hand-edited address). */
function pageParam(raw: string | undefined): number | null {
  if (raw === undefined) return 1;
  const page = /^[1-9][0-9]{0,5}$/.test(raw) ? Number(raw) : MAX_PAGE + 1;
  return page <= MAX_PAGE ? page : null;
}

interface Listing<Row> {
  filter: string;
  rows: Row[];
  pager: PagerProps | null;
}

/**
 * One page of the filtered list at `path` (the filter text is kept whatever its length: a long one
 * simply matches nothing), or where to send the browser instead: page 1 when `page=` is not a
 * page number or lies past the end (the list shrank). htmx follows the redirect and shows the
 * corrected address.
 */
export async function listing<Row>(
  c: WebContext,
  path: string,
  target: string,
  load: (nameContains: string | undefined, window: { offset: number; limit: number }) => Promise<[Row[], number]>,
): Promise<Listing<Row> | { redirect: string }> {
  const filter = (c.req.query("filter") ?? "").trim();
  const pageNumber = pageParam(c.req.query("page"));
  const href = (page: number) => hrefWith(path, filter, page);
  if (pageNumber === null) return { redirect: href(1) };
  const first = (pageNumber - 1) * PAGE_SIZE + 1;
  const [rows, total] = await load(filter || undefined, { offset: first - 1, limit: PAGE_SIZE });
  if (rows.length === 0 && pageNumber > 1) return { redirect: href(1) };
  const last = first + rows.length - 1;
  // No pager when everything fits on the first page.
  const pager =
    pageNumber === 1 && total <= PAGE_SIZE
      ? null
      : {
          first,
          last,
          total,
          prevHref: pageNumber > 1 ? href(pageNumber - 1) : null,
          nextHref: last < total ? href(pageNumber + 1) : null,
          target,
        };
  return { filter, rows, pager };
}

export function repositoryPages(deps: AppDeps, firstRun: FirstRun): Hono<WebEnv> {
  const app = new Hono<WebEnv>();

  const list = async (c: WebContext) => {
    if (!c.get("session") && (await firstRun.needed())) return c.redirect("/setup", 302);
    const principal = c.get("principal");
    const list = await listing(c, "/repositories", REPO_TABLE_ID, (nameContains, window) =>
      Promise.all([
        listRepositories(deps.db, principal, { nameContains, ...window }),
        countRepositories(deps.db, principal, { nameContains }),
      ]),
    );
    if ("redirect" in list) return c.redirect(list.redirect, 302);
    const session = c.get("session");
    const table: RepoTableProps = {
      ...list,
      viewer: session ? { username: session.user.username } : null,
      registryHost: registryHost(deps, c),
      now: deps.clock.now(),
    };
    c.header("Vary", "HX-Request, HX-Target");
    if (wantsFragment(c, REPO_TABLE_ID)) return fragment(c, <RepoTable {...table} />);
    const organizations = session ? (await userOrganizations(deps.db, session.user.id)).map((o) => o.name) : [];
    return page(c, <RepositoriesPage chrome={await chrome(deps, c)} table={table} organizations={organizations} />);
  };

  app.get("/", list);
  app.get("/repositories", list);

  app.get("/repository/:namespace/:name{.+}", async (c) => {
    const namespace = c.req.param("namespace");
    const name = c.req.param("name");
    if (!isValidNamespaceName(namespace) || repositoryNameProblem(name)) return notFoundPage(deps, c);
    const repo = await findRepository(deps.db, { namespace, name });
    if (!repo || repo.state === "MARKED_FOR_DELETION") return notFoundPage(deps, c);
    const role = await roleOn(deps.db, c.get("principal"), repo);
    if (role === null) return notFoundPage(deps, c);

    const pageHref = `/repository/${repo.namespace}/${repo.name}`;
    const list = await listing(c, pageHref, TAG_TABLE_ID, (nameContains, window) =>
      Promise.all([
        listTagViews(deps.db, repo.id, { onlyActive: true, nameContains, ...window }, deps.clock.now()),
        countTagViews(deps.db, repo.id, { onlyActive: true, nameContains }, deps.clock.now()),
      ]),
    );
    if ("redirect" in list) return c.redirect(list.redirect, 302);
    const tags: TagTableProps = {
      rows: list.rows.map((t) => ({
        name: t.name,
        manifestDigest: t.manifestDigest,
        size: t.size,
        isIndex: t.isIndex,
        lastModified: t.lifetimeStart,
      })),
      filter: list.filter,
      pager: list.pager,
      pageHref,
      now: deps.clock.now(),
    };
    c.header("Vary", "HX-Request, HX-Target");
    if (wantsFragment(c, TAG_TABLE_ID)) return fragment(c, <TagTable {...tags} />);
    // Independent of the table's page and filter: the repository's own "latest" or newest tag.
    const pullTag = await pullTagName(deps.db, repo.id, deps.clock.now());
    const principal = c.get("principal");
    const starred = principal.kind === "user" ? await isStarred(deps.db, principal, repo) : null;
    return page(
      c,
      <RepositoryPage chrome={await chrome(deps, c)} repo={repo} registryHost={registryHost(deps, c)} pullTag={pullTag} tags={tags} starred={starred} admin={roleAtLeast(role, "admin")} writer={roleAtLeast(role, "write")} saved={savedSetting(c.req.query("saved"))} />,
    );
  });

  return app;
}

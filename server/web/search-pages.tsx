// Finding things in the browser: the landing page signed-out visitors get at `/`, the search
// results page and the masthead box's suggestions (`/search?q=`, one URL: the partial when htmx
// asks for it), Explore (public repositories) and a user's namespace page. Who sees what is the
// domain's (search.ts, listRepositories).
import { Hono } from "hono";
import { ExploreEmpty, ExplorePage } from "../../views/pages/explore.tsx";
import { LandingPage } from "../../views/pages/landing.tsx";
import { SearchPage } from "../../views/pages/search.tsx";
import { UserPage, UserReposEmpty } from "../../views/pages/user.tsx";
import type { PagerProps } from "../../views/partials/pager.tsx";
import { REPO_TABLE_ID, RepoTable, type RepoTableProps } from "../../views/partials/repo-table.tsx";
import { SearchSuggestions, SUGGESTIONS_ID } from "../../views/partials/search-box.tsx";
import type { AppDeps } from "../deps.ts";
import { namespaceStorageBytes } from "../domain/content/storage-usage.ts";
import { findNamespace } from "../domain/accounts/namespaces.ts";
import { countRepositories, listRepositories } from "../domain/repositories/repositories.ts";
import { countRepositoryMatches, searchNamespaces, searchRepositories } from "../domain/repositories/search.ts";
import type { FirstRun } from "./first-run.ts";
import { chrome, fragment, notFoundPage, page, wantsFragment } from "./render.tsx";
import { listing, registryHost } from "./repository-pages.tsx";
import type { WebContext, WebEnv } from "./session.ts";

/** What the masthead suggests of each kind. */
const SUGGESTED = 5;
/** Users and organizations the results page lists. */
const NAMESPACES_SHOWN = 20;
const PAGE_SIZE = 25;
/** Search pages further than this are not offered (Quay stops at 10 pages of 10). */
const MAX_PAGE = 40;

export function searchPages(deps: AppDeps, firstRun: FirstRun): Hono<WebEnv> {
  const app = new Hono<WebEnv>();

  const tableOf = (c: WebContext, rows: RepoTableProps["rows"], filter: string, pager: PagerProps | null): RepoTableProps => {
    const session = c.get("session");
    return {
      rows,
      filter,
      pager,
      viewer: session ? { username: session.user.username } : null,
      registryHost: registryHost(deps, c),
      now: deps.clock.now(),
    };
  };

  // Signed-in users keep their repository list at `/` (repository-pages.tsx); a fresh instance
  // still sends everyone to set it up first.
  app.get("/", async (c, next) => {
    if (c.get("session")) return next();
    if (await firstRun.needed()) return c.redirect("/setup", 302);
    return page(c, <LandingPage chrome={await chrome(deps, c)} />);
  });

  app.get("/search", async (c) => {
    const query = (c.req.query("q") ?? "").trim();
    const principal = c.get("principal");
    c.header("Vary", "HX-Request, HX-Target");
    if (wantsFragment(c, SUGGESTIONS_ID)) {
      const [repositories, namespaces] = query
        ? await Promise.all([
            searchRepositories(deps.db, principal, { query, offset: 0, limit: SUGGESTED }),
            searchNamespaces(deps.db, principal, query, SUGGESTED),
          ])
        : [[], []];
      return fragment(c, <SearchSuggestions query={query} repositories={repositories} namespaces={namespaces} />);
    }
    const rawPage = c.req.query("page") ?? "1";
    const pageNumber = /^[1-9][0-9]?$/.test(rawPage) ? Number(rawPage) : 0;
    const href = (n: number) => `/search?${new URLSearchParams(n > 1 ? { q: query, page: String(n) } : { q: query })}`;
    if (pageNumber < 1 || pageNumber > MAX_PAGE) return c.redirect(href(1), 302);
    const first = (pageNumber - 1) * PAGE_SIZE + 1;
    const [rows, total, namespaces] = query
      ? await Promise.all([
          searchRepositories(deps.db, principal, { query, offset: first - 1, limit: PAGE_SIZE }),
          countRepositoryMatches(deps.db, principal, query),
          searchNamespaces(deps.db, principal, query, NAMESPACES_SHOWN),
        ])
      : [[], 0, []];
    if (rows.length === 0 && pageNumber > 1) return c.redirect(href(1), 302);
    const last = first + rows.length - 1;
    const pager: PagerProps | null =
      total <= PAGE_SIZE
        ? null
        : {
            first,
            last,
            total,
            prevHref: pageNumber > 1 ? href(pageNumber - 1) : null,
            nextHref: last < total && pageNumber < MAX_PAGE ? href(pageNumber + 1) : null,
            target: REPO_TABLE_ID,
          };
    const table = tableOf(c, rows, query, pager);
    if (wantsFragment(c, REPO_TABLE_ID)) return fragment(c, <RepoTable {...table} />);
    return page(c, <SearchPage chrome={await chrome(deps, c)} query={query} table={table} namespaces={namespaces} />);
  });

  app.get("/explore", async (c) => {
    const principal = c.get("principal");
    const list = await listing(c, "/explore", REPO_TABLE_ID, (nameContains, window) =>
      Promise.all([
        listRepositories(deps.db, principal, { publicOnly: true, nameContains, ...window }),
        countRepositories(deps.db, principal, { publicOnly: true, nameContains }),
      ]),
    );
    if ("redirect" in list) return c.redirect(list.redirect, 302);
    const table = { ...tableOf(c, list.rows, list.filter, list.pager), empty: <ExploreEmpty filter={list.filter} /> };
    c.header("Vary", "HX-Request, HX-Target");
    if (wantsFragment(c, REPO_TABLE_ID)) return fragment(c, <RepoTable {...table} />);
    return page(c, <ExplorePage chrome={await chrome(deps, c)} table={table} />);
  });

  app.get("/user/:name", async (c) => {
    const ns = await findNamespace(deps.db, c.req.param("name"));
    if (!ns || ns.kind !== "user") return notFoundPage(deps, c);
    const principal = c.get("principal");
    const path = `/user/${ns.name}`;
    const list = await listing(c, path, REPO_TABLE_ID, (nameContains, window) =>
      Promise.all([
        listRepositories(deps.db, principal, { namespace: ns.name, nameContains, ...window }),
        countRepositories(deps.db, principal, { namespace: ns.name, nameContains }),
      ]),
    );
    if ("redirect" in list) return c.redirect(list.redirect, 302);
    const self = principal.kind === "user" && principal.namespaceId === ns.id;
    const table = {
      ...tableOf(c, list.rows, list.filter, list.pager),
      empty: <UserReposEmpty name={ns.name} self={self} registryHost={registryHost(deps, c)} />,
    };
    c.header("Vary", "HX-Request, HX-Target");
    if (wantsFragment(c, REPO_TABLE_ID)) return fragment(c, <RepoTable {...table} />);
    const storageBytes = self ? await namespaceStorageBytes(deps.db, ns.id) : undefined;
    return page(c, <UserPage chrome={await chrome(deps, c)} name={ns.name} table={table} storageBytes={storageBytes} />);
  });

  return app;
}

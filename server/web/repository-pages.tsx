// Repositories in the browser: the list (with filter and paging) and one repository's page with
// its tags. Who sees what is decided by server/domain (listRepositories, roleOn); a private
// repository someone may not read answers exactly like a missing one.
import { Hono } from "hono";
import { z } from "zod";
import { RepositoriesPage } from "../../views/pages/repositories.tsx";
import { RepositoryPage } from "../../views/pages/repository.tsx";
import type { PagerProps } from "../../views/partials/pager.tsx";
import { REPO_TABLE_ID, RepoTable, type RepoTableProps } from "../../views/partials/repo-table.tsx";
import { TAG_TABLE_ID, TagTable, type TagTableProps } from "../../views/partials/tag-table.tsx";
import type { AppDeps } from "../deps.ts";
import { isValidNamespaceName, repositoryNameProblem } from "../domain/names.ts";
import { roleOn } from "../domain/permissions.ts";
import { findRepository, listRepositories } from "../domain/repositories.ts";
import { listTagViews } from "../domain/tags.ts";
import { serviceName } from "../registry/deps.ts";
import type { FirstRun } from "./first-run.ts";
import { chrome, fragment, notFoundPage, page, wantsFragment } from "./render.tsx";
import type { WebContext, WebEnv } from "./session.ts";

const PAGE_SIZE = 25;

const listQuery = z.object({
  filter: z.string().trim().max(255).catch(""),
  page: z.coerce.number().int().min(1).max(100_000).catch(1),
});

/** The host[:port] registry clients use: the public URL's, else the one this request came to. */
const registryHost = (deps: AppDeps, c: WebContext) => serviceName(deps.config, new URL(c.req.url));

/**
 * Fetches one page plus one extra row (to know whether a next page exists) and builds the pager;
 * no pager when everything fits on the first page.
 */
function paged<T>(rows: T[], pageNumber: number, hrefFor: (page: number) => string, target: string) {
  const hasNext = rows.length > PAGE_SIZE;
  const shown = rows.slice(0, PAGE_SIZE);
  const first = (pageNumber - 1) * PAGE_SIZE + 1;
  const pager: PagerProps | null =
    pageNumber > 1 || hasNext
      ? {
          first,
          last: first + shown.length - 1,
          prevHref: pageNumber > 1 ? hrefFor(pageNumber - 1) : null,
          nextHref: hasNext ? hrefFor(pageNumber + 1) : null,
          target,
        }
      : null;
  return { shown, pager };
}

function hrefWith(path: string, filter: string, pageNumber: number): string {
  const params = new URLSearchParams();
  if (filter) params.set("filter", filter);
  if (pageNumber > 1) params.set("page", String(pageNumber));
  const query = params.toString();
  return query ? `${path}?${query}` : path;
}

export function repositoryPages(deps: AppDeps, firstRun: FirstRun): Hono<WebEnv> {
  const app = new Hono<WebEnv>();

  const list = async (c: WebContext) => {
    if (!c.get("session") && (await firstRun.needed())) return c.redirect("/setup", 302);
    const { filter, page: pageNumber } = listQuery.parse(c.req.query());
    const rows = await listRepositories(deps.db, c.get("principal"), {
      nameContains: filter || undefined,
      offset: (pageNumber - 1) * PAGE_SIZE,
      limit: PAGE_SIZE + 1,
    });
    // Past the end (the list shrank, or a hand-edited URL): start over rather than claim it is empty.
    if (rows.length === 0 && pageNumber > 1) return c.redirect(hrefWith("/repositories", filter, 1), 302);
    const { shown, pager } = paged(rows, pageNumber, (p) => hrefWith("/repositories", filter, p), REPO_TABLE_ID);
    const session = c.get("session");
    const table: RepoTableProps = {
      rows: shown,
      filter,
      pager,
      viewer: session ? { username: session.user.username } : null,
      registryHost: registryHost(deps, c),
      now: deps.clock.now(),
    };
    c.header("Vary", "HX-Request, HX-Target");
    if (wantsFragment(c, REPO_TABLE_ID)) return fragment(c, <RepoTable {...table} />);
    return page(c, <RepositoriesPage chrome={await chrome(deps, c)} table={table} />);
  };

  app.get("/", list);
  app.get("/repositories", list);

  app.get("/repository/:namespace/:name{.+}", async (c) => {
    const namespace = c.req.param("namespace");
    const name = c.req.param("name");
    if (!isValidNamespaceName(namespace) || repositoryNameProblem(name)) return notFoundPage(deps, c);
    const repo = await findRepository(deps.db, { namespace, name });
    if (!repo || repo.state === "MARKED_FOR_DELETION") return notFoundPage(deps, c);
    if ((await roleOn(deps.db, c.get("principal"), repo)) === null) return notFoundPage(deps, c);

    const { filter, page: pageNumber } = listQuery.parse(c.req.query());
    const pageHref = `/repository/${repo.namespace}/${repo.name}`;
    const rows = await listTagViews(deps.db, repo.id, {
      onlyActive: true,
      nameContains: filter || undefined,
      offset: (pageNumber - 1) * PAGE_SIZE,
      limit: PAGE_SIZE + 1,
    });
    if (rows.length === 0 && pageNumber > 1) return c.redirect(hrefWith(pageHref, filter, 1), 302);
    const { shown, pager } = paged(rows, pageNumber, (p) => hrefWith(pageHref, filter, p), TAG_TABLE_ID);
    const imageRef = `${registryHost(deps, c)}/${repo.namespace}/${repo.name}`;
    const tags: TagTableProps = {
      rows: shown.map((t) => ({
        name: t.name,
        manifestDigest: t.manifestDigest,
        size: t.size,
        isIndex: t.isIndex,
        lastModified: t.lifetimeStart,
      })),
      filter,
      pager,
      pageHref,
      imageRef,
      now: deps.clock.now(),
    };
    c.header("Vary", "HX-Request, HX-Target");
    if (wantsFragment(c, TAG_TABLE_ID)) return fragment(c, <TagTable {...tags} />);
    // Newest tag first, so the command pulls what was pushed last.
    const pullCommand = `podman pull ${imageRef}:${shown[0]?.name ?? "latest"}`;
    return page(c, <RepositoryPage chrome={await chrome(deps, c)} repo={repo} pullCommand={pullCommand} tags={tags} />);
  });

  return app;
}

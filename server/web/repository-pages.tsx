// Repositories in the browser: the list (with filter and paging) and one repository's page with
// its tabs (Information, Tags, Tag history, Usage logs, Settings). Who sees what is decided by server/domain
// (listRepositories, roleOn); a private repository someone may not read answers exactly like a
// missing one.
import { Hono } from "hono";
import type { Child } from "hono/jsx";
import { RepositoriesPage } from "../../views/pages/repositories.tsx";
import { InfoTab, RepositoryFrame, type RepositoryTab, TagsTab } from "../../views/pages/repository.tsx";
import type { PagerProps } from "../../views/partials/pager.tsx";
import { REPO_TABLE_ID, RepoTable, type RepoTableProps } from "../../views/partials/repo-table.tsx";
import { RepositoryAdmin, savedSetting } from "../../views/partials/repository-admin.tsx";
import {
  TAG_TABLE_ID,
  TAGS_TAB_ID,
  PullCommands,
  pullCommandsId,
  TagGroup,
  type TagListState,
  type TagRow,
  TagTable,
  type TagTableProps,
  type TagTableView,
  tagGroupId,
  tagsTabHref,
} from "../../views/partials/tag-table.tsx";
import { TAG_HISTORY_ID, TagHistory } from "../../views/partials/tag-history.tsx";
import { UsageLogs } from "../../views/partials/usage-logs.tsx";
import type { AppDeps } from "../deps.ts";
import { isValidNamespaceName, repositoryNameProblem } from "../domain/names.ts";
import { type Role, roleAtLeast, roleOn } from "../domain/access/permissions.ts";
import { userOrganizations } from "../domain/accounts/organizations.ts";
import { countRepositories, findRepository, isStarred, listRepositories, type Repository } from "../domain/repositories/repositories.ts";
import { labelsOf } from "../domain/content/labels.ts";
import { repositoryStorageBytes } from "../domain/content/storage-usage.ts";
import {
  childManifests,
  countLiveTags,
  formatTagPosition,
  liveTagItem,
  liveTagPage,
  parseTagPosition,
  type TagListItem,
  type TagPosition,
} from "../domain/content/tag-listings.ts";
import { pullTagName } from "../domain/content/tags.ts";
import { lastPulledByTag } from "../domain/activity/pull-statistics.ts";
import { scanSummaries } from "../domain/scanning/reports.ts";
import { mirrorSource } from "../domain/mirroring/repository-mirrors.ts";
import { serviceName } from "../registry/deps.ts";
import type { FirstRun } from "./first-run.ts";
import { chrome, fragment, notFoundPage, page, wantsFragment } from "./render.tsx";
import type { WebContext, WebEnv } from "./session.ts";
import { assetUrl } from "./static.ts";
import { type UsageLogPlace, usageLogExport, usageLogView } from "./usage-logs.tsx";
import { loadTagHistory } from "./tag-pages.tsx";

const PAGE_SIZE = 25;
const TAG_PAGE_SIZE = 25;
/** The Tags tab counts matching tags this far and no further ("more than 10 000"). */
const TAG_COUNT_CAP = 10_001;
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

  // Quay shows a repository's usage logs to its admins; its settings to those who may change any.
  const tabsFor = (role: Role): RepositoryTab[] => [
    "info",
    "tags",
    "history",
    ...(roleAtLeast(role, "admin") ? (["logs"] as const) : []),
    ...(roleAtLeast(role, "write") ? (["settings"] as const) : []),
  ];

  /** A page of the repository: its frame (heading, star, tabs) around one tab's content. */
  async function framed(c: WebContext, repo: Repository, role: Role, tab: RepositoryTab, children: Child, status: 200 | 400 = 200) {
    const principal = c.get("principal");
    const starred = principal.kind === "user" ? await isStarred(deps.db, principal, repo) : null;
    const copyScript = await assetUrl("copy-text.js");
    const mirrorOf = repo.state === "MIRROR" ? await mirrorSource(deps.db, repo.id) : undefined;
    const frame = (
      <RepositoryFrame chrome={await chrome(deps, c)} repo={repo} starred={starred} tab={tab} tabs={tabsFor(role)} copyScript={copyScript} mirrorOf={mirrorOf}>
        {children}
      </RepositoryFrame>
    );
    return page(c, frame, status);
  }

  /** The repository in the path and the viewer's role on it, or null when the viewer may not see it. */
  async function viewed(c: WebContext): Promise<{ repo: Repository; role: Role } | null> {
    const namespace = c.req.param("namespace")!;
    const name = c.req.param("name")!;
    if (!isValidNamespaceName(namespace) || repositoryNameProblem(name)) return null;
    const repo = await findRepository(deps.db, { namespace, name });
    if (!repo || repo.state === "MARKED_FOR_DELETION") return null;
    const role = await roleOn(deps.db, c.get("principal"), repo);
    return role === null ? null : { repo, role };
  }

  app.get("/repository/:namespace/:name{[^:]+}", async (c) => {
    const found = await viewed(c);
    if (!found) return notFoundPage(deps, c);
    const { repo, role } = found;

    const admin = roleAtLeast(role, "admin");
    const writer = roleAtLeast(role, "write");
    const tab = (c.req.query("tab") ?? "info") as RepositoryTab;
    if (!tabsFor(role).includes(tab)) return notFoundPage(deps, c);
    c.header("Vary", "HX-Request, HX-Target");
    const inFrame = (children: Child) => framed(c, repo, role, tab, children);

    if (tab === "tags") return tagsTab(c, repo, writer, inFrame);
    if (tab === "logs") {
      const view = await usageLogView(deps, c, logPlace(repo));
      return view instanceof Response ? view : inFrame(<UsageLogs {...view} />);
    }
    if (tab === "history") {
      // loadTagHistory keeps the page number within the history's pages.
      const history = await loadTagHistory(deps, repo, pageParam(c.req.query("page")) ?? 1);
      const panel = <TagHistory {...history} canWrite={writer} csrfToken={c.get("session")?.csrfToken ?? null} />;
      return wantsFragment(c, TAG_HISTORY_ID) ? fragment(c, panel) : inFrame(panel);
    }
    if (tab === "settings") {
      const csrfToken = c.get("session")?.csrfToken;
      if (!csrfToken) return notFoundPage(deps, c);
      return inFrame(<RepositoryAdmin repo={repo} csrfToken={csrfToken} saved={savedSetting(c.req.query("saved"))} admin={admin} />);
    }
    // Independent of any tag list: the repository's own "latest" or newest tag.
    const now = deps.clock.now();
    const [pullTag, storageBytes] = await Promise.all([pullTagName(deps.db, repo.id, now), repositoryStorageBytes(deps.db, repo.id)]);
    return inFrame(<InfoTab repo={repo} registryHost={registryHost(deps, c)} pullTag={pullTag} storageBytes={storageBytes} />);
  });

  /** The Tags tab, its table, its view (toolbar and table) or one tag's row group, as htmx asks. */
  async function tagsTab(c: WebContext, repo: Repository, writer: boolean, inFrame: (children: Child) => Promise<Response>) {
    const pageHref = `/repository/${repo.namespace}/${repo.name}`;
    const state: TagListState = {
      filter: (c.req.query("filter") ?? "").trim(),
      view: c.req.query("view") === "expanded" ? "expanded" : "compact",
      after: c.req.query("after"),
      before: c.req.query("before"),
    };
    const after = state.after === undefined ? undefined : parseTagPosition(state.after);
    const before = state.before === undefined ? undefined : parseTagPosition(state.before);
    const firstPage = tagsTabHref(pageHref, { filter: state.filter, view: state.view });
    if (after === null || before === null) return c.redirect(firstPage, 302);
    const now = deps.clock.now();
    const expand = c.req.query("expand");
    const table = (rows: TagRow[], page?: { newer: TagPosition | null; older: TagPosition | null; total: number }): TagTableProps => ({
      rows,
      state,
      newer: page?.newer ? formatTagPosition(page.newer) : null,
      older: page?.older ? formatTagPosition(page.older) : null,
      total: page?.total ?? rows.length,
      totalCap: TAG_COUNT_CAP,
      pageHref,
      repoPath: `${repo.namespace}/${repo.name}`,
      registryHost: registryHost(deps, c),
      writer,
      now,
    });

    // One tag's pull commands, the first time its "Fetch tag" opens.
    const fetch = c.req.query("fetch");
    if (fetch !== undefined && wantsFragment(c, pullCommandsId(fetch))) {
      const item = await liveTagItem(deps.db, repo.id, now, fetch);
      if (!item) return notFoundPage(deps, c);
      return fragment(c, <PullCommands tag={item} image={`${registryHost(deps, c)}/${repo.namespace}/${repo.name}`} />);
    }
    // One row group, opened (`expand`) or closed (`row`).
    const group = expand ?? c.req.query("row");
    if (group !== undefined && wantsFragment(c, tagGroupId(group))) {
      const item = await liveTagItem(deps.db, repo.id, now, group);
      if (!item) return notFoundPage(deps, c);
      const [row] = await tagRows(repo.id, [item], state.view, { expand });
      return fragment(c, <TagGroup tag={row!} props={table([row!])} />);
    }

    const request = { now, nameContains: state.filter || undefined };
    const [found, total] = await Promise.all([
      liveTagPage(deps.db, repo.id, { ...request, after, before, limit: TAG_PAGE_SIZE }),
      countLiveTags(deps.db, repo.id, request, TAG_COUNT_CAP),
    ]);
    // A page past either end (its tags went since): back to the first.
    if (found.rows.length === 0 && (after || before)) return c.redirect(firstPage, 302);
    const tags = table(await tagRows(repo.id, found.rows, state.view, { expand, fetch }), { ...found, total });
    if (wantsFragment(c, TAG_TABLE_ID)) return fragment(c, <TagTable {...tags} />);
    if (wantsFragment(c, TAGS_TAB_ID)) return fragment(c, <TagsTab tags={tags} />);
    return inFrame(<TagsTab tags={tags} />);
  }

  /**
   * Rows as the table shows them: when each was last pulled, its scan summary, the opened tag's
   * child manifests, the pull commands asked for, and labels in the expanded view.
   */
  async function tagRows(repositoryId: number, items: TagListItem[], view: TagTableView, open: { expand?: string; fetch?: string }): Promise<TagRow[]> {
    const { expand } = open;
    const opened = items.find((t) => t.name === expand && t.isIndex);
    const [children, labels, lastPulled, scans] = await Promise.all([
      opened ? childManifests(deps.db, repositoryId, opened.manifestDigest) : null,
      view === "expanded" ? labelsOf(deps.db, items.map((t) => t.manifestId)) : null,
      lastPulledByTag(deps.db, repositoryId, items.map((t) => t.name)),
      deps.config.features.securityScanner ? scanSummaries(deps.db, items.filter((t) => !t.isIndex).map((t) => t.manifestDigest)) : null,
    ]);
    return items.map((t) => ({
      name: t.name,
      manifestDigest: t.manifestDigest,
      size: t.size,
      isIndex: t.isIndex,
      lastModified: t.lastModified,
      lastPulled: lastPulled.get(t.name) ?? null,
      expiresAt: t.expiresAt,
      scan: scans?.get(t.manifestDigest) ?? null,
      ...(t === opened ? { children: children ?? [] } : {}),
      ...(t.name === open.fetch ? { pullCommands: true } : {}),
      ...(labels ? { labels: labels.get(t.manifestId) ?? [] } : {}),
    }));
  }

  /** The Usage logs tab's log: the repository's, under its page's address. */
  const logPlace = (repo: Repository): UsageLogPlace => ({
    scope: { repositoryId: repo.id },
    action: `/repository/${repo.namespace}/${repo.name}`,
    params: { tab: "logs" },
    subject: "this repository",
    namespace: { id: repo.namespaceId, name: repo.namespace },
    repositoryName: repo.name,
  });

  // The Usage logs tab's "Export logs" form (the tab's admins only, as the tab).
  app.post("/repository/:namespace/:name{[^:]+}", async (c) => {
    const found = await viewed(c);
    if (!found || !roleAtLeast(found.role, "admin") || c.req.query("tab") !== "logs") return notFoundPage(deps, c);
    const { repo, role } = found;
    return usageLogExport(deps, c, logPlace(repo), (view, status) => framed(c, repo, role, "logs", <UsageLogs {...view} />, status));
  });

  return app;
}

// An image's Security and Packages pages (`?tab=security|packages` on its manifest page): the
// scan's state, counts by severity and a filtered, paged table of vulnerabilities; the packages
// with their summaries. The layer column names the Dockerfile instruction that made each layer,
// from the image config's history. htmx asks for the table alone when filtering or paging.
import { manifestHref } from "../../views/pages/manifest.tsx";
import { PACKAGE_TABLE_ID, PackagesPage, PackageTable, type PackageTableProps } from "../../views/pages/manifest-packages.tsx";
import {
  type IntroducingLayer,
  type ScanStateView,
  SecurityPage,
  VULNERABILITY_TABLE_ID,
  VulnerabilityTable,
  type VulnerabilityTableProps,
} from "../../views/pages/manifest-security.tsx";
import type { PagerProps } from "../../views/partials/pager.tsx";
import type { AppDeps } from "../deps.ts";
import { manifestDetails } from "../domain/content/manifest-details.ts";
import { repoPath } from "../domain/names.ts";
import type { Repository } from "../domain/repositories/repositories.ts";
import { packagePage, scanState, scanSummary, vulnerabilityPage } from "../domain/scanning/reports.ts";
import { chrome, fragment, notFoundPage, page, wantsFragment } from "./render.tsx";
import type { WebContext } from "./session.ts";

export type ScanTab = "security" | "packages";

const PAGE_SIZE = 50;
/** Deeper pages are refused (nobody pages that far by hand). */
const MAX_PAGE = 10_000;

/** `page=` as a page number; null when it is not one. */
function pageNumber(raw: string | undefined): number | null {
  if (raw === undefined) return 1;
  const n = /^[1-9][0-9]{0,4}$/.test(raw) ? Number(raw) : MAX_PAGE + 1;
  return n <= MAX_PAGE ? n : null;
}

/** Previous/next links for page `n` of `total` rows, keeping the list's other parameters. */
function pagerFor(n: number, shown: number, total: number, href: (n: number) => string, target: string): PagerProps | null {
  if (n === 1 && total <= PAGE_SIZE) return null;
  const first = (n - 1) * PAGE_SIZE + 1;
  const last = first + shown - 1;
  return { first, last, total, prevHref: n > 1 ? href(n - 1) : null, nextHref: last < total ? href(n + 1) : null, target };
}

export async function scanTab(deps: AppDeps, c: WebContext, repo: Repository, digest: string, tab: ScanTab): Promise<Response> {
  const details = await manifestDetails(deps, repo.id, digest);
  if (!details) return notFoundPage(deps, c);
  const path = repoPath(repo);
  const layers = new Map<number, string | null>(details.steps.flatMap((s) => (s.layer ? [[s.layer.index, s.instruction] as const] : [])));
  const layerOf = (index: number, layerDigest: string): IntroducingLayer => ({ number: index + 1, digest: layerDigest, instruction: layers.get(index) ?? null });
  const stored = await scanState(deps.db, digest);
  const distribution = stored.distribution ? (stored.distribution.prettyName ?? `${stored.distribution.id} ${stored.distribution.versionId}`) : null;
  const state: ScanStateView = { enabled: deps.config.features.securityScanner, status: stored.status, error: stored.error, distribution };
  const scanned = state.enabled && state.status === "scanned";

  const filter = (c.req.query("filter") ?? "").trim();
  const n = pageNumber(c.req.query("page"));
  const onlyFixable = tab === "security" && c.req.query("fixable") === "1";
  const href = (n: number) => {
    const params = new URLSearchParams({ tab });
    if (filter) params.set("filter", filter);
    if (onlyFixable) params.set("fixable", "1");
    if (n > 1) params.set("page", String(n));
    return `${manifestHref(path, digest)}?${params}`;
  };
  if (n === null) return c.redirect(href(1), 302);
  const window = { offset: (n - 1) * PAGE_SIZE, limit: PAGE_SIZE };
  c.header("Vary", "HX-Request, HX-Target");

  if (tab === "packages") {
    const found = scanned ? await packagePage(deps.db, digest, { filter, ...window }) : { rows: [], total: 0 };
    // A page past the end (a hand-edited address, or a narrower filter): the first.
    if (found.rows.length === 0 && n > 1) return c.redirect(href(1), 302);
    const table: PackageTableProps = {
      rows: found.rows.map((p) => ({ ...p, layer: layerOf(p.layerIndex, p.layerDigest) })),
      filter,
      pager: pagerFor(n, found.rows.length, found.total, href, PACKAGE_TABLE_ID),
      clearHref: `${manifestHref(path, digest)}?tab=packages`,
    };
    if (wantsFragment(c, PACKAGE_TABLE_ID)) return fragment(c, <PackageTable {...table} />);
    return page(c, <PackagesPage chrome={await chrome(deps, c)} path={path} digest={digest} state={state} table={table} />);
  }

  const [counts, found] = scanned
    ? await Promise.all([scanSummary(deps.db, digest), vulnerabilityPage(deps.db, digest, { filter, onlyFixable, ...window })])
    : [await scanSummary(deps.db, digest), { rows: [], total: 0 }];
  if (found.rows.length === 0 && n > 1) return c.redirect(href(1), 302);
  const table: VulnerabilityTableProps = {
    rows: found.rows.map((v) => ({ ...v, layer: layerOf(v.layerIndex, v.layerDigest) })),
    filter,
    onlyFixable,
    pager: pagerFor(n, found.rows.length, found.total, href, VULNERABILITY_TABLE_ID),
    clearHref: `${manifestHref(path, digest)}?tab=security`,
  };
  if (wantsFragment(c, VULNERABILITY_TABLE_ID)) return fragment(c, <VulnerabilityTable {...table} />);
  return page(c, <SecurityPage chrome={await chrome(deps, c)} path={path} digest={digest} state={state} counts={counts} table={table} />);
}

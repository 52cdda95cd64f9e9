// What a usage-log view shows (repository, organization or user): the days asked for (the last 7
// by default, at most MAX_DAYS), the text filter, one page of entries from a position and the
// chart's counts, all read through the one query module (domain/activity/logs.ts).
import { utcDays } from "../../views/partials/log-chart.tsx";
import { USAGE_LOG_TABLE_ID, UsageLogTable } from "../../views/partials/usage-log-table.tsx";
import {
  type LogExportForm,
  USAGE_LOG_RESULTS_ID,
  UsageLogResults,
  type UsageLogQuery,
  type UsageLogsProps,
  usageLogsHref,
} from "../../views/partials/usage-logs.tsx";
import { clientIp } from "../client-ip.ts";
import type { AppDeps } from "../deps.ts";
import { describeLog } from "../domain/activity/log-descriptions.ts";
import { exportLogs } from "../domain/activity/log-export.ts";
import { isLogPosition, type LogPosition, type LogScope, logCounts, logPage } from "../domain/activity/logs.ts";
import { baseUrl } from "../registry/deps.ts";
import { fragment, wantsFragment } from "./render.tsx";
import type { WebContext } from "./session.ts";

const PAGE_SIZE = 50;
const DEFAULT_DAYS = 7;
/** The longest range one view covers (the log keeps 90 days by default). */
const MAX_DAYS = 92;
const DAY_MS = 86_400_000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export interface UsageLogPlace {
  scope: LogScope;
  /** The page's address without a query, and the parameters it keeps (its tab). */
  action: string;
  params: Record<string, string>;
  /** What the log covers, for the empty state ("this repository"). */
  subject: string;
  /** Whose log it is, as an export names it. */
  namespace: { id: number; name: string };
  repositoryName: string | null;
}

const isoDay = (date: Date) => date.toISOString().slice(0, 10);
const dayOf = (text: string | undefined) => {
  if (text === undefined || !DATE.test(text)) return null;
  const date = new Date(`${text}T00:00:00Z`);
  return Number.isNaN(date.getTime()) || isoDay(date) !== text ? null : date;
};

/** The days asked for, or the last week with the reason the ones asked for were not used. */
function range(c: WebContext, now: Date): { from: Date; to: Date; problem?: string } {
  const today = dayOf(isoDay(now))!;
  const lastWeek = { from: new Date(today.getTime() - (DEFAULT_DAYS - 1) * DAY_MS), to: today };
  const [fromText, toText] = [c.req.query("from"), c.req.query("to")];
  if (fromText === undefined && toText === undefined) return lastWeek;
  const from = dayOf(fromText);
  const to = dayOf(toText);
  if (!from || !to) return { ...lastWeek, problem: "Those dates could not be read; showing the last 7 days." };
  if (from > to) return { ...lastWeek, problem: "The first day comes after the last; showing the last 7 days." };
  if ((to.getTime() - from.getTime()) / DAY_MS >= MAX_DAYS) {
    return { from: new Date(to.getTime() - (MAX_DAYS - 1) * DAY_MS), to, problem: `A view covers at most ${MAX_DAYS} days; showing the last ${MAX_DAYS} up to ${isoDay(to)}.` };
  }
  return { from, to };
}

const formatPosition = (p: LogPosition) => `${p.at}~${p.id}`;
function parsePosition(text: string | undefined): LogPosition | null | undefined {
  if (text === undefined) return undefined;
  const [at = "", id = ""] = text.split("~");
  const position = { at, id: /^\d{1,15}$/.test(id) ? Number(id) : 0 };
  return isLogPosition(position) ? position : null;
}

/**
 * The view's props for this request, or the response itself: an htmx request for the results or
 * the table alone gets that fragment; an edited position goes back to the newest page.
 */
export async function usageLogView(
  deps: AppDeps,
  c: WebContext,
  place: UsageLogPlace,
  exportState: Omit<LogExportForm, "csrfToken"> = { started: c.req.query("exported") !== undefined },
): Promise<UsageLogsProps | Response> {
  const now = deps.clock.now();
  const { from, to, problem } = range(c, now);
  const query: UsageLogQuery = { from: isoDay(from), to: isoDay(to), filter: (c.req.query("filter") ?? "").trim() };
  const href = (after?: LogPosition) => usageLogsHref(place.action, place.params, query, after && formatPosition(after));
  const after = parsePosition(c.req.query("after"));
  if (after === null) return c.redirect(href(), 302);

  const filter = { scope: place.scope, start: from, end: new Date(to.getTime() + DAY_MS), text: query.filter || undefined };
  const tableOnly = wantsFragment(c, USAGE_LOG_TABLE_ID);
  const [page, counts] = await Promise.all([logPage(deps.db, filter, { after, limit: PAGE_SIZE }), tableOnly ? [] : logCounts(deps.db, filter)]);
  const table = {
    rows: page.rows.map((r) => ({ ...r, performer: r.performer?.name ?? null, description: describeLog(r.kind, r.metadata) })),
    newestHref: after ? href() : null,
    olderHref: page.next ? href(page.next) : null,
    subject: place.subject,
    now,
  };
  if (tableOnly) return fragment(c, <UsageLogTable {...table} />);
  const chart = { days: utcDays(from, to), counts: counts.map((n) => ({ ...n, day: isoDay(n.day) })) };
  const csrfToken = c.get("session")?.csrfToken;
  const exporter = csrfToken ? { csrfToken, ...exportState } : null;
  const props = { action: place.action, params: place.params, query, problem, chart, table, exporter };
  if (wantsFragment(c, USAGE_LOG_RESULTS_ID)) return fragment(c, <UsageLogResults {...props} />);
  return props;
}

/**
 * The "Export logs" form posted to the page: the days shown are queued for export (the domain's
 * exportLogs checks the callbacks) and the page comes back saying so, or again with the problem.
 */
export async function usageLogExport(
  deps: AppDeps,
  c: WebContext,
  place: UsageLogPlace,
  render: (view: UsageLogsProps, status: 400) => Promise<Response>,
): Promise<Response> {
  const body = await c.req.parseBody();
  const callbackUrl = String(body.callback_url ?? "").trim();
  const callbackEmail = String(body.callback_email ?? "").trim();
  const { from, to, problem: rangeProblem } = range(c, deps.clock.now());
  const typed = { callbackUrl, callbackEmail };
  let problem: string | undefined = callbackUrl || callbackEmail ? undefined : "Enter a callback URL or an e-mail address";
  if (!problem) {
    const result = await exportLogs(
      { db: deps.db, jobs: deps.jobs, ssrfAllowedHosts: deps.config.ssrfAllowedHosts },
      {
        namespaceId: place.namespace.id,
        namespaceName: place.namespace.name,
        repositoryId: "repositoryId" in place.scope ? place.scope.repositoryId : null,
        repositoryName: place.repositoryName,
        callbackUrl: callbackUrl || null,
        callbackEmail: callbackEmail || null,
        range: rangeProblem ? null : { start: from, end: new Date(to.getTime() + DAY_MS) },
        linkBase: baseUrl(deps.config, c),
      },
      { principal: c.get("principal"), ip: clientIp(c, deps.config) },
    );
    if ("exportId" in result) {
      const query = { from: isoDay(from), to: isoDay(to), filter: (c.req.query("filter") ?? "").trim() };
      return c.redirect(`${usageLogsHref(place.action, { ...place.params, exported: "1" }, query)}`, 303);
    }
    problem = result.problem;
  }
  const view = await usageLogView(deps, c, place, { ...typed, problem });
  return view instanceof Response ? view : render(view, 400);
}

// Usage logs (Quay's §12): `…/logs` (20 rows a page, newest first, opaque `next_page`),
// `…/aggregatelogs` (counts per kind and day) and `…/exportlogs` (a queued export, link sent to a
// callback URL or e-mail) for a repository (repo:admin), an organization (org:admin scope and an
// admin team) or the caller's own namespace (user:admin). Dates come as Quay's `MM/DD/YYYY` (UTC)
// and the end day is included whole. Also the export's download link, `/exportedlogs/{file}`.
import type { Context, Hono } from "hono";
import { z } from "zod";
import type { AppDeps } from "../deps.ts";
import { instanceSecret } from "../auth/instance-secrets.ts";
import {
  checkExportLink,
  DEFAULT_EXPORT_DAYS,
  exportLogs,
  type ExportRequestFacts,
  LOG_EXPORT_LINK_KEY,
} from "../domain/activity/log-export.ts";
import { baseUrl } from "../registry/deps.ts";
import { findOrganization } from "../domain/accounts/organizations.ts";
import { isOrgAdmin } from "../domain/access/permissions.ts";
import { type LogFilter, logCounts, logPage, type LogPosition, type LogRow } from "../domain/activity/logs.ts";
import type { RepoRef } from "../domain/names.ts";
import { authorizeExistingRepository, isAnonymous } from "./auth.ts";
import { avatar } from "./avatar.ts";
import { rfc2822 } from "./dates.ts";
import { invalidRequest, PlainError, unauthorized } from "./errors.ts";
import { readJson, validate } from "./input.ts";
import type { ApiEnv, ApiRequest, ApiRoute } from "./request.ts";

/** Quay's LOGS_PER_PAGE. */
const LOGS_PER_PAGE = 20;
const DAY_MS = 24 * 3600 * 1000;
/** Werkzeug's BadRequest, which Quay's bare `abort(400)` answers. */
const BAD_REQUEST = "The browser (or proxy) sent a request that this server could not understand.";

/** Whose logs a request reads, once the caller may read them. */
export interface LogTarget {
  scope: LogFilter["scope"];
  namespaceId: number;
  namespaceName: string;
  repositoryName: string | null;
}

/** Quay's strptime("%m/%d/%Y") in UTC: midnight of that day, or undefined when it does not parse. */
export function parseQuayDay(text: string | undefined): Date | undefined {
  const m = text === undefined ? null : /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text);
  if (!m) return undefined;
  const [month, day, year] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day ? date : undefined;
}

/**
 * Quay's range rules: no (or a bad) start means a day ago, no end means now; the end is then moved
 * a day on so its whole day counts. An end before the start is a 400.
 */
export function logRange(r: ApiRequest, defaultDays = 1): { start: Date; end: Date } {
  const now = r.deps.clock.now();
  const start = parseQuayDay(r.c.req.query("starttime")) ?? new Date(now.getTime() - defaultDays * DAY_MS);
  const end = new Date((parseQuayDay(r.c.req.query("endtime")) ?? now).getTime() + DAY_MS);
  if (end < start) throw new PlainError(400, { message: BAD_REQUEST });
  return { start, end };
}

/** A repository's logs: repo:admin and admin on it; 404 once allowed, if it does not exist. */
export async function repositoryLogTarget(r: ApiRequest, ref: RepoRef): Promise<LogTarget> {
  const { repo } = await authorizeExistingRepository(r.deps, r.caller, ref, "admin");
  return { scope: { repositoryId: repo.id }, namespaceId: repo.namespaceId, namespaceName: repo.namespace, repositoryName: repo.name };
}

/** An organization's logs: org:admin scope and an admin team (Quay refuses a missing one alike). */
export async function organizationLogTarget(r: ApiRequest, name: string): Promise<LogTarget> {
  const refuse = unauthorized(isAnonymous(r.caller));
  if (r.caller.caps.namespace !== "admin") throw refuse;
  const org = await findOrganization(r.deps.db, name);
  if (!org || !(await isOrgAdmin(r.deps.db, r.caller.principal, org.namespaceId))) throw refuse;
  return { scope: { namespaceId: org.namespaceId }, namespaceId: org.namespaceId, namespaceName: org.name, repositoryName: null };
}

/** The caller's own namespace: user:admin. */
export function userLogTarget(r: ApiRequest): LogTarget {
  const user = r.caller.user;
  if (!user || r.caller.caps.user !== "admin") throw unauthorized(isAnonymous(r.caller));
  return { scope: { namespaceId: user.namespaceId }, namespaceId: user.namespaceId, namespaceName: user.username, repositoryName: null };
}

/** Where the next page starts, as the opaque `next_page` token (tampering shows only rows the caller may see). */
const encodePosition = (p: LogPosition) => Buffer.from(JSON.stringify(p)).toString("base64url");

function decodePosition(text: string | undefined): LogPosition | undefined {
  if (!text) return undefined;
  try {
    const p = JSON.parse(Buffer.from(text, "base64url").toString("utf8")) as Partial<LogPosition>;
    return typeof p.at === "string" && typeof p.id === "number" ? { at: p.at, id: p.id } : undefined;
  } catch {
    return undefined;
  }
}

/** Quay's log entry view (without the namespace, which its per-namespace listings leave out). */
export function logView(row: LogRow): Record<string, unknown> {
  const view: Record<string, unknown> = { kind: row.kind, metadata: row.metadata, ip: row.ip, datetime: rfc2822(row.createdAt) };
  if (row.performer) {
    const { name, isRobot } = row.performer;
    view.performer = { kind: "user", name, is_robot: isRobot, avatar: avatar(name, null, isRobot ? "robot" : "user") };
  }
  return view;
}

const filterOf = (r: ApiRequest, target: LogTarget, range: { start: Date; end: Date }): LogFilter => ({
  scope: target.scope,
  ...range,
  performer: target.repositoryName === null ? r.c.req.query("performer") || undefined : undefined,
});

async function listLogs(r: ApiRequest, target: LogTarget): Promise<Response> {
  const range = logRange(r);
  const page = await logPage(r.deps.db, filterOf(r, target, range), {
    after: decodePosition(r.c.req.query("next_page")),
    limit: LOGS_PER_PAGE,
  });
  const body: Record<string, unknown> = { start_time: rfc2822(range.start), end_time: rfc2822(range.end), logs: page.rows.map(logView) };
  if (page.next) body.next_page = encodePosition(page.next);
  return r.c.json(body);
}

async function aggregateLogs(r: ApiRequest, target: LogTarget): Promise<Response> {
  const counts = await logCounts(r.deps.db, filterOf(r, target, logRange(r)));
  return r.c.json({ aggregated: counts.map((c) => ({ kind: c.kind, count: c.count, datetime: rfc2822(c.day) })) });
}

const exportBody = z.object({ callback_url: z.string().optional(), callback_email: z.string().optional() });

/**
 * The body's callbacks and the range (30 days by default), checked and queued by the domain's
 * exportLogs: `{export_id}`, or 400 with the problem (recorded as `export_logs_failure`).
 */
async function exportLogsRequest(r: ApiRequest, target: LogTarget): Promise<Response> {
  const body = validate(exportBody, await readJson(r.c));
  const facts: ExportRequestFacts = {
    namespaceId: target.namespaceId,
    repositoryId: "repositoryId" in target.scope ? target.scope.repositoryId : null,
    repositoryName: target.repositoryName,
    callbackUrl: body.callback_url || null,
    callbackEmail: body.callback_email || null,
  };
  let range: { start: Date; end: Date } | null = null;
  try {
    range = logRange(r, DEFAULT_EXPORT_DAYS);
  } catch {
    // Reported by exportLogs with Quay's words for an export.
  }
  const request = { ...facts, namespaceName: target.namespaceName, range, linkBase: baseUrl(r.deps.config, r.c) };
  const result = await exportLogs({ ...r.deps, ssrfAllowedHosts: r.deps.config.ssrfAllowedHosts }, request, r.actor);
  if ("problem" in result) throw invalidRequest(result.problem);
  return r.c.json({ export_id: result.exportId });
}

/**
 * `GET /exportedlogs/{file}`: an export's file while its signed link lasts; 403 for a link this
 * instance did not sign, 410 once it has expired.
 */
export async function exportedLogsHandler(deps: AppDeps, c: Context): Promise<Response> {
  const link = { file: c.req.param("file") ?? "", size: Number(c.req.query("size")), expires: Number(c.req.query("expires")) };
  const key = await instanceSecret(deps.db, LOG_EXPORT_LINK_KEY);
  const valid = /^[0-9a-f-]{36}$/.test(link.file) && Number.isSafeInteger(link.size) && Number.isSafeInteger(link.expires);
  const verdict = valid ? checkExportLink(key, link, c.req.query("signature") ?? "", deps.clock.now()) : "forbidden";
  if (verdict === "forbidden") return c.json({ message: "The link to these exported logs is not valid." }, 403);
  if (verdict === "expired") return c.json({ message: "The link to these exported logs has expired." }, 410);
  const bytes = deps.store.readUpload(link.file, link.size);
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      for await (const chunk of bytes) controller.enqueue(chunk);
      controller.close();
    },
  });
  return new Response(stream, {
    headers: {
      "content-type": "application/json",
      "content-length": String(link.size),
      "content-disposition": `attachment; filename="${link.file}.json"`,
    },
  });
}

type RepoLogHandler = (r: ApiRequest, ref: RepoRef) => Promise<Response>;

export const LOG_ROUTES: { pattern: RegExp; methods: Record<string, RepoLogHandler> }[] = [
  { pattern: /^(.+)\/logs$/, methods: { GET: async (r, ref) => listLogs(r, await repositoryLogTarget(r, ref)) } },
  { pattern: /^(.+)\/aggregatelogs$/, methods: { GET: async (r, ref) => aggregateLogs(r, await repositoryLogTarget(r, ref)) } },
  { pattern: /^(.+)\/exportlogs$/, methods: { POST: async (r, ref) => exportLogsRequest(r, await repositoryLogTarget(r, ref)) } },
];

export function mountLogRoutes(app: Hono<ApiEnv>, route: ApiRoute, notAllowed: () => never): void {
  const org = (r: ApiRequest) => organizationLogTarget(r, r.c.req.param("org")!);
  const user = async (r: ApiRequest) => userLogTarget(r);
  for (const [path, target] of [["/user", user], ["/organization/:org", org]] as const) {
    app.get(`${path}/logs`, route(async (r) => listLogs(r, await target(r))));
    app.all(`${path}/logs`, notAllowed);
    app.get(`${path}/aggregatelogs`, route(async (r) => aggregateLogs(r, await target(r))));
    app.all(`${path}/aggregatelogs`, notAllowed);
    app.post(`${path}/exportlogs`, route(async (r) => exportLogsRequest(r, await target(r))));
    app.all(`${path}/exportlogs`, notAllowed);
  }
}

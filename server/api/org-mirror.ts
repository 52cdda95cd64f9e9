// Quay's organization mirroring API (§29), for the organization's admins: the mirror's settings
// (`/organization/{o}/mirror` GET, POST, PUT, DELETE), `…/sync-now`, `…/sync-cancel`, `…/verify`
// (login and discovery against the upstream) and `…/repositories` (what discovery found, paged,
// by status). Refusals are Quay's problem+json 400s (the domain's INVALID_REQUEST).
import type { Hono } from "hono";
import { z } from "zod";
import type { Organization } from "../domain/accounts/organizations.ts";
import {
  cancelOrgSync,
  createOrgMirror,
  deleteOrgMirror,
  getOrgMirror,
  listOrgMirrorRepositories,
  type OrgMirrorChange,
  type OrgMirrorView,
  requestOrgSyncNow,
  SYNC_STATUSES,
  updateOrgMirror,
} from "../domain/mirroring/organization-mirrors.ts";
import { verifyOrgMirror, wakeOrgMirrorSync } from "../domain/mirroring/organization-sync.ts";
import type { MirrorSyncStatus } from "../domain/mirroring/repository-mirrors.ts";
import { invalidRequest, notFound } from "./errors.ts";
import { jsonBody } from "./input.ts";
import { mirrorDate, proxyBody, upstreamAccessChange } from "./mirror.ts";
import { administeredOrganization } from "./organizations.ts";
import type { ApiEnv, ApiRequest, ApiRoute } from "./request.ts";

const nullableText = z.string().nullish();
const createBody = z.object({
  external_registry_type: z.string(),
  external_registry_url: z.string(),
  external_namespace: z.string(),
  robot_username: z.string(),
  visibility: z.string(),
  sync_interval: z.number().int(),
  sync_start_date: z.string(),
  is_enabled: z.boolean().optional(),
  external_registry_username: nullableText,
  external_registry_password: nullableText,
  external_registry_config: z
    .object({
      verify_tls: z.boolean().optional(),
      proxy: proxyBody.optional(),
    })
    .optional(),
  repository_filters: z.array(z.string()).optional(),
  skopeo_timeout: z.number().int().optional(),
});
const updateBody = createBody.partial();
type Body = z.infer<typeof updateBody>;

/** Quay's date format, with its refusal. */
function parseStartDate(text: string): Date {
  const date = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(text) ? new Date(text) : null;
  if (!date || Number.isNaN(date.getTime())) throw invalidRequest("Invalid sync_start_date format. Use ISO 8601: YYYY-MM-DDTHH:MM:SSZ");
  return date;
}

/** The body's fields as a change (absent ones stay absent; empty credentials clear them). */
function changeOf(body: Body): OrgMirrorChange {
  const change: OrgMirrorChange = {};
  if (body.is_enabled !== undefined) change.isEnabled = body.is_enabled;
  if (body.external_registry_type !== undefined) change.registryType = body.external_registry_type;
  if (body.external_registry_url !== undefined) change.registryUrl = body.external_registry_url;
  if (body.external_namespace !== undefined) change.externalNamespace = body.external_namespace;
  if (body.robot_username !== undefined) change.robotUsername = body.robot_username;
  if (body.visibility !== undefined) change.visibility = body.visibility;
  if (body.sync_interval !== undefined) change.syncIntervalS = body.sync_interval;
  if (body.sync_start_date !== undefined) change.syncStartDate = parseStartDate(body.sync_start_date);
  if (body.external_registry_username !== undefined) change.username = body.external_registry_username || null;
  if (body.external_registry_password !== undefined) change.password = body.external_registry_password || null;
  Object.assign(change, upstreamAccessChange(body.external_registry_config));
  if (body.repository_filters !== undefined) change.repositoryFilters = body.repository_filters;
  if (body.skopeo_timeout !== undefined) change.skopeoTimeoutS = body.skopeo_timeout;
  return change;
}

const view = (m: OrgMirrorView) => ({
  is_enabled: m.isEnabled,
  external_registry_type: m.registryType,
  external_registry_url: m.registryUrl,
  external_namespace: m.externalNamespace,
  external_registry_username: m.usernameInvalid ? "(invalid. please re-enter)" : m.username,
  has_external_registry_password: m.hasPassword,
  external_registry_config: { verify_tls: m.verifyTls, proxy: { http_proxy: m.httpProxy, https_proxy: m.httpsProxy, no_proxy: m.noProxy } },
  repository_filters: m.repositoryFilters,
  robot_username: m.robotUsername,
  visibility: m.visibility,
  sync_interval: m.syncIntervalS,
  sync_start_date: mirrorDate(m.syncStartDate),
  sync_expiration_date: mirrorDate(m.syncExpirationDate),
  sync_status: m.syncStatus,
  sync_retries_remaining: m.syncRetriesRemaining,
  repo_sync_status_counts: m.repositoryStatusCounts,
  skopeo_timeout: m.skopeoTimeoutS,
  creation_date: mirrorDate(m.createdAt),
});

async function mirrorOf(r: ApiRequest): Promise<{ org: Organization; mirror: OrgMirrorView }> {
  const org = await administeredOrganization(r);
  const mirror = await getOrgMirror(r.deps.db, org.namespaceId);
  if (!mirror) throw notFound();
  return { org, mirror };
}

async function getHandler(r: ApiRequest): Promise<Response> {
  return r.c.json(view((await mirrorOf(r)).mirror));
}

async function createHandler(r: ApiRequest): Promise<Response> {
  const org = await administeredOrganization(r);
  const body = await jsonBody(r.c, createBody);
  const change = changeOf(body);
  await createOrgMirror(
    r.deps.db,
    r.actor,
    org,
    {
      isEnabled: change.isEnabled ?? true,
      registryType: body.external_registry_type,
      registryUrl: body.external_registry_url,
      externalNamespace: body.external_namespace,
      username: change.username ?? null,
      password: change.password ?? null,
      verifyTls: change.verifyTls ?? true,
      httpProxy: change.httpProxy ?? null,
      httpsProxy: change.httpsProxy ?? null,
      noProxy: change.noProxy ?? null,
      repositoryFilters: change.repositoryFilters ?? [],
      robotUsername: body.robot_username,
      visibility: body.visibility,
      syncIntervalS: body.sync_interval,
      syncStartDate: change.syncStartDate!,
      skopeoTimeoutS: change.skopeoTimeoutS ?? 300,
    },
    r.deps.config.ssrfAllowedHosts,
  );
  await wakeOrgMirrorSync(r.deps.jobs);
  return r.c.body(null, 201);
}

async function updateHandler(r: ApiRequest): Promise<Response> {
  const { org } = await mirrorOf(r);
  await updateOrgMirror(r.deps.db, r.actor, org, changeOf(await jsonBody(r.c, updateBody)), r.deps.config.ssrfAllowedHosts);
  await wakeOrgMirrorSync(r.deps.jobs);
  return r.c.body(null, 200);
}

async function deleteHandler(r: ApiRequest): Promise<Response> {
  await deleteOrgMirror(r.deps.db, r.actor, (await mirrorOf(r)).org);
  return r.c.body(null, 204);
}

async function syncNowHandler(r: ApiRequest): Promise<Response> {
  await requestOrgSyncNow(r.deps.db, r.actor, (await mirrorOf(r)).org);
  await wakeOrgMirrorSync(r.deps.jobs);
  return r.c.body(null, 204);
}

async function syncCancelHandler(r: ApiRequest): Promise<Response> {
  await cancelOrgSync(r.deps.db, r.actor, (await mirrorOf(r)).org, r.deps.clock.now());
  return r.c.body(null, 204);
}

async function verifyHandler(r: ApiRequest): Promise<Response> {
  const { org } = await mirrorOf(r);
  return r.c.json(await verifyOrgMirror(r.deps, org.namespaceId));
}

const MAX_LIMIT = 500;
const DEFAULT_LIMIT = 100;

/** A query number, or the default when absent or not a number (as Flask's `type=int`). */
const queryInt = (text: string | undefined, fallback: number) => (text !== undefined && /^-?\d+$/.test(text) ? Number(text) : fallback);

async function repositoriesHandler(r: ApiRequest): Promise<Response> {
  const { org } = await mirrorOf(r);
  const pageNumber = Math.max(1, queryInt(r.c.req.query("page"), 1));
  let limit = Math.min(queryInt(r.c.req.query("limit"), DEFAULT_LIMIT), MAX_LIMIT);
  if (limit < 1) limit = DEFAULT_LIMIT;
  const statusText = r.c.req.query("status");
  const status = statusText ? (statusText.toUpperCase() as MirrorSyncStatus) : undefined;
  if (status && !SYNC_STATUSES.includes(status)) throw invalidRequest(`Invalid status: ${statusText}`);
  const { rows, total } = await listOrgMirrorRepositories(r.deps.db, org.namespaceId, { page: pageNumber, limit, status });
  return r.c.json({
    repositories: rows.map((row) => ({
      name: row.name,
      sync_status: row.syncStatus,
      discovery_date: mirrorDate(row.discoveryDate),
      last_sync_date: mirrorDate(row.lastSyncDate),
      status_message: row.statusMessage,
      quay_repository: row.repositoryId !== null ? `${org.name}/${row.name}` : null,
    })),
    page: pageNumber,
    limit,
    total,
    has_next: pageNumber * limit < total,
  });
}

export function mountOrgMirrorRoutes(app: Hono<ApiEnv>, route: ApiRoute, notAllowed: () => never): void {
  const base = "/organization/:org/mirror";
  app.get(base, route(getHandler));
  app.post(base, route(createHandler));
  app.put(base, route(updateHandler));
  app.delete(base, route(deleteHandler));
  app.all(base, notAllowed);
  for (const [path, handler] of [
    ["sync-now", syncNowHandler],
    ["sync-cancel", syncCancelHandler],
    ["verify", verifyHandler],
  ] as const) {
    app.post(`${base}/${path}`, route(handler));
    app.all(`${base}/${path}`, notAllowed);
  }
  app.get(`${base}/repositories`, route(repositoriesHandler));
  app.all(`${base}/repositories`, notAllowed);
}

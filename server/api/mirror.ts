// Repository mirroring (Quay's §16), for the repository's admins (repo:admin): the mirror's
// settings (`…/mirror` GET, POST to create, PUT to change), `…/mirror/sync-now`,
// `…/mirror/sync-cancel`, and `…/changestate` (NORMAL, READ_ONLY, MIRROR). Quay answers these
// handlers' refusals with a bare `{detail}`.
import { z } from "zod";
import { DomainError } from "../domain/errors.ts";
import type { RepoRef } from "../domain/names.ts";
import {
  cancelSync,
  createMirror,
  getMirror,
  type MirrorChange,
  type MirrorView,
  requestSyncNow,
  updateMirror,
} from "../domain/mirroring/repository-mirrors.ts";
import { setRepositoryState } from "../domain/repositories/repository-state.ts";
import type { Repository } from "../domain/repositories/repositories.ts";
import { wakeMirrorSync } from "../domain/mirroring/repository-sync.ts";
import { authorizeExistingRepository } from "./auth.ts";
import { notFound, PlainError } from "./errors.ts";
import { jsonBody } from "./input.ts";
import type { ApiRequest } from "./request.ts";

type RepoRouteHandler = (r: ApiRequest, ref: RepoRef, names: string[]) => Promise<Response>;

/** Quay's mirror dates: `YYYY-MM-DDTHH:MM:SSZ`. */
export const mirrorDate = (date: Date | null) => (date ? `${date.toISOString().slice(0, 19)}Z` : null);

const nullableText = z.string().nullish();
/** `external_registry_config.proxy`, as both mirror APIs take it. */
export const proxyBody = z.object({ http_proxy: nullableText, https_proxy: nullableText, no_proxy: nullableText }).partial();

/** The TLS and proxy fields of an `external_registry_config` (absent ones stay absent; empty ones clear). */
export function upstreamAccessChange(config: { verify_tls?: boolean; proxy?: z.infer<typeof proxyBody> } | undefined) {
  const change: { verifyTls?: boolean; httpProxy?: string | null; httpsProxy?: string | null; noProxy?: string | null } = {};
  if (config?.verify_tls !== undefined) change.verifyTls = config.verify_tls;
  if (config?.proxy) {
    if (config.proxy.http_proxy !== undefined) change.httpProxy = config.proxy.http_proxy || null;
    if (config.proxy.https_proxy !== undefined) change.httpsProxy = config.proxy.https_proxy || null;
    if (config.proxy.no_proxy !== undefined) change.noProxy = config.proxy.no_proxy || null;
  }
  return change;
}
const mirrorBody = z.object({
  is_enabled: z.boolean().optional(),
  external_reference: z.string().min(1),
  external_registry_username: nullableText,
  external_registry_password: nullableText,
  external_registry_config: z
    .object({
      verify_tls: z.boolean().optional(),
      unsigned_images: z.boolean().optional(),
      proxy: proxyBody.optional(),
    })
    .optional(),
  sync_interval: z.number().int(),
  sync_start_date: z.string(),
  root_rule: z.object({ rule_kind: z.literal("tag_glob_csv"), rule_value: z.array(z.string().min(1)) }),
  robot_username: z.string().min(1),
  skopeo_timeout_interval: z.number().int().optional(),
  architecture_filter: z.array(z.string()).optional(),
  /** Quayside's own: whether tags gone upstream are removed here (default true). */
  remove_missing_tags: z.boolean().optional(),
});
const changeBody = mirrorBody.partial();
type MirrorBody = z.infer<typeof changeBody>;

const detail = (status: number, message: string) => new PlainError(status, { detail: message });

/** Quay's date check, with its message. */
function parseMirrorDate(text: string): Date {
  const date = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(text) ? new Date(text) : null;
  if (!date || Number.isNaN(date.getTime())) throw detail(400, "Incorrect DateTime format for sync_start_date.");
  return date;
}

/** The body's fields as a change (absent ones stay absent). */
function changeOf(body: MirrorBody): MirrorChange {
  const change: MirrorChange = {};
  if (body.is_enabled !== undefined) change.isEnabled = body.is_enabled;
  if (body.external_reference !== undefined) change.externalReference = body.external_reference;
  if (body.external_registry_username !== undefined) change.username = body.external_registry_username || null;
  if (body.external_registry_password !== undefined) change.password = body.external_registry_password || null;
  const config = body.external_registry_config;
  Object.assign(change, upstreamAccessChange(config));
  if (config?.unsigned_images !== undefined) change.unsignedImages = config.unsigned_images;
  if (body.sync_interval !== undefined) change.syncIntervalS = body.sync_interval;
  if (body.sync_start_date !== undefined) change.syncStartDate = parseMirrorDate(body.sync_start_date);
  if (body.root_rule !== undefined) change.tagGlobs = body.root_rule.rule_value;
  if (body.robot_username !== undefined) change.robotUsername = body.robot_username;
  if (body.skopeo_timeout_interval !== undefined) change.skopeoTimeoutS = body.skopeo_timeout_interval;
  if (body.architecture_filter !== undefined) change.architectureFilter = body.architecture_filter;
  if (body.remove_missing_tags !== undefined) change.removeMissingTags = body.remove_missing_tags;
  return change;
}

/** Quay's mirror config object. */
export const mirrorView = (m: MirrorView) => ({
  is_enabled: m.isEnabled,
  mirror_type: "PULL",
  external_reference: m.externalReference,
  external_registry_username: m.usernameInvalid ? "(invalid. please re-enter)" : m.username,
  external_registry_config: {
    verify_tls: m.verifyTls,
    unsigned_images: m.unsignedImages,
    proxy: { http_proxy: m.httpProxy, https_proxy: m.httpsProxy, no_proxy: m.noProxy },
  },
  sync_interval: m.syncIntervalS,
  sync_start_date: mirrorDate(m.syncStartDate),
  sync_expiration_date: mirrorDate(m.syncExpirationDate),
  sync_retries_remaining: m.syncRetriesRemaining,
  sync_status: m.syncStatus,
  root_rule: { rule_kind: "tag_glob_csv", rule_value: m.tagGlobs },
  robot_username: m.robotUsername,
  skopeo_timeout_interval: m.skopeoTimeoutS,
  architecture_filter: m.architectureFilter,
  remove_missing_tags: m.removeMissingTags,
  last_sync: mirrorDate(m.lastSyncAt),
  last_error: m.lastError,
});

const administered = async (r: ApiRequest, ref: RepoRef): Promise<Repository> =>
  (await authorizeExistingRepository(r.deps, r.caller, ref, "admin")).repo;

/** The domain's refusals as Quay's `{detail}` answers. */
async function withDetail<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof DomainError) {
      const status = err.code === "CONFLICT" ? 409 : err.code === "NOT_FOUND" ? 404 : err.code === "INVALID_REQUEST" ? 400 : undefined;
      if (status) throw detail(status, err.message);
    }
    throw err;
  }
}

const get: RepoRouteHandler = async (r, ref) => {
  const mirror = await getMirror(r.deps.db, (await administered(r, ref)).id);
  if (!mirror) throw notFound();
  return r.c.json(mirrorView(mirror));
};

const create: RepoRouteHandler = async (r, ref) => {
  const repo = await administered(r, ref);
  const body = await jsonBody(r.c, mirrorBody);
  const change = changeOf(body);
  await withDetail(() =>
    createMirror(
      r.deps,
      r.actor,
      repo,
      {
        isEnabled: change.isEnabled ?? true,
        externalReference: change.externalReference!,
        username: change.username ?? null,
        password: change.password ?? null,
        verifyTls: change.verifyTls ?? true,
        unsignedImages: change.unsignedImages ?? false,
        httpProxy: change.httpProxy ?? null,
        httpsProxy: change.httpsProxy ?? null,
        noProxy: change.noProxy ?? null,
        tagGlobs: change.tagGlobs!,
        architectureFilter: change.architectureFilter ?? [],
        removeMissingTags: change.removeMissingTags ?? true,
        robotUsername: change.robotUsername!,
        syncIntervalS: change.syncIntervalS!,
        syncStartDate: change.syncStartDate!,
        skopeoTimeoutS: change.skopeoTimeoutS ?? 300,
      },
      r.deps.config.ssrfAllowedHosts,
    ),
  );
  await wakeMirrorSync(r.deps.jobs);
  return r.c.body(null, 201);
};

const update: RepoRouteHandler = async (r, ref) => {
  const repo = await administered(r, ref);
  const body = await jsonBody(r.c, changeBody);
  if (body.external_registry_password && !body.external_registry_username) throw detail(400, "Username is required when a password is given");
  await withDetail(() => updateMirror(r.deps, r.actor, repo, changeOf(body), r.deps.config.ssrfAllowedHosts));
  await wakeMirrorSync(r.deps.jobs);
  return r.c.body(null, 201);
};

const syncNow: RepoRouteHandler = async (r, ref) => {
  if (!(await requestSyncNow(r.deps.db, r.actor, await administered(r, ref)))) throw notFound();
  await wakeMirrorSync(r.deps.jobs);
  return r.c.body(null, 204);
};

const syncCancel: RepoRouteHandler = async (r, ref) => {
  if (!(await cancelSync(r.deps.db, await administered(r, ref), r.deps.clock.now()))) throw notFound();
  return r.c.body(null, 204);
};

const stateBody = z.object({ state: z.string() });

const changeState: RepoRouteHandler = async (r, ref) => {
  const repo = await administered(r, ref);
  const { state } = await jsonBody(r.c, stateBody);
  await withDetail(() => setRepositoryState(r.deps, r.actor, repo, state));
  if (state === "MIRROR") await wakeMirrorSync(r.deps.jobs);
  return r.c.json({ success: true });
};

/** Routes under /repository/, most specific first. */
export const MIRROR_ROUTES: { pattern: RegExp; methods: Record<string, RepoRouteHandler> }[] = [
  { pattern: /^(.+)\/mirror\/sync-now$/, methods: { POST: syncNow } },
  { pattern: /^(.+)\/mirror\/sync-cancel$/, methods: { POST: syncCancel } },
  { pattern: /^(.+)\/mirror$/, methods: { GET: get, POST: create, PUT: update } },
  { pattern: /^(.+)\/changestate$/, methods: { PUT: changeState } },
];

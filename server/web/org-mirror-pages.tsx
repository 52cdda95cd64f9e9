// An organization's Mirroring tab (members read it; admins configure, sync, cancel and delete;
// 404 for anyone else). The settings go through the same domain functions as the API's
// /organization/{org}/mirror (createOrgMirror / updateOrgMirror, each refusal at its field in the
// API's words), Sync now / Cancel through requestOrgSyncNow / cancelOrgSync; the status fragment
// (with the found repositories) is what htmx polls while a sync is due or running.
import { Hono } from "hono";
import {
  DeleteOrgMirrorPage,
  ORG_MIRROR_CHECKS,
  ORG_MIRROR_TEXT_FIELDS,
  type OrgMirrorForm,
  OrgMirrorPage,
  orgMirrorPath,
  type OrgMirrorState,
  OrgMirrorStatus,
} from "../../views/pages/organization-mirror.tsx";
import { MIRROR_STATUS_ID } from "../../views/pages/repository-mirror.tsx";
import { clientIp } from "../client-ip.ts";
import type { AppDeps } from "../deps.ts";
import { listRobots } from "../domain/accounts/robots.ts";
import { DomainError } from "../domain/errors.ts";
import {
  cancelOrgSync,
  createOrgMirror,
  deleteOrgMirror,
  getOrgMirror,
  listOrgMirrorRepositories,
  type OrgMirrorChange,
  orgMirrorFieldOf,
  type OrgMirrorSettings,
  type OrgMirrorView,
  requestOrgSyncNow,
  updateOrgMirror,
} from "../domain/mirroring/organization-mirrors.ts";
import { wakeOrgMirrorSync } from "../domain/mirroring/organization-sync.ts";
import { adminPlace, memberPlace, type Place } from "./organization-place.ts";
import { DEFAULT_INTERVAL_S, intervalValue, localValue, readMirrorForm, settingsChange } from "./mirror-form.ts";
import { chrome, fragment, notFoundPage, page, wantsFragment } from "./render.tsx";
import type { WebContext, WebEnv } from "./session.ts";

/** The API's default skopeo timeout. */
const SKOPEO_TIMEOUT_S = 300;
const PAGE_SIZE = 25;

const NOTICES = {
  created: "The organization is now a mirror: its first sync starts at the start date.",
  saved: "Mirror settings saved.",
  requested: "A sync was requested: it starts in a moment.",
  cancelled: "The sync was cancelled.",
  deleted: "The organization mirror was deleted.",
};
type NoticeKey = keyof typeof NOTICES;

const sourceOf = (m: OrgMirrorView) => `${m.registryUrl.replace(/\/+$/, "")}/${m.externalNamespace}`;

function formOf(mirror: OrgMirrorView | undefined, now: Date): OrgMirrorForm {
  const interval = intervalValue(mirror?.syncIntervalS ?? DEFAULT_INTERVAL_S);
  return {
    values: {
      external_registry_type: mirror?.registryType ?? "quay",
      external_registry_url: mirror?.registryUrl ?? "",
      external_namespace: mirror?.externalNamespace ?? "",
      repository_filters: mirror?.repositoryFilters.join(", ") ?? "",
      robot_username: mirror?.robotUsername ?? "",
      visibility: mirror?.visibility ?? "private",
      sync_interval: interval.value,
      sync_interval_unit: interval.unit,
      sync_start_date: localValue(mirror?.syncStartDate ?? now),
      external_registry_username: mirror?.usernameInvalid ? "" : (mirror?.username ?? ""),
      http_proxy: mirror?.httpProxy ?? "",
      https_proxy: mirror?.httpsProxy ?? "",
      no_proxy: mirror?.noProxy ?? "",
    },
    checks: { is_enabled: mirror?.isEnabled ?? true, verify_tls: mirror?.verifyTls ?? true },
    errors: {},
  };
}

type Typed = Omit<OrgMirrorSettings, "skopeoTimeoutS"> & { password: string | null };

/** The form as typed, and the settings it means (none when a box holds no number or date). */
async function readForm(c: WebContext): Promise<{ form: OrgMirrorForm; typed?: Typed }> {
  // The API's words for a date it cannot read.
  const { values, checks, schedule, access } = await readMirrorForm(c, ORG_MIRROR_TEXT_FIELDS, ORG_MIRROR_CHECKS, "Invalid sync_start_date format. Use ISO 8601: YYYY-MM-DDTHH:MM:SSZ");
  const form: OrgMirrorForm = { values, checks, errors: {} };
  if ("errors" in schedule) return { form: { ...form, errors: schedule.errors } };
  const v = values;
  return {
    form,
    typed: {
      isEnabled: form.checks.is_enabled,
      registryType: v.external_registry_type,
      registryUrl: v.external_registry_url,
      externalNamespace: v.external_namespace,
      repositoryFilters: v.repository_filters.split(",").map((glob) => glob.trim()).filter((glob) => glob !== ""),
      robotUsername: v.robot_username,
      visibility: v.visibility,
      ...schedule,
      ...access,
    },
  };
}

/** Only what differs from the stored mirror (the log row names the fields); the password only when typed. */
const changeOf = (typed: Typed, stored: OrgMirrorView): OrgMirrorChange =>
  settingsChange(typed, stored, ["isEnabled", "registryType", "registryUrl", "externalNamespace", "repositoryFilters", "robotUsername", "visibility", "syncIntervalS", "verifyTls", "httpProxy", "httpsProxy", "noProxy"]);

export function orgMirrorPages(deps: AppDeps): Hono<WebEnv> {
  const app = new Hono<WebEnv>();
  const actor = (c: WebContext) => ({ principal: c.get("principal"), ip: clientIp(c, deps.config) });
  const base = "/organization/:name/mirroring";
  const backTo = (at: Place, notice: NoticeKey) => `${orgMirrorPath(at.org.name)}?done=${notice}`;

  /** The status and one page of the found repositories; the status polls while a sync is requested, running or due. */
  async function stateOf(c: WebContext, at: Place, mirror: OrgMirrorView): Promise<OrgMirrorState> {
    const pageNumber = Math.max(1, Number.parseInt(c.req.query("page") ?? "1", 10) || 1);
    const { rows, total } = await listOrgMirrorRepositories(deps.db, at.org.namespaceId, { page: pageNumber, limit: PAGE_SIZE });
    const path = orgMirrorPath(at.org.name);
    const pageHref = (n: number) => (n === 1 ? path : `${path}?page=${n}`);
    const running = mirror.syncStatus === "SYNCING" || mirror.syncStatus === "SYNC_NOW";
    const due = mirror.syncStartDate.getTime() <= deps.clock.now().getTime();
    return {
      source: sourceOf(mirror),
      status: {
        status: mirror.syncStatus,
        isEnabled: mirror.isEnabled,
        lastSyncAt: mirror.lastSyncAt,
        nextSyncAt: mirror.syncStartDate,
        lastError: null,
        active: mirror.isEnabled && (running || due),
      },
      repositories: rows.map((r) => ({ name: r.name, status: r.syncStatus, lastSyncAt: r.lastSyncDate, message: r.statusMessage, exists: r.repositoryId !== null })),
      pager:
        total > PAGE_SIZE
          ? {
              first: (pageNumber - 1) * PAGE_SIZE + 1,
              last: (pageNumber - 1) * PAGE_SIZE + rows.length,
              total,
              prevHref: pageNumber > 1 ? pageHref(pageNumber - 1) : null,
              nextHref: pageNumber * PAGE_SIZE < total ? pageHref(pageNumber + 1) : null,
              // The status fragment holds the table; its page is swapped whole.
              target: MIRROR_STATUS_ID,
            }
          : null,
      pollPath: pageHref(pageNumber),
    };
  }

  async function tabPage(c: WebContext, at: Place, given?: OrgMirrorForm, notice?: string) {
    const mirror = await getOrgMirror(deps.db, at.org.namespaceId);
    const robots = at.admin ? (await listRobots(deps.db, { id: at.org.namespaceId, name: at.org.name })).map((r) => r.name) : [];
    const props = {
      chrome: await chrome(deps, c),
      org: at.org.name,
      viewer: { member: true, admin: at.admin },
      mirror: mirror && (await stateOf(c, at, mirror)),
      form: at.admin ? (given ?? formOf(mirror, deps.clock.now())) : undefined,
      robots,
      passwordSet: mirror?.hasPassword ?? false,
      notice,
    };
    return page(c, <OrgMirrorPage {...props} />, given && Object.keys(given.errors).length > 0 ? 400 : 200);
  }

  /** The status fragment (htmx's polling, paging and buttons), or the page with a notice. */
  async function statusAnswer(c: WebContext, at: Place, notice?: NoticeKey) {
    const mirror = await getOrgMirror(deps.db, at.org.namespaceId);
    if (mirror && c.req.header("hx-request") === "true") {
      return fragment(c, <OrgMirrorStatus org={at.org.name} mirror={await stateOf(c, at, mirror)} admin={at.admin} csrfToken={c.get("session")?.csrfToken ?? null} />);
    }
    return notice ? c.redirect(backTo(at, notice), 303) : tabPage(c, at);
  }

  /** A refusal the form shows at its field; anything else is a real error. */
  function refusalOf(err: unknown): DomainError {
    if (err instanceof DomainError && err.code === "INVALID_REQUEST") return err;
    throw err;
  }

  app.get(base, async (c) => {
    const at = await memberPlace(deps, c);
    if (!at) return notFoundPage(deps, c);
    c.header("Vary", "HX-Request, HX-Target");
    if (wantsFragment(c, MIRROR_STATUS_ID)) return statusAnswer(c, at);
    const done = c.req.query("done");
    return tabPage(c, at, undefined, done && done in NOTICES ? NOTICES[done as NoticeKey] : undefined);
  });

  app.post(base, async (c) => {
    const at = await adminPlace(deps, c);
    if (!at) return notFoundPage(deps, c);
    const { form, typed } = await readForm(c);
    if (!typed) return tabPage(c, at, form);
    const allowed = deps.config.ssrfAllowedHosts;
    const stored = await getOrgMirror(deps.db, at.org.namespaceId);
    try {
      if (stored) await updateOrgMirror(deps.db, actor(c), at.org, changeOf(typed, stored), allowed);
      else await createOrgMirror(deps.db, actor(c), at.org, { ...typed, skopeoTimeoutS: SKOPEO_TIMEOUT_S }, allowed);
    } catch (err) {
      const refusal = refusalOf(err);
      const field = orgMirrorFieldOf(refusal);
      form.errors[field === undefined || field === "skopeo_timeout" ? "form" : field] = refusal.message;
      return tabPage(c, at, form);
    }
    await wakeOrgMirrorSync(deps.jobs);
    return c.redirect(backTo(at, stored ? "saved" : "created"), 303);
  });

  app.post(`${base}/sync`, async (c) => {
    const at = await adminPlace(deps, c);
    if (!at || !(await getOrgMirror(deps.db, at.org.namespaceId))) return notFoundPage(deps, c);
    try {
      await requestOrgSyncNow(deps.db, actor(c), at.org);
    } catch (err) {
      refusalOf(err); // syncing already: the status says so
      return statusAnswer(c, at);
    }
    await wakeOrgMirrorSync(deps.jobs);
    return statusAnswer(c, at, "requested");
  });

  app.post(`${base}/cancel`, async (c) => {
    const at = await adminPlace(deps, c);
    if (!at || !(await getOrgMirror(deps.db, at.org.namespaceId))) return notFoundPage(deps, c);
    try {
      await cancelOrgSync(deps.db, actor(c), at.org, deps.clock.now());
    } catch (err) {
      refusalOf(err); // cancelled already
      return statusAnswer(c, at);
    }
    return statusAnswer(c, at, "cancelled");
  });

  app.get(`${base}/remove`, async (c) => {
    const at = await adminPlace(deps, c);
    const mirror = at && (await getOrgMirror(deps.db, at.org.namespaceId));
    if (!at || !mirror) return notFoundPage(deps, c);
    return page(c, <DeleteOrgMirrorPage chrome={await chrome(deps, c)} org={at.org.name} source={sourceOf(mirror)} />);
  });

  app.post(`${base}/remove`, async (c) => {
    const at = await adminPlace(deps, c);
    if (!at) return notFoundPage(deps, c);
    try {
      await deleteOrgMirror(deps.db, actor(c), at.org);
    } catch (err) {
      if (err instanceof DomainError && err.code === "NOT_FOUND") return notFoundPage(deps, c);
      throw err;
    }
    return c.redirect(backTo(at, "deleted"), 303);
  });

  return app;
}

// A repository's Mirroring settings in the browser (Settings → Mirroring), for its admins (404 for
// anyone else): making it a mirror or a normal repository again (setRepositoryState, as the API's
// changestate), the settings (createMirror / updateMirror, each refusal at its field in the
// API's words), "Sync now" and "Cancel" (requestSyncNow / cancelSync), and the status fragment
// htmx polls while a sync is due or running.
import { Hono } from "hono";
import {
  INTERVAL_UNITS,
  MIRROR_CHECKS,
  MIRROR_STATUS_ID,
  MIRROR_TEXT_FIELDS,
  type MirrorForm,
  MirrorStatus,
  type MirrorStatusView,
  mirrorPagePath,
  RepositoryMirrorPage,
} from "../../views/pages/repository-mirror.tsx";
import { clientIp } from "../client-ip.ts";
import type { AppDeps } from "../deps.ts";
import { listRobots } from "../domain/accounts/robots.ts";
import { DomainError } from "../domain/errors.ts";
import { repoPath } from "../domain/names.ts";
import {
  cancelSync,
  createMirror,
  getMirror,
  type MirrorChange,
  mirrorFieldOf,
  type MirrorSettings,
  type MirrorView,
  requestSyncNow,
  updateMirror,
} from "../domain/mirroring/repository-mirrors.ts";
import { wakeMirrorSync } from "../domain/mirroring/repository-sync.ts";
import { setRepositoryState } from "../domain/repositories/repository-state.ts";
import type { Repository } from "../domain/repositories/repositories.ts";
import { chrome, fragment, notFoundPage, page, wantsFragment } from "./render.tsx";
import { administeredRepository } from "./repository-create-pages.tsx";
import type { WebContext, WebEnv } from "./session.ts";

/** Quay's default schedule: once a day. */
const DEFAULT_INTERVAL_S = 86_400;

const NOTICES = {
  saved: "Mirror settings saved.",
  mirror: "This repository is now a mirror: configure its upstream below.",
  normal: "This repository is a normal repository again.",
  requested: "A sync was requested: it starts in a moment.",
  running: "A sync is running already.",
  cancelled: "The sync was cancelled.",
  idle: "No sync was running.",
  unconfigured: "Save the mirror settings first.",
};
type NoticeKey = keyof typeof NOTICES;

/** `YYYY-MM-DDTHH:MM` in UTC, as a datetime-local box holds it. */
export const localValue = (date: Date) => date.toISOString().slice(0, 16);

/** The interval in the largest unit it is a whole number of (minutes when none is). */
export function intervalValue(seconds: number): { value: string; unit: string } {
  const unit = [...INTERVAL_UNITS].reverse().find((u) => seconds % Number(u.value) === 0) ?? INTERVAL_UNITS[0]!;
  return { value: String(seconds / Number(unit.value)), unit: unit.value };
}

/** The form showing the stored settings (or a new mirror's defaults). */
function formOf(mirror: MirrorView | undefined, now: Date): MirrorForm {
  const interval = intervalValue(mirror?.syncIntervalS ?? DEFAULT_INTERVAL_S);
  return {
    values: {
      external_reference: mirror?.externalReference ?? "",
      root_rule: mirror?.tagGlobs.join(", ") ?? "",
      external_registry_username: mirror?.usernameInvalid ? "" : (mirror?.username ?? ""),
      sync_interval: interval.value,
      sync_interval_unit: interval.unit,
      sync_start_date: localValue(mirror?.syncStartDate ?? now),
      robot_username: mirror?.robotUsername ?? "",
      http_proxy: mirror?.httpProxy ?? "",
      https_proxy: mirror?.httpsProxy ?? "",
      no_proxy: mirror?.noProxy ?? "",
    },
    checks: { is_enabled: mirror?.isEnabled ?? true, verify_tls: mirror?.verifyTls ?? true, remove_missing_tags: mirror?.removeMissingTags ?? true },
    errors: {},
  };
}

type Typed = Omit<MirrorSettings, "unsignedImages" | "architectureFilter" | "skopeoTimeoutS" | "robotUsername"> & { robotUsername: string; password: string | null };

/** The form as typed, and the settings it means (none when a box holds no number or date). */
async function readForm(c: WebContext): Promise<{ form: MirrorForm; typed?: Typed }> {
  const body = await c.req.parseBody();
  const text = (name: string) => String(body[name] ?? "").trim();
  const form: MirrorForm = {
    values: Object.fromEntries(MIRROR_TEXT_FIELDS.map((name) => [name, text(name)])) as MirrorForm["values"],
    checks: Object.fromEntries(MIRROR_CHECKS.map((name) => [name, body[name] !== undefined])) as MirrorForm["checks"],
    errors: {},
  };
  const v = form.values;
  const unit = Number(INTERVAL_UNITS.find((u) => u.value === v.sync_interval_unit)?.value ?? DEFAULT_INTERVAL_S);
  const interval = Number(v.sync_interval);
  if (v.sync_interval === "" || !Number.isFinite(interval)) form.errors.sync_interval = "Enter the interval as a number";
  const start = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(v.sync_start_date) ? new Date(`${v.sync_start_date}Z`) : null;
  // The API's words for a date it cannot read.
  if (!start || Number.isNaN(start.getTime())) form.errors.sync_start_date = "Incorrect DateTime format for sync_start_date.";
  if (Object.keys(form.errors).length > 0) return { form };
  const orNull = (value: string) => value || null;
  return {
    form,
    typed: {
      isEnabled: form.checks.is_enabled,
      externalReference: v.external_reference,
      tagGlobs: v.root_rule.split(",").map((glob) => glob.trim()).filter((glob) => glob !== ""),
      username: orNull(v.external_registry_username),
      password: orNull(String(body.external_registry_password ?? "")),
      syncIntervalS: Math.round(interval * unit),
      syncStartDate: start!,
      robotUsername: v.robot_username,
      verifyTls: form.checks.verify_tls,
      removeMissingTags: form.checks.remove_missing_tags,
      httpProxy: orNull(v.http_proxy),
      httpsProxy: orNull(v.https_proxy),
      noProxy: orNull(v.no_proxy),
    },
  };
}

/** Only what differs from the stored mirror (each change is a log row); the password only when typed. */
function changeOf(typed: Typed, stored: MirrorView): MirrorChange {
  const change: MirrorChange = {};
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  for (const key of ["isEnabled", "externalReference", "tagGlobs", "syncIntervalS", "robotUsername", "verifyTls", "removeMissingTags", "httpProxy", "httpsProxy", "noProxy"] as const) {
    if (!same(typed[key], stored[key])) (change as Record<string, unknown>)[key] = typed[key];
  }
  if (typed.syncStartDate.getTime() !== stored.syncStartDate.getTime()) change.syncStartDate = typed.syncStartDate;
  if (typed.username !== stored.username || stored.usernameInvalid || typed.password) change.username = typed.username;
  if (typed.password) change.password = typed.password;
  return change;
}

export function repositoryMirrorPages(deps: AppDeps): Hono<WebEnv> {
  const app = new Hono<WebEnv>();
  const actor = (c: WebContext) => ({ principal: c.get("principal"), ip: clientIp(c, deps.config) });
  const route = (prefix: string) => `${prefix}/:namespace/:name{.+}`;
  const backTo = (repo: Repository, notice: NoticeKey) => `${mirrorPagePath(repoPath(repo))}?done=${notice}`;

  /** The status; it polls only while the job would pick the mirror up (enabled, in state MIRROR). */
  function statusOf(repo: Repository, mirror: MirrorView): MirrorStatusView {
    const running = mirror.syncStatus === "SYNCING" || mirror.syncStatus === "SYNC_NOW";
    const due = mirror.syncStartDate.getTime() <= deps.clock.now().getTime();
    return {
      status: mirror.syncStatus,
      isEnabled: mirror.isEnabled,
      lastSyncAt: mirror.lastSyncAt,
      nextSyncAt: mirror.syncStartDate,
      lastError: mirror.lastError,
      active: repo.state === "MIRROR" && mirror.isEnabled && (running || due),
    };
  }

  async function mirrorPage(c: WebContext, repo: Repository, given?: MirrorForm, notice?: string) {
    const mirror = await getMirror(deps.db, repo.id);
    const form = given ?? formOf(mirror, deps.clock.now());
    const robots = (await listRobots(deps.db, { id: repo.namespaceId, name: repo.namespace })).map((r) => r.name);
    const props = {
      chrome: await chrome(deps, c),
      path: repoPath(repo),
      isMirror: repo.state === "MIRROR",
      source: mirror?.externalReference ?? null,
      status: mirror && statusOf(repo, mirror),
      form,
      robots,
      passwordSet: mirror?.username != null,
      notice,
    };
    return page(c, <RepositoryMirrorPage {...props} />, given && Object.keys(given.errors).length > 0 ? 400 : 200);
  }

  /** The status fragment (htmx's polling and buttons), or the page with a notice. */
  async function statusAnswer(c: WebContext, repo: Repository, notice?: NoticeKey) {
    const mirror = await getMirror(deps.db, repo.id);
    if (mirror && c.req.header("hx-request") === "true") {
      return fragment(c, <MirrorStatus path={repoPath(repo)} view={statusOf(repo, mirror)} csrfToken={c.get("session")?.csrfToken ?? null} />);
    }
    return notice ? c.redirect(backTo(repo, notice), 303) : mirrorPage(c, repo);
  }

  app.get(route("/repository-mirror"), async (c) => {
    const repo = await administeredRepository(deps, c);
    if (!repo) return notFoundPage(deps, c);
    c.header("Vary", "HX-Request, HX-Target");
    if (wantsFragment(c, MIRROR_STATUS_ID)) return statusAnswer(c, repo);
    const done = c.req.query("done");
    return mirrorPage(c, repo, undefined, done && done in NOTICES ? NOTICES[done as NoticeKey] : undefined);
  });

  app.post(route("/repository-mirror"), async (c) => {
    const repo = await administeredRepository(deps, c);
    if (!repo || repo.state !== "MIRROR") return notFoundPage(deps, c);
    const { form, typed } = await readForm(c);
    if (!typed) return mirrorPage(c, repo, form);
    const allowed = deps.config.ssrfAllowedHosts;
    try {
      const stored = await getMirror(deps.db, repo.id);
      if (stored) await updateMirror(deps, actor(c), repo, changeOf(typed, stored), allowed);
      else await createMirror(deps, actor(c), repo, { ...typed, unsignedImages: false, architectureFilter: [], skopeoTimeoutS: 300 }, allowed);
    } catch (err) {
      if (!(err instanceof DomainError) || err.code !== "INVALID_REQUEST") throw err;
      const field = mirrorFieldOf(err);
      const at = field === "skopeo_timeout_interval" || field === "architecture_filter" || field === undefined ? "form" : field;
      form.errors[at] = err.message;
      return mirrorPage(c, repo, form);
    }
    await wakeMirrorSync(deps.jobs);
    return c.redirect(backTo(repo, "saved"), 303);
  });

  app.post(route("/repository-mirror-state"), async (c) => {
    const repo = await administeredRepository(deps, c);
    if (!repo) return notFoundPage(deps, c);
    const state = String((await c.req.parseBody()).state ?? "");
    if (state !== "MIRROR" && state !== "NORMAL") return notFoundPage(deps, c);
    await setRepositoryState(deps, actor(c), repo, state);
    if (state === "MIRROR") await wakeMirrorSync(deps.jobs);
    return c.redirect(backTo(repo, state === "MIRROR" ? "mirror" : "normal"), 303);
  });

  app.post(route("/repository-mirror-sync"), async (c) => {
    const repo = await administeredRepository(deps, c);
    if (!repo) return notFoundPage(deps, c);
    const requested = await requestSyncNow(deps.db, actor(c), repo);
    if (requested) await wakeMirrorSync(deps.jobs);
    return statusAnswer(c, repo, requested ? "requested" : (await getMirror(deps.db, repo.id)) ? "running" : "unconfigured");
  });

  app.post(route("/repository-mirror-cancel"), async (c) => {
    const repo = await administeredRepository(deps, c);
    if (!repo) return notFoundPage(deps, c);
    const cancelled = await cancelSync(deps.db, repo, deps.clock.now());
    return statusAnswer(c, repo, cancelled ? "cancelled" : "idle");
  });

  return app;
}

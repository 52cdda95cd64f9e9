// A repository's Mirroring settings in the browser (Settings → Mirroring), for its admins (404 for
// anyone else): making it a mirror or a normal repository again (setRepositoryState, as the API's
// changestate), the settings (createMirror / updateMirror, each refusal at its field in the
// API's words), "Sync now" and "Cancel" (requestSyncNow / cancelSync), and the status fragment
// htmx polls while a sync is due or running.
import { Hono } from "hono";
import {
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
import { DEFAULT_INTERVAL_S, intervalValue, localValue, readMirrorForm, settingsChange } from "./mirror-form.ts";
import { chrome, fragment, notFoundPage, page, wantsFragment } from "./render.tsx";
import { administeredRepository } from "./repository-create-pages.tsx";
import type { WebContext, WebEnv } from "./session.ts";

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
  // The API's words for a date it cannot read.
  const { values, checks, schedule, access } = await readMirrorForm(c, MIRROR_TEXT_FIELDS, MIRROR_CHECKS, "Incorrect DateTime format for sync_start_date.");
  const form: MirrorForm = { values, checks, errors: {} };
  if ("errors" in schedule) return { form: { ...form, errors: schedule.errors } };
  const v = values;
  return {
    form,
    typed: {
      isEnabled: form.checks.is_enabled,
      externalReference: v.external_reference,
      tagGlobs: v.root_rule.split(",").map((glob) => glob.trim()).filter((glob) => glob !== ""),
      ...schedule,
      ...access,
      robotUsername: v.robot_username,
      removeMissingTags: form.checks.remove_missing_tags,
    },
  };
}

/** Only what differs from the stored mirror (each change is a log row); the password only when typed. */
const changeOf = (typed: Typed, stored: MirrorView): MirrorChange =>
  settingsChange(typed, stored, ["isEnabled", "externalReference", "tagGlobs", "syncIntervalS", "robotUsername", "verifyTls", "removeMissingTags", "httpProxy", "httpsProxy", "noProxy"]);

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

// A repository's notifications in the browser, for its admins (404 for anyone else): the list,
// creating one (event, then method, then their settings; refusals at their field), a test
// delivery, re-enabling one that failures disabled, deleting after a question. And the page an
// e-mail address's confirmation link opens (`/authrepoemail?code=`, Quay's address). The rules are
// the domain's, the same the API's /repository/{repo}/notification/ use.
import { Hono } from "hono";
import {
  DeleteNotificationPage,
  EmailConfirmedPage,
  NOTIFICATION_CONFIG_ID,
  NotificationConfigForm,
  type NotificationForm,
  type NotificationRow,
  RepositoryNotificationsPage,
} from "../../views/pages/repository-notifications.tsx";
import { clientIp } from "../client-ip.ts";
import type { AppDeps } from "../deps.ts";
import { findNamespace } from "../domain/accounts/namespaces.ts";
import { DomainError } from "../domain/errors.ts";
import { repoPath } from "../domain/names.ts";
import {
  confirmEmailAuthorization,
  isConfirmedEmail,
  isEmailAddress,
  requestEmailAuthorization,
} from "../domain/notifications/authorized-emails.ts";
import { isNotificationEvent, isNotificationMethod, NOTIFICATION_METHODS, type RepositoryNotification } from "../domain/notifications/catalog.ts";
import { queueTestNotification } from "../domain/notifications/delivery.ts";
import {
  createNotification,
  deleteNotification,
  findNotification,
  isDisabled,
  listNotifications,
  type NewNotification,
  problemField,
  resetNotificationFailures,
} from "../domain/notifications/notifications.ts";
import type { Repository } from "../domain/repositories/repositories.ts";
import { mailEmailAuthorization, mailer } from "../mail.ts";
import { baseUrl } from "../registry/deps.ts";
import { chrome, fragment, notFoundPage, page, wantsFragment } from "./render.tsx";
import { administeredRepository } from "./repository-create-pages.tsx";
import type { WebContext, WebEnv } from "./session.ts";

/** The form's text fields (named after the config keys they fill). */
const FORM_FIELDS = ["title", "level", "ref_regex", "days", "url", "template", "email", "flow_api_token", "notification_token", "room_id", "target_kind", "target_name"];

/** The form field a domain refusal names (`config.url` → `url`); undefined: the request as a whole. */
const FIELD_OF: Record<string, string> = {
  title: "title",
  "eventConfig.level": "level",
  "eventConfig.ref-regex": "ref_regex",
  "eventConfig.days": "days",
  "config.target": "target_name",
};
const formFieldOf = (field: string) => FIELD_OF[field] ?? (field.startsWith("config.") ? field.slice("config.".length) : undefined);

/** The notice after a change the page was redirected back from (`?created=<name>`…). */
const NOTICES = {
  created: (name: string) => `Created the notification ${name}.`,
  tested: (name: string) => `Queued a test of ${name}: it is sent in a moment.`,
  reenabled: (name: string) => `Re-enabled ${name}.`,
  deleted: (name: string) => `Deleted the notification ${name}.`,
};

const text = (raw: unknown) => (typeof raw === "string" ? raw.trim() : "");

/** What the form asks for, as the domain's create request. */
function requestOf(form: NotificationForm): NewNotification {
  const v = (name: string) => form.values[name] ?? "";
  const configs: Record<string, Record<string, unknown>> = {
    webhook: { url: v("url"), ...(v("template") ? { template: v("template") } : {}) },
    slack: { url: v("url") },
    flowdock: { flow_api_token: v("flow_api_token") },
    hipchat: { notification_token: v("notification_token"), room_id: v("room_id") },
    email: { email: v("email") },
    quay_notification: { target: { kind: v("target_kind") || "user", name: v("target_name") } },
  };
  const eventConfig =
    form.event === "vulnerability_found"
      ? v("level") === "" ? {} : { level: v("level") }
      : form.event.startsWith("build_")
        ? v("ref_regex") === "" ? {} : { "ref-regex": v("ref_regex") }
        : form.event === "repo_image_expiry"
          ? { days: v("days") }
          : {};
  return { event: form.event, method: form.method, config: configs[form.method] ?? {}, eventConfig, title: v("title") || null };
}

/** Where a notification goes, for the list (secrets such as tokens are not shown). */
function targetOf(n: RepositoryNotification): string {
  const c = n.config;
  const target = c.target as { kind?: string; name?: string } | undefined;
  if (n.method === "quay_notification" && target) return `${target.kind === "org" ? "organization" : target.kind} ${target.name}`;
  if (n.method === "hipchat") return `room ${String(c.room_id ?? "")}`;
  return typeof c.url === "string" ? c.url : typeof c.email === "string" ? c.email : "";
}

export function repositoryNotificationPages(deps: AppDeps): Hono<WebEnv> {
  const app = new Hono<WebEnv>();
  const actor = (c: WebContext) => ({ principal: c.get("principal"), ip: clientIp(c, deps.config) });
  const pagePath = (repo: Repository) => `/repository-notifications/${repoPath(repo)}`;
  const limit = deps.config.notificationFailureLimit;
  const methods = NOTIFICATION_METHODS.filter((m) => m !== "email" || mailer(deps.config) !== undefined);

  /** The dialog as a GET asks for it (`?event=&method=` open it at that choice). */
  function chosenForm(c: WebContext): NotificationForm {
    const event = c.req.query("event") ?? "";
    const method = c.req.query("method") ?? "";
    return {
      open: event !== "" || method !== "",
      event: isNotificationEvent(event) ? event : "repo_push",
      method: isNotificationMethod(method) && methods.includes(method) ? method : methods.includes("webhook") ? "webhook" : methods[0]!,
      values: {},
      errors: {},
    };
  }

  async function listPage(c: WebContext, repo: Repository, form: NotificationForm, notice?: string) {
    const rows: NotificationRow[] = (await listNotifications(deps.db, repo.id)).map((n) => ({
      uuid: n.uuid,
      title: n.title,
      event: n.event,
      method: n.method,
      target: targetOf(n),
      failures: n.numberOfFailures,
      disabled: isDisabled(n, limit),
    }));
    const isOrg = (await findNamespace(deps.db, repo.namespace))?.kind === "org";
    const failed = Object.keys(form.errors).length > 0 || form.problem !== undefined;
    return page(
      c,
      <RepositoryNotificationsPage
        chrome={await chrome(deps, c)}
        path={repoPath(repo)}
        rows={rows}
        methods={methods}
        isOrg={isOrg}
        form={form}
        notice={notice}
        failureLimit={limit}
      />,
      failed ? 400 : 200,
    );
  }

  /** The notification `?uuid=` names, of the repository the viewer administers. */
  async function named(c: WebContext): Promise<{ repo: Repository; notification: RepositoryNotification } | undefined> {
    const repo = await administeredRepository(deps, c);
    const notification = repo && (await findNotification(deps.db, repo.id, c.req.query("uuid") ?? ""));
    return repo && notification ? { repo, notification } : undefined;
  }
  const nameOf = (n: RepositoryNotification) => n.title ?? n.event;
  const backTo = (repo: Repository, done: keyof typeof NOTICES, n: RepositoryNotification) =>
    `${pagePath(repo)}?${new URLSearchParams({ [done]: nameOf(n) })}`;

  app.get("/repository-notifications/:namespace/:name{.+}", async (c) => {
    const repo = await administeredRepository(deps, c);
    if (!repo) return notFoundPage(deps, c);
    const form = chosenForm(c);
    c.header("Vary", "HX-Request, HX-Target");
    if (wantsFragment(c, NOTIFICATION_CONFIG_ID)) {
      const isOrg = (await findNamespace(deps.db, repo.namespace))?.kind === "org";
      return fragment(c, <NotificationConfigForm path={repoPath(repo)} form={form} isOrg={isOrg} csrfToken={c.get("session")?.csrfToken ?? null} />);
    }
    const done = (Object.keys(NOTICES) as (keyof typeof NOTICES)[]).find((key) => c.req.query(key) !== undefined);
    return listPage(c, repo, form, done && NOTICES[done](c.req.query(done)!));
  });

  app.post("/repository-notifications/:namespace/:name{.+}", async (c) => {
    const repo = await administeredRepository(deps, c);
    if (!repo) return notFoundPage(deps, c);
    const body = await c.req.parseBody();
    const form: NotificationForm = {
      open: true,
      event: text(body.event),
      method: text(body.method),
      values: Object.fromEntries(FORM_FIELDS.map((name) => [name, text(body[name])])),
      errors: {},
    };
    // A new address is asked to confirm first: the link goes out now, the notification once it is opened.
    const email = form.values.email!;
    const send = mailer(deps.config);
    if (form.method === "email" && send && isEmailAddress(email) && !(await isConfirmedEmail(deps.db, repo.id, email))) {
      const { code } = await requestEmailAuthorization(deps.db, repo, email);
      if (code) await mailEmailAuthorization(send, baseUrl(deps.config, c), email, repoPath(repo), code);
      form.errors.email = `A confirmation link was mailed to ${email}: open it, then create the notification again.`;
      return listPage(c, repo, form);
    }
    try {
      const created = await createNotification(deps, repo, requestOf(form), actor(c), deps.config.ssrfAllowedHosts);
      return c.redirect(backTo(repo, "created", created), 303);
    } catch (err) {
      if (!(err instanceof DomainError) || err.code !== "INVALID_REQUEST") throw err;
      const field = formFieldOf(problemField(err) ?? "");
      if (field) form.errors[field] = err.message;
      else form.problem = err.message;
      if (!isNotificationEvent(form.event)) form.event = "repo_push";
      return listPage(c, repo, form);
    }
  });

  app.post("/repository-notification-test/:namespace/:name{.+}", async (c) => {
    const found = await named(c);
    if (!found) return notFoundPage(deps, c);
    await queueTestNotification(deps, found.notification, baseUrl(deps.config, c));
    return c.redirect(backTo(found.repo, "tested", found.notification), 303);
  });

  app.post("/repository-notification-reset/:namespace/:name{.+}", async (c) => {
    const found = await named(c);
    if (!found) return notFoundPage(deps, c);
    await resetNotificationFailures(deps, found.repo, found.notification.uuid, actor(c));
    return c.redirect(backTo(found.repo, "reenabled", found.notification), 303);
  });

  app.get("/repository-notification-delete/:namespace/:name{.+}", async (c) => {
    const found = await named(c);
    if (!found) return notFoundPage(deps, c);
    return page(c, <DeleteNotificationPage chrome={await chrome(deps, c)} path={repoPath(found.repo)} row={found.notification} />);
  });

  app.post("/repository-notification-delete/:namespace/:name{.+}", async (c) => {
    const found = await named(c);
    if (!found) return notFoundPage(deps, c);
    await deleteNotification(deps, found.repo, found.notification.uuid, actor(c));
    return c.redirect(backTo(found.repo, "deleted", found.notification), 303);
  });

  // Opened from the mail, signed in or not: the code alone proves the address was reached.
  app.get("/authrepoemail", async (c) => {
    try {
      const confirmed = await confirmEmailAuthorization(deps.db, c.req.query("code") ?? "");
      const path = `${confirmed.namespace}/${confirmed.repository}`;
      return page(c, <EmailConfirmedPage chrome={await chrome(deps, c)} confirmed={{ email: confirmed.email, path }} />);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      return page(c, <EmailConfirmedPage chrome={await chrome(deps, c)} problem={err.message} />, 400);
    }
  });

  return app;
}

// A repository's notifications, for its admins: each with its event, method, title and whether
// failed deliveries disabled it (test, re-enable, delete after a question), and the create dialog:
// first the event and the method, then the settings they need. Choosing updates the settings in
// place with htmx; without it, "Show settings" does the same by loading the page.
import type { Child } from "hono/jsx";
import { Layout, Section } from "../layout.tsx";
import type { Chrome } from "../layout.tsx";
import { ConfirmCard } from "../partials/confirm-card.tsx";
import { Cell, DataTable } from "../partials/data-table.tsx";
import { EmptyState } from "../partials/empty-state.tsx";
import { CsrfField, FormActions, FormError, SelectField, TextField } from "../partials/form-field.tsx";
import { Notice } from "../partials/notice.tsx";

export const NOTIFICATION_CONFIG_ID = "notification-config";

/** Quay's names for the events and methods, as its UI shows them. */
export const EVENT_LABELS: Record<string, string> = {
  repo_push: "Push to repository",
  build_queued: "Build queued",
  build_start: "Build started",
  build_success: "Build completed",
  build_failure: "Build failed",
  build_cancelled: "Build cancelled",
  vulnerability_found: "Package vulnerability found",
  repo_mirror_sync_started: "Mirror sync started",
  repo_mirror_sync_success: "Mirror sync succeeded",
  repo_mirror_sync_failed: "Mirror sync failed",
  repo_image_expiry: "Image expiring soon",
};

export const METHOD_LABELS: Record<string, string> = {
  quay_notification: "In-app notification",
  email: "E-mail",
  webhook: "Webhook POST",
  slack: "Slack",
  flowdock: "Flowdock team inbox",
  hipchat: "HipChat room",
};

/** Quay's severities, worst first: the filter's `level` is the least severe one that still notifies. */
const SEVERITY_CHOICES = [
  { value: "", label: "Any severity" },
  ...["Critical", "High", "Medium", "Low", "Negligible", "Unknown"].map((s, i) => ({ value: String(i), label: i === 0 ? s : `${s} or worse` })),
];

export interface NotificationRow {
  uuid: string;
  title: string | null;
  event: string;
  method: string;
  /** Where it goes: a URL, an address, a user or team. */
  target: string;
  failures: number;
  disabled: boolean;
}

/** The create dialog: the chosen event and method, what was typed, and what was wrong with it (by field). */
export interface NotificationForm {
  open: boolean;
  event: string;
  method: string;
  values: Record<string, string>;
  errors: Record<string, string>;
  /** A problem of the request as a whole. */
  problem?: string;
}

export interface RepositoryNotificationsProps {
  chrome: Chrome;
  path: string;
  rows: NotificationRow[];
  /** Methods this installation offers (e-mail only with mail configured). */
  methods: string[];
  /** An organization's repository may also notify the organization and its teams. */
  isOrg: boolean;
  form: NotificationForm;
  notice?: string;
  failureLimit: number;
}

const pagePath = (path: string) => `/repository-notifications/${path}`;
const rowAction = (kind: "test" | "reset" | "delete", path: string, uuid: string) =>
  `/repository-notification-${kind}/${path}?${new URLSearchParams({ uuid })}`;
const nameOf = (row: Pick<NotificationRow, "title" | "event">) => row.title ?? EVENT_LABELS[row.event] ?? row.event;

function Status({ row, failureLimit }: { row: NotificationRow; failureLimit: number }) {
  if (row.disabled) {
    return (
      <span>
        <span class="pf-v6-c-label pf-m-outline pf-m-red" data-testid="notification-disabled">
          <span class="pf-v6-c-label__content">
            <span class="pf-v6-c-label__text">Disabled after {failureLimit} failed events</span>
          </span>
        </span>
      </span>
    );
  }
  return <span data-testid="notification-enabled">{row.failures > 0 ? `Enabled (${row.failures} failed in a row)` : "Enabled"}</span>;
}

/** A small button that posts to `action` on its own (test, re-enable). */
function RowButton({ action, csrfToken, label, text }: { action: string; csrfToken: string | null; label: string; text: string }) {
  return (
    <form method="post" action={action} class="qs-role-form">
      {csrfToken && <CsrfField token={csrfToken} />}
      <button class="pf-v6-c-button pf-m-secondary pf-m-small" type="submit" aria-label={label}>
        <span class="pf-v6-c-button__text">{text}</span>
      </button>
    </form>
  );
}

export function RepositoryNotificationsPage(props: RepositoryNotificationsProps) {
  const { chrome, path, rows, notice, failureLimit } = props;
  const csrfToken = chrome.csrfToken;
  return (
    <Layout chrome={chrome} title={`Notifications of ${path}`}>
      <Section>
        <h1 class="pf-v6-c-title pf-m-2xl qs-gap-below">
          Notifications of <a href={`/repository/${path}`}>{path}</a>
        </h1>
        {notice && <Notice text={notice} testid="notification-notice" />}
        <DataTable
          id="repository-notifications"
          label="Repository notifications"
          columns={["Title", "Event", "Method", "Status", "Actions"]}
          rows={rows}
          pager={null}
          empty={
            <EmptyState title="No notifications yet">
              Create one below to hear about pushes, builds, vulnerabilities or expiring images by webhook, e-mail, chat or in the app.
            </EmptyState>
          }
          row={(row) => (
            <tr class="pf-v6-c-table__tr" data-testid="notification-row">
              <Cell label="Title">{nameOf(row)}</Cell>
              <Cell label="Event">{EVENT_LABELS[row.event] ?? row.event}</Cell>
              <Cell label="Method">
                {METHOD_LABELS[row.method] ?? row.method}
                {row.target && <div>{row.target}</div>}
              </Cell>
              <Cell label="Status">
                <Status row={row} failureLimit={failureLimit} />
              </Cell>
              <Cell label="Actions">
                <div class="qs-role-form">
                  <RowButton action={rowAction("test", path, row.uuid)} csrfToken={csrfToken} label={`Test ${nameOf(row)}`} text="Test" />
                  {row.failures > 0 && (
                    <RowButton action={rowAction("reset", path, row.uuid)} csrfToken={csrfToken} label={`Re-enable ${nameOf(row)}`} text="Re-enable" />
                  )}
                  <a class="pf-v6-c-button pf-m-link pf-m-danger pf-m-small" href={rowAction("delete", path, row.uuid)} aria-label={`Delete ${nameOf(row)}`}>
                    <span class="pf-v6-c-button__text">Delete</span>
                  </a>
                </div>
              </Cell>
            </tr>
          )}
        />
        <CreateNotification {...props} />
      </Section>
    </Layout>
  );
}

/** "Create notification": a disclosure with the choice of event and method, then their settings. */
function CreateNotification({ path, methods, isOrg, form, chrome }: RepositoryNotificationsProps) {
  const eventChoices = Object.entries(EVENT_LABELS).map(([value, label]) => ({ value, label }));
  const methodChoices = methods.map((value) => ({ value, label: METHOD_LABELS[value] ?? value }));
  return (
    <details class="qs-gap-above" open={form.open} data-testid="create-notification">
      <summary class="pf-v6-c-button pf-m-primary">
        <span class="pf-v6-c-button__text">Create notification</span>
      </summary>
      <div class="pf-v6-c-card qs-gap-above">
        <div class="pf-v6-c-card__body">
          <form
            class="pf-v6-c-form qs-log-export-panel"
            method="get"
            action={pagePath(path)}
            hx-get={pagePath(path)}
            hx-trigger="change"
            hx-target={`#${NOTIFICATION_CONFIG_ID}`}
            hx-swap="outerHTML"
            data-testid="notification-choice"
          >
            <SelectField name="event" label="When this happens" value={form.event} options={eventChoices} />
            <SelectField name="method" label="Notify by" value={form.method} options={methodChoices} />
            {/* htmx swaps the settings as soon as a choice changes; without it, this button does. */}
            <noscript>
              <FormActions submit="Show settings" style="secondary" />
            </noscript>
          </form>
          <NotificationConfigForm path={path} form={form} isOrg={isOrg} csrfToken={chrome.csrfToken} />
        </div>
      </div>
    </details>
  );
}

/** The settings the chosen event and method need, and the button that creates the notification. */
export function NotificationConfigForm({ path, form, isOrg, csrfToken }: { path: string; form: NotificationForm; isOrg: boolean; csrfToken: string | null }) {
  const field = (name: string, label: string, more: { hint?: string; required?: boolean; type?: "text" | "email" } = {}) => (
    <TextField name={name} label={label} value={form.values[name] ?? ""} error={form.errors[name]} autocomplete="off" {...more} />
  );
  return (
    <form
      id={NOTIFICATION_CONFIG_ID}
      class="pf-v6-c-form qs-log-export-panel qs-gap-above"
      method="post"
      action={pagePath(path)}
      novalidate
      aria-label={`Settings of a ${EVENT_LABELS[form.event] ?? form.event} notification by ${METHOD_LABELS[form.method] ?? form.method}`}
    >
      {csrfToken && <CsrfField token={csrfToken} />}
      <input type="hidden" name="event" value={form.event} />
      <input type="hidden" name="method" value={form.method} />
      {form.problem && <FormError message={form.problem} />}
      {field("title", "Title", { hint: "Optional: how the list names it" })}
      {eventFields(form, field)}
      {methodFields(form, field, isOrg)}
      <FormActions submit="Create notification" />
    </form>
  );
}

type Field = (name: string, label: string, more?: { hint?: string; required?: boolean; type?: "text" | "email" }) => Child;

function eventFields(form: NotificationForm, field: Field): Child {
  if (form.event === "vulnerability_found") {
    return <SelectField name="level" label="Severity" value={form.values.level ?? ""} options={SEVERITY_CHOICES} error={form.errors.level} />;
  }
  if (form.event.startsWith("build_")) {
    return field("ref_regex", "Branches or tags (regular expression)", { hint: "Optional, e.g. heads/main; empty: every build" });
  }
  if (form.event === "repo_image_expiry") return field("days", "Days before a tag expires", { required: true });
  return null;
}

function methodFields(form: NotificationForm, field: Field, isOrg: boolean): Child {
  switch (form.method) {
    case "webhook":
      return (
        <>
          {field("url", "Webhook URL", { required: true, hint: "http or https; the event's JSON is POSTed to it" })}
          {field("template", "Body template", { hint: "Optional JSON with ${path} expressions into the event's data" })}
        </>
      );
    case "slack":
      return field("url", "Slack incoming webhook URL", { required: true });
    case "flowdock":
      return field("flow_api_token", "Flowdock API token", { required: true });
    case "hipchat":
      return (
        <>
          {field("room_id", "HipChat room ID", { required: true })}
          {field("notification_token", "Room notification token", { required: true })}
        </>
      );
    case "email":
      return field("email", "E-mail address", { required: true, type: "email", hint: "A new address first confirms by a link mailed to it" });
    case "quay_notification": {
      const kinds = [
        { value: "user", label: "A user" },
        ...(isOrg ? [{ value: "team", label: "A team of the organization" }, { value: "org", label: "The organization's admins" }] : []),
      ];
      return (
        <>
          <SelectField name="target_kind" label="Notify" value={form.values.target_kind ?? "user"} options={kinds} />
          {field("target_name", "User, team or organization name", { required: true })}
        </>
      );
    }
    default:
      return null;
  }
}

/** The question before a notification is deleted. */
export function DeleteNotificationPage({ chrome, path, row }: { chrome: Chrome; path: string; row: Pick<NotificationRow, "uuid" | "title" | "event"> }) {
  return (
    <Layout chrome={chrome} title={`Delete ${nameOf(row)}`}>
      <Section>
        <ConfirmCard
          title={`Delete the notification ${nameOf(row)}?`}
          text={`${path} will no longer send it. This cannot be undone.`}
          action={rowAction("delete", path, row.uuid)}
          submit="Delete notification"
          cancelHref={pagePath(path)}
          csrfToken={chrome.csrfToken}
        />
      </Section>
    </Layout>
  );
}

/** The page an e-mail confirmation link opens: done (with the repository), or why not. */
export function EmailConfirmedPage({ chrome, confirmed, problem }: { chrome: Chrome; confirmed?: { email: string; path: string }; problem?: string }) {
  return (
    <Layout chrome={chrome} title={confirmed ? "E-mail address confirmed" : "Confirmation failed"}>
      <Section>
        <div class="pf-v6-c-card qs-narrow" data-testid="email-confirmation">
          <div class="pf-v6-c-card__title">
            <h1 class="pf-v6-c-title pf-m-xl">{confirmed ? "E-mail address confirmed" : "Confirmation failed"}</h1>
          </div>
          <div class="pf-v6-c-card__body">
            {confirmed ? (
              <p>
                {confirmed.email} may now receive notifications of the repository <a href={`/repository/${confirmed.path}`}>{confirmed.path}</a>.
              </p>
            ) : (
              <p>{problem}</p>
            )}
          </div>
        </div>
      </Section>
    </Layout>
  );
}

// A repository's Mirroring settings, for its admins: making it a mirror (repository state MIRROR)
// or a normal repository again; the mirror's status (refreshed in place by htmx while a sync is
// due or running) with "Sync now" and "Cancel"; and its settings (upstream reference, tag globs,
// credentials whose password is never shown back, schedule, robot, TLS and proxies), each
// refusal at its field. And the banner every page of a mirror repository shows.
import type { Child } from "hono/jsx";
import { isoTime } from "../format.ts";
import { Layout, Section } from "../layout.tsx";
import type { Chrome } from "../layout.tsx";
import { DescriptionItem } from "../partials/description-list.tsx";
import { EmptyState } from "../partials/empty-state.tsx";
import { CheckField, CsrfField, FormActions, FormError, TextField } from "../partials/form-field.tsx";
import { ConnectionFields, CredentialFields, RobotSelect, ScheduleFields } from "../partials/mirror-fields.tsx";
import { Notice } from "../partials/notice.tsx";
import { SectionCard } from "../partials/section-card.tsx";

export const MIRROR_STATUS_ID = "mirror-status";
/** How often the status asks again while a sync is due or running. */
const POLL = "every 2s";

export const mirrorPagePath = (path: string) => `/repository-mirror/${path}`;
export const mirrorActionPath = (action: "state" | "sync" | "cancel", path: string) => `/repository-mirror-${action}/${path}`;

/** The text fields and checkboxes of the settings form (named as the API's fields). */
export const MIRROR_TEXT_FIELDS = [
  "external_reference",
  "root_rule",
  "external_registry_username",
  "sync_interval",
  "sync_interval_unit",
  "sync_start_date",
  "robot_username",
  "http_proxy",
  "https_proxy",
  "no_proxy",
] as const;
export const MIRROR_CHECKS = ["is_enabled", "verify_tls", "remove_missing_tags"] as const;
export type MirrorTextField = (typeof MIRROR_TEXT_FIELDS)[number];
export type MirrorCheck = (typeof MIRROR_CHECKS)[number];

export interface MirrorForm {
  values: Record<MirrorTextField, string>;
  checks: Record<MirrorCheck, boolean>;
  errors: Partial<Record<MirrorTextField | "external_registry_password" | "form", string>>;
}

export interface MirrorStatusView {
  status: "NEVER_RUN" | "SYNC_NOW" | "SYNCING" | "SUCCESS" | "FAIL" | "CANCEL";
  isEnabled: boolean;
  lastSyncAt: Date | null;
  nextSyncAt: Date;
  lastError: string | null;
  /** A sync is requested, running, or its start has passed: the status keeps refreshing. */
  active: boolean;
}

const STATUS_TEXT: Record<MirrorStatusView["status"], { label: string; color: string }> = {
  NEVER_RUN: { label: "Never run", color: "grey" },
  SYNC_NOW: { label: "Sync requested", color: "blue" },
  SYNCING: { label: "Syncing", color: "blue" },
  SUCCESS: { label: "Success", color: "green" },
  FAIL: { label: "Failed", color: "red" },
  CANCEL: { label: "Cancelled", color: "orange" },
};

export const At = ({ date }: { date: Date }) => <time datetime={isoTime(date)}>{isoTime(date).replace("T", " ").slice(0, 16)} UTC</time>;

/** The banner on every page of a mirror repository. */
export function MirrorBanner({ source }: { source: string | null }) {
  return (
    <div class="pf-v6-c-alert pf-m-info pf-m-inline qs-gap-below" data-testid="mirror-banner">
      <p class="pf-v6-c-alert__title">
        {source ? (
          <>
            This repository is a mirror of <code>{source}</code>.
          </>
        ) : (
          "This repository is a mirror; its upstream is not configured yet."
        )}
      </p>
      <div class="pf-v6-c-alert__description">Its tags are synced from there; only the mirror's robot account pushes to it.</div>
    </div>
  );
}

/** A button posting to one of the mirror's actions; with htmx it swaps the status in place. */
function StatusButton({ action, csrfToken, text, style }: { action: string; csrfToken: string | null; text: string; style: "primary" | "secondary" }) {
  return (
    <form method="post" action={action} hx-post={action} hx-target={`#${MIRROR_STATUS_ID}`} hx-swap="outerHTML" class="qs-role-form">
      {csrfToken && <CsrfField token={csrfToken} />}
      <button class={`pf-v6-c-button pf-m-${style}`} type="submit">
        <span class="pf-v6-c-button__text">{text}</span>
      </button>
    </form>
  );
}

/** A sync status as a coloured label (a mirror's, or one repository's of an organization mirror). */
export function SyncStatusLabel({ status }: { status: MirrorStatusView["status"] }) {
  const text = STATUS_TEXT[status];
  return (
    <span class={`pf-v6-c-label pf-m-outline pf-m-${text.color}`}>
      <span class="pf-v6-c-label__content">
        <span class="pf-v6-c-label__text">{text.label}</span>
      </span>
    </span>
  );
}

export interface SyncStatusProps {
  view: MirrorStatusView;
  csrfToken: string | null;
  /** What htmx asks again while the status is active (answered with this fragment). */
  pollPath: string;
  /** The buttons' actions; none for those who may only read. */
  syncAction?: string;
  cancelAction?: string;
  /** More that refreshes with the status (an organization mirror's repositories). */
  children?: Child;
}

/** A mirror's status, last and next sync, and its buttons: the fragment htmx refreshes. */
export function SyncStatus({ view, csrfToken, pollPath, syncAction, cancelAction, children }: SyncStatusProps) {
  const running = view.status === "SYNCING" || view.status === "SYNC_NOW";
  const poll = view.active ? { "hx-get": pollPath, "hx-trigger": POLL, "hx-swap": "outerHTML" } : {};
  return (
    <div id={MIRROR_STATUS_ID} data-testid={MIRROR_STATUS_ID} {...poll}>
      <dl class="pf-v6-c-description-list pf-m-horizontal qs-gap-below" aria-live="polite">
        <DescriptionItem term="Status" testid="mirror-sync-status">
          <SyncStatusLabel status={view.status} />
        </DescriptionItem>
        <DescriptionItem term="Last sync" testid="mirror-last-sync">
          {view.lastSyncAt ? <At date={view.lastSyncAt} /> : "Never"}
        </DescriptionItem>
        <DescriptionItem term="Next sync" testid="mirror-next-sync">
          {view.status === "SYNC_NOW" ? "Now (requested)" : !view.isEnabled ? "None: mirroring is disabled" : <At date={view.nextSyncAt} />}
        </DescriptionItem>
        {view.status === "FAIL" && view.lastError && <DescriptionItem term="Error">{view.lastError}</DescriptionItem>}
      </dl>
      {syncAction && cancelAction && (
        <div class="qs-role-form">
          {running ? (
            <StatusButton action={cancelAction} csrfToken={csrfToken} text="Cancel sync" style="secondary" />
          ) : (
            <StatusButton action={syncAction} csrfToken={csrfToken} text="Sync now" style="primary" />
          )}
        </div>
      )}
      {children}
    </div>
  );
}

/** A repository mirror's status fragment. */
export function MirrorStatus({ path, view, csrfToken }: { path: string; view: MirrorStatusView; csrfToken: string | null }) {
  return <SyncStatus view={view} csrfToken={csrfToken} pollPath={mirrorPagePath(path)} syncAction={mirrorActionPath("sync", path)} cancelAction={mirrorActionPath("cancel", path)} />;
}

function StateForm({ path, csrfToken, state, text, style }: { path: string; csrfToken: string | null; state: string; text: string; style: "primary" | "danger" }) {
  return (
    <form method="post" action={mirrorActionPath("state", path)}>
      {csrfToken && <CsrfField token={csrfToken} />}
      <input type="hidden" name="state" value={state} />
      <button class={`pf-v6-c-button pf-m-${style}`} type="submit">
        <span class="pf-v6-c-button__text">{text}</span>
      </button>
    </form>
  );
}

function SettingsForm({ path, form, robots, passwordSet, csrfToken }: { path: string; form: MirrorForm; robots: string[]; passwordSet: boolean; csrfToken: string | null }) {
  const { values, errors } = form;
  return (
    <form class="pf-v6-c-form" method="post" action={mirrorPagePath(path)} novalidate aria-label="Mirror settings">
      {csrfToken && <CsrfField token={csrfToken} />}
      {errors.form && <FormError message={errors.form} />}
      <CheckField name="is_enabled" label="Enabled: sync on the schedule below" checked={form.checks.is_enabled} />
      <TextField name="external_reference" label="Registry location" value={values.external_reference} error={errors.external_reference} hint="The upstream repository, e.g. registry.example.com/namespace/repository" autocomplete="off" required />
      <TextField name="root_rule" label="Tags" value={values.root_rule} error={errors.root_rule} hint="Comma-separated globs of the tags to sync, e.g. 1-*, latest, v?.*" autocomplete="off" required />
      <CredentialFields values={values} errors={errors} passwordSet={passwordSet} />
      <ScheduleFields values={values} errors={errors} />
      <RobotSelect values={values} errors={errors} robots={robots} owner="namespace" hint="Pushes the synced images; it is given write on this repository" />
      <CheckField name="remove_missing_tags" label="Remove tags that are gone upstream" checked={form.checks.remove_missing_tags} />
      <ConnectionFields values={values} errors={errors} verifyTls={form.checks.verify_tls} />
      <FormActions submit="Save mirror settings" />
    </form>
  );
}

export interface RepositoryMirrorProps {
  chrome: Chrome;
  path: string;
  /** The repository is in state MIRROR. */
  isMirror: boolean;
  /** Where it mirrors from; null while not configured. */
  source: string | null;
  status?: MirrorStatusView;
  form: MirrorForm;
  robots: string[];
  passwordSet: boolean;
  notice?: string;
}

export function RepositoryMirrorPage(props: RepositoryMirrorProps) {
  const { chrome, path, isMirror, source, status, notice } = props;
  const csrfToken = chrome.csrfToken;
  return (
    <Layout chrome={chrome} title={`Mirroring of ${path}`}>
      <Section>
        <h1 class="pf-v6-c-title pf-m-2xl qs-gap-below">
          Mirroring of <a href={`/repository/${path}`}>{path}</a>
        </h1>
        {isMirror && <MirrorBanner source={source} />}
        {notice && <Notice text={notice} testid="mirror-notice" />}
        {!isMirror ? (
          <EmptyState title="Not a mirror" actions={<StateForm path={path} csrfToken={csrfToken} state="MIRROR" text="Make this a mirror repository" style="primary" />}>
            A mirror repository keeps copies of an upstream repository's tags, synced on a schedule. Pushes from users are then refused: only the mirror's robot account writes to it.
          </EmptyState>
        ) : (
          <>
            <SectionCard id="mirror-sync" title="Sync status">
              {status ? (
                <MirrorStatus path={path} view={status} csrfToken={csrfToken} />
              ) : (
                <EmptyState title="No upstream configured yet">Fill in the settings below to start mirroring.</EmptyState>
              )}
            </SectionCard>
            <SectionCard id="mirror-settings" title="Mirror settings">
              <SettingsForm path={path} form={props.form} robots={props.robots} passwordSet={props.passwordSet} csrfToken={csrfToken} />
            </SectionCard>
            <SectionCard id="mirror-state" title="Stop mirroring">
              <p class="qs-gap-below">The repository becomes a normal one again: its tags stay, users with write may push, and no more syncs run.</p>
              <StateForm path={path} csrfToken={csrfToken} state="NORMAL" text="Make this a normal repository" style="danger" />
            </SectionCard>
          </>
        )}
      </Section>
    </Layout>
  );
}

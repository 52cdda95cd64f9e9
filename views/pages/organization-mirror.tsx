// An organization's Mirroring tab: for its admins, an empty state with the form that makes the
// organization a mirror of an upstream registry's namespace, then the settings (editable; the
// password never shown back), the status with Sync now / Cancel refreshed in place by htmx while a
// sync is due or running, the repositories the sync found (paged, refreshed with the status), and
// Delete after a question. Members read the status and the repositories.
import type { Chrome } from "../layout.tsx";
import { ConfirmCard } from "../partials/confirm-card.tsx";
import { Cell, DataTable } from "../partials/data-table.tsx";
import { DescriptionItem } from "../partials/description-list.tsx";
import { EmptyState } from "../partials/empty-state.tsx";
import { CheckField, CsrfField, FormActions, FormError, SelectField, TextField } from "../partials/form-field.tsx";
import { ConnectionFields, CredentialFields, RobotSelect, ScheduleFields } from "../partials/mirror-fields.tsx";
import { Notice } from "../partials/notice.tsx";
import type { PagerProps } from "../partials/pager.tsx";
import { SectionCard } from "../partials/section-card.tsx";
import { OrganizationFrame, type OrganizationViewer } from "./organization.tsx";
import { At, type MirrorStatusView, SyncStatus, SyncStatusLabel } from "./repository-mirror.tsx";

export const orgMirrorPath = (org: string, action?: "sync" | "cancel" | "remove") => `/organization/${org}/mirroring${action ? `/${action}` : ""}`;
export const ORG_MIRROR_REPOS_ID = "org-mirror-repositories";

/** The text fields and checkboxes of the settings form (named as the API's fields). */
export const ORG_MIRROR_TEXT_FIELDS = [
  "external_registry_type",
  "external_registry_url",
  "external_namespace",
  "repository_filters",
  "robot_username",
  "visibility",
  "sync_interval",
  "sync_interval_unit",
  "sync_start_date",
  "external_registry_username",
  "http_proxy",
  "https_proxy",
  "no_proxy",
] as const;
export const ORG_MIRROR_CHECKS = ["is_enabled", "verify_tls"] as const;
type TextName = (typeof ORG_MIRROR_TEXT_FIELDS)[number];

export interface OrgMirrorForm {
  values: Record<TextName, string>;
  checks: Record<(typeof ORG_MIRROR_CHECKS)[number], boolean>;
  errors: Partial<Record<TextName | "external_registry_password" | "form", string>>;
}

export interface OrgMirrorRepositoryItem {
  name: string;
  status: MirrorStatusView["status"];
  lastSyncAt: Date | null;
  message: string | null;
  /** The repository exists here (it links to it). */
  exists: boolean;
}

export interface OrgMirrorState {
  source: string;
  status: MirrorStatusView;
  repositories: OrgMirrorRepositoryItem[];
  pager: PagerProps | null;
  /** The page the status polls (keeps the table's page). */
  pollPath: string;
}

export interface OrgMirrorPageProps {
  chrome: Chrome;
  org: string;
  viewer: OrganizationViewer;
  mirror?: OrgMirrorState;
  /** Admins: the settings form (a new mirror's, or the stored settings). */
  form?: OrgMirrorForm;
  robots: string[];
  passwordSet: boolean;
  notice?: string;
}

function SettingsForm({ org, form, robots, passwordSet, csrfToken, isNew }: { org: string; form: OrgMirrorForm; robots: string[]; passwordSet: boolean; csrfToken: string | null; isNew: boolean }) {
  const { values, errors } = form;
  const text = (name: "external_registry_url" | "external_namespace" | "repository_filters", label: string, hint: string, required = false) => (
    <TextField name={name} label={label} value={values[name]} error={errors[name]} hint={hint} autocomplete="off" required={required} />
  );
  return (
    <form class="pf-v6-c-form" method="post" action={orgMirrorPath(org)} novalidate aria-label="Organization mirror settings">
      {csrfToken && <CsrfField token={csrfToken} />}
      {errors.form && <FormError message={errors.form} />}
      <CheckField name="is_enabled" label="Enabled: sync on the schedule below" checked={form.checks.is_enabled} />
      <SelectField
        name="external_registry_type"
        label="Registry type"
        value={values.external_registry_type}
        options={[
          { value: "quay", label: "Quay" },
          { value: "harbor", label: "Harbor" },
        ]}
        error={errors.external_registry_type}
        hint="How repositories are listed when the registry's catalog is closed"
      />
      {text("external_registry_url", "Registry URL", "e.g. https://registry.example.com", true)}
      {text("external_namespace", "Upstream namespace", "The organization or project whose repositories are mirrored", true)}
      {text("repository_filters", "Repository filters", "Comma-separated globs of repository names, e.g. app-*, tools; empty: every repository")}
      <RobotSelect values={values} errors={errors} robots={robots} owner="organization" hint="Pushes the synced images" />
      <SelectField
        name="visibility"
        label="Visibility"
        value={values.visibility}
        options={[
          { value: "private", label: "Private" },
          { value: "public", label: "Public" },
        ]}
        error={errors.visibility}
        hint="Of the repositories the sync creates"
      />
      <ScheduleFields values={values} errors={errors} />
      <CredentialFields values={values} errors={errors} passwordSet={passwordSet} />
      <ConnectionFields values={values} errors={errors} verifyTls={form.checks.verify_tls} />
      <FormActions submit={isNew ? "Start mirroring" : "Save mirror settings"} />
    </form>
  );
}

/** The repositories the sync found, each linking to its repository here. */
function RepositoryTable({ org, rows, pager }: { org: string; rows: OrgMirrorRepositoryItem[]; pager: PagerProps | null }) {
  return (
    <DataTable
      id={ORG_MIRROR_REPOS_ID}
      label="Mirrored repositories"
      columns={["Repository", "Status", "Last sync", "Message"]}
      rows={rows}
      pager={pager}
      empty={<EmptyState title="No repositories found yet">The next sync lists the upstream namespace's repositories here.</EmptyState>}
      row={(row) => (
        <tr class="pf-v6-c-table__tr" data-testid="org-mirror-repository">
          <Cell label="Repository">{row.exists ? <a href={`/repository/${org}/${row.name}`}>{row.name}</a> : row.name}</Cell>
          <Cell label="Status">
            <SyncStatusLabel status={row.status} />
          </Cell>
          <Cell label="Last sync">{row.lastSyncAt ? <At date={row.lastSyncAt} /> : "Never"}</Cell>
          <Cell label="Message" muted>
            {row.message ?? ""}
          </Cell>
        </tr>
      )}
    />
  );
}

/** The status and the repositories: the fragment htmx refreshes while a sync is due or running. */
export function OrgMirrorStatus({ org, mirror, admin, csrfToken }: { org: string; mirror: OrgMirrorState; admin: boolean; csrfToken: string | null }) {
  return (
    <SyncStatus
      view={mirror.status}
      csrfToken={csrfToken}
      pollPath={mirror.pollPath}
      syncAction={admin ? orgMirrorPath(org, "sync") : undefined}
      cancelAction={admin ? orgMirrorPath(org, "cancel") : undefined}
    >
      <h3 class="pf-v6-c-title pf-m-lg qs-gap-above qs-gap-below">Repositories</h3>
      <RepositoryTable org={org} rows={mirror.repositories} pager={mirror.pager} />
    </SyncStatus>
  );
}

export function OrgMirrorPage(props: OrgMirrorPageProps) {
  const { chrome, org, viewer, mirror, form, notice } = props;
  const csrfToken = chrome.csrfToken;
  const settings = form && <SettingsForm org={org} form={form} robots={props.robots} passwordSet={props.passwordSet} csrfToken={csrfToken} isNew={!mirror} />;
  return (
    <OrganizationFrame chrome={chrome} org={{ name: org }} viewer={viewer} tab="mirroring">
      {notice && <Notice text={notice} testid="mirror-notice" />}
      {!mirror ? (
        <>
          <EmptyState title="Not a mirror">
            An organization mirror copies every repository of an upstream registry's namespace (those its filters match) into this organization, synced on a schedule. The
            organization must hold no repositories yet.
          </EmptyState>
          {settings && (
            <SectionCard id="org-mirror-settings" title="Mirror an upstream namespace">
              {settings}
            </SectionCard>
          )}
        </>
      ) : (
        <>
          <SectionCard id="org-mirror-sync" title="Sync status">
            <dl class="pf-v6-c-description-list pf-m-horizontal qs-gap-below">
              <DescriptionItem term="Mirrors">
                <code>{mirror.source}</code>
              </DescriptionItem>
            </dl>
            <OrgMirrorStatus org={org} mirror={mirror} admin={viewer.admin} csrfToken={csrfToken} />
          </SectionCard>
          {settings && (
            <SectionCard id="org-mirror-settings" title="Mirror settings">
              {settings}
            </SectionCard>
          )}
          {viewer.admin && (
            <SectionCard id="org-mirror-delete" title="Stop mirroring">
              <p class="qs-gap-below">The mirror settings go; the repositories it created stay, and no more syncs run.</p>
              <a class="pf-v6-c-button pf-m-danger" href={orgMirrorPath(org, "remove")} data-testid="delete-org-mirror">
                <span class="pf-v6-c-button__text">Delete mirror</span>
              </a>
            </SectionCard>
          )}
        </>
      )}
    </OrganizationFrame>
  );
}

export function DeleteOrgMirrorPage({ chrome, org, source }: { chrome: Chrome; org: string; source: string }) {
  return (
    <OrganizationFrame chrome={chrome} org={{ name: org }} viewer={{ member: true, admin: true }} tab="mirroring">
      <ConfirmCard
        title="Delete the organization mirror?"
        headingLevel={2}
        text={`${org} stops mirroring ${source}. The repositories it created stay; no more syncs run.`}
        action={orgMirrorPath(org, "remove")}
        submit="Delete mirror"
        cancelHref={orgMirrorPath(org)}
        csrfToken={chrome.csrfToken}
      />
    </OrganizationFrame>
  );
}


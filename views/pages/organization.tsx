// An organization's pages: the frame with its tabs (Repositories, Teams and membership, Robot
// accounts, OAuth applications, Default permissions, Proxy cache, Mirroring, Usage logs, Settings — each shown to those it is for), the repositories tab, the settings tab
// (e-mail, time machine, and deleting the organization after typing its name), and the page
// that creates an organization.
import type { Child } from "hono/jsx";
import { type Chrome, Layout, Section } from "../layout.tsx";
import { Commands, EmptyState } from "../partials/empty-state.tsx";
import { CsrfField, focusedField, FormActions, FormError, SelectField, TextField } from "../partials/form-field.tsx";
import { RepoTable, type RepoTableProps } from "../partials/repo-table.tsx";
import { StorageUsed } from "../partials/storage-used.tsx";
import { SectionCard } from "../partials/section-card.tsx";
import { Tabs } from "../partials/tabs.tsx";

export type OrganizationTab = "repositories" | "teams" | "robots" | "applications" | "defaults" | "proxy-cache" | "mirroring" | "logs" | "settings";

/** Who is looking: a member sees the teams, an admin the settings too. */
export interface OrganizationViewer {
  member: boolean;
  admin: boolean;
}

export interface OrganizationFrameProps {
  chrome: Chrome;
  org: { name: string };
  viewer: OrganizationViewer;
  tab: OrganizationTab;
  children?: Child;
}

export function OrganizationFrame({ chrome, org, viewer, tab, children }: OrganizationFrameProps) {
  const base = `/organization/${org.name}`;
  const tabs: { tab: OrganizationTab; label: string; href: string; shown: boolean }[] = [
    { tab: "repositories", label: "Repositories", href: base, shown: true },
    { tab: "teams", label: "Teams and membership", href: `${base}/teams`, shown: viewer.member },
    { tab: "robots", label: "Robot accounts", href: `${base}/robots`, shown: viewer.member },
    { tab: "applications", label: "OAuth applications", href: `${base}/applications`, shown: viewer.admin },
    { tab: "defaults", label: "Default permissions", href: `${base}/default-permissions`, shown: viewer.admin },
    { tab: "proxy-cache", label: "Proxy cache", href: `${base}/proxy-cache`, shown: viewer.member },
    { tab: "mirroring", label: "Mirroring", href: `${base}/mirroring`, shown: viewer.member },
    { tab: "logs", label: "Usage logs", href: `${base}/logs`, shown: viewer.admin },
    { tab: "settings", label: "Settings", href: `${base}/settings`, shown: viewer.admin },
  ];
  const label = tabs.find((t) => t.tab === tab)!.label;
  return (
    <Layout chrome={chrome} title={`${org.name} · ${label}`}>
      <Section>
        <div class="qs-page-header">
          <h1 class="pf-v6-c-title pf-m-2xl">{org.name}</h1>
        </div>
        <Tabs label="Organization" tabs={tabs.filter((t) => t.shown).map((t) => ({ label: t.label, href: t.href, current: t.tab === tab }))} />
        {children}
      </Section>
    </Layout>
  );
}

export interface OrganizationReposProps {
  chrome: Chrome;
  org: { name: string };
  viewer: OrganizationViewer & { canCreate: boolean };
  table: RepoTableProps;
  /** Unique blob bytes of the organization's repositories; members only. */
  storageBytes?: number;
}

export function OrganizationReposPage({ chrome, org, viewer, table, storageBytes }: OrganizationReposProps) {
  const empty = viewer.canCreate ? (
    <EmptyState title="No repositories yet">
      Push an image and its repository appears here:
      <Commands lines={[`podman login ${table.registryHost}`, `podman push ${table.registryHost}/${org.name}/<repo>:<tag>`]} />
    </EmptyState>
  ) : (
    <EmptyState title="No repositories you can see">Its members have not shared any repository with you.</EmptyState>
  );
  return (
    <OrganizationFrame chrome={chrome} org={org} viewer={viewer} tab="repositories">
      <div class="qs-page-header qs-gap-below">
        <h2 class="pf-v6-c-title pf-m-xl">Repositories</h2>
        {viewer.canCreate && (
          <a class="pf-v6-c-button pf-m-secondary" href={`/repositories/new?namespace=${org.name}`} data-testid="create-repository">
            <span class="pf-v6-c-button__text">Create repository</span>
          </a>
        )}
      </div>
      {storageBytes !== undefined && <StorageUsed bytes={storageBytes} />}
      <RepoTable {...table} empty={empty} />
    </OrganizationFrame>
  );
}

/** A form's typed values and what was wrong with them, field by field (`form`: the whole form). */
export interface FormState {
  values: Record<string, string>;
  errors: Record<string, string>;
}

export const emptyForm = (): FormState => ({ values: {}, errors: {} });

/** Quay's default time-machine choices. */
export const TIME_MACHINE_OPTIONS: { seconds: number; label: string }[] = [
  { seconds: 0, label: "None (deleted tags cannot be restored)" },
  { seconds: 86_400, label: "1 day" },
  { seconds: 604_800, label: "1 week" },
  { seconds: 1_209_600, label: "2 weeks" },
  { seconds: 2_419_200, label: "4 weeks" },
];

export interface OrganizationSettingsProps {
  chrome: Chrome;
  org: { name: string; email: string; tagExpirationS: number };
  settings: FormState;
  remove: FormState;
  saved?: boolean;
}

export function OrganizationSettingsPage({ chrome, org, settings, remove, saved }: OrganizationSettingsProps) {
  const base = `/organization/${org.name}`;
  const csrf = chrome.csrfToken ? <CsrfField token={chrome.csrfToken} /> : null;
  const expiration = settings.values.tag_expiration_s ?? String(org.tagExpirationS);
  return (
    <OrganizationFrame chrome={chrome} org={org} viewer={{ member: true, admin: true }} tab="settings">
      {saved && (
        <div class="pf-v6-c-alert pf-m-success pf-m-inline qs-gap-below" role="status" data-testid="saved">
          <p class="pf-v6-c-alert__title">Settings saved.</p>
        </div>
      )}
      <SectionCard id="org-settings" title="Organization settings">
        <form class="pf-v6-c-form" method="post" action={`${base}/settings`} novalidate>
          {csrf}
          <TextField
            name="email"
            label="Contact e-mail"
            type="email"
            value={settings.values.email ?? org.email}
            error={settings.errors.email}
            autocomplete="email"
          />
          <SelectField
            name="tag_expiration_s"
            label="Time machine"
            options={TIME_MACHINE_OPTIONS.map((o) => ({ value: String(o.seconds), label: o.label }))}
            value={expiration}
            hint="How long deleted or moved tags stay restorable."
          />
          {settings.errors.form && <FormError message={settings.errors.form} />}
          <FormActions submit="Save settings" />
        </form>
      </SectionCard>
      <SectionCard id="delete-org" title="Delete organization">
        <p class="qs-gap-below">
          Deleting <strong>{org.name}</strong> deletes all its repositories, teams and robot accounts. This cannot be undone.
        </p>
        <form class="pf-v6-c-form" method="post" action={`${base}/delete`} novalidate>
          {csrf}
          <TextField
            name="confirm"
            label={`Type ${org.name} to confirm`}
            required
            value={remove.values.confirm}
            error={remove.errors.confirm}
            autocomplete="off"
            autofocus={remove.errors.confirm !== undefined}
          />
          <FormActions submit="Delete organization" style="danger" />
        </form>
      </SectionCard>
    </OrganizationFrame>
  );
}

const NEW_FIELDS = ["name", "email"] as const;

export function NewOrganizationPage({ chrome, form }: { chrome: Chrome; form: FormState }) {
  const focus = focusedField(NEW_FIELDS, form.errors);
  return (
    <Layout chrome={chrome} title="Create organization">
      <Section>
        <div class="pf-v6-c-card qs-narrow">
          <div class="pf-v6-c-card__title">
            <h1 class="pf-v6-c-title pf-m-xl">Create organization</h1>
          </div>
          <div class="pf-v6-c-card__body">
            <p class="qs-gap-below">
              An organization holds repositories that people share through its teams. You will be in its owners team.
            </p>
            <form class="pf-v6-c-form" method="post" action="/organizations/new" novalidate>
              {chrome.csrfToken && <CsrfField token={chrome.csrfToken} />}
              <TextField
                name="name"
                label="Organization name"
                required
                value={form.values.name}
                error={form.errors.name}
                hint="Lowercase letters, digits, and . _ or - between them"
                autocomplete="off"
                autofocus={focus === "name"}
              />
              <TextField
                name="email"
                label="Contact e-mail"
                type="email"
                value={form.values.email}
                error={form.errors.email}
                autocomplete="email"
                autofocus={focus === "email"}
              />
              {form.errors.form && <FormError message={form.errors.form} />}
              <FormActions submit="Create organization" cancelHref="/" />
            </form>
          </div>
        </div>
      </Section>
    </Layout>
  );
}

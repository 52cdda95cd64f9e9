// An organization's OAuth applications (a tab for its admins): the list with the create form,
// one application (its credentials, the edit form and assigning a token to a user), and the pages
// that ask before resetting its client secret or deleting it.
import type { Chrome } from "../layout.tsx";
import { Cell, DataTable } from "../partials/data-table.tsx";
import { EmptyState } from "../partials/empty-state.tsx";
import { CsrfField, focusedField, FormActions, TextField } from "../partials/form-field.tsx";
import { ScopeChecklist } from "../partials/scope-checklist.tsx";
import { type FormState, OrganizationFrame } from "./organization.tsx";
import { Breadcrumb } from "../partials/breadcrumb.tsx";

const ADMIN = { member: true, admin: true };
const FIELDS = ["name", "redirect_uri", "application_uri", "description", "avatar_email"] as const;

export interface ApplicationSummary {
  name: string;
  clientId: string;
  redirectUri: string;
}

export const applicationsPath = (org: string) => `/organization/${org}/applications`;

function ApplicationFields({ form }: { form: FormState }) {
  const focus = focusedField(FIELDS, form.errors);
  const field = (name: (typeof FIELDS)[number], label: string, extra: { required?: boolean; hint?: string; type?: "email" } = {}) => (
    <TextField name={name} label={label} value={form.values[name]} error={form.errors[name]} autocomplete="off" autofocus={focus === name && Object.keys(form.errors).length > 0} {...extra} />
  );
  return (
    <>
      {field("name", "Application name", { required: true })}
      {field("redirect_uri", "Redirect URI", { hint: "Where users are sent back with a token or code; paths under it are allowed too" })}
      {field("application_uri", "Application home page")}
      {field("description", "Description")}
      {field("avatar_email", "Avatar e-mail", { type: "email" })}
    </>
  );
}

export function ApplicationsPage({ chrome, org, apps, create, csrfToken }: { chrome: Chrome; org: { name: string }; apps: ApplicationSummary[]; create: FormState; csrfToken: string }) {
  const base = applicationsPath(org.name);
  return (
    <OrganizationFrame chrome={chrome} org={org} viewer={ADMIN} tab="applications">
      <h2 class="pf-v6-c-title pf-m-xl qs-gap-below">OAuth applications</h2>
      <DataTable
        id="applications"
        label="OAuth applications"
        columns={["Name", "Client ID", "Redirect URI"]}
        rows={apps}
        pager={null}
        empty={<EmptyState title="No applications yet">Register an application below so it can ask this organization's users for API tokens.</EmptyState>}
        row={(app) => (
          <tr class="pf-v6-c-table__tr">
            <Cell label="Name">
              <a href={`${base}/${app.clientId}`}>{app.name}</a>
            </Cell>
            <Cell label="Client ID">
              <code>{app.clientId}</code>
            </Cell>
            <Cell label="Redirect URI" muted={!app.redirectUri}>
              {app.redirectUri || "None"}
            </Cell>
          </tr>
        )}
      />
      <div class="pf-v6-c-card qs-gap-above" role="region" aria-labelledby="create-application-title">
        <div class="pf-v6-c-card__title">
          <h3 class="pf-v6-c-title pf-m-lg" id="create-application-title">
            Create application
          </h3>
        </div>
        <div class="pf-v6-c-card__body">
          <form class="pf-v6-c-form" method="post" action={base} novalidate>
            <CsrfField token={csrfToken} />
            <ApplicationFields form={create} />
            <FormActions submit="Create application" />
          </form>
        </div>
      </div>
    </OrganizationFrame>
  );
}

export interface ApplicationDetail extends ApplicationSummary {
  clientSecret: string;
}

/** Asking someone to authorize the application (Quay's assigned token): who, and which scopes. */
export interface AssignState {
  form: FormState;
  /** Scopes offered, with what each allows. */
  scopes: { name: string; title: string }[];
  /** Chosen scopes (the form's `scope` boxes). */
  chosen: string[];
  /** Set right after an assignment: to whom. */
  assigned?: string;
}

function AssignTokenForm({ path, assign, csrfToken }: { path: string; assign: AssignState; csrfToken: string }) {
  const errors = assign.form.errors;
  return (
    <section class="qs-gap-above" aria-labelledby="assign-title" data-testid="assign-token">
      <h3 class="pf-v6-c-title pf-m-lg qs-gap-below" id="assign-title">
        Assign a token to a user
      </h3>
      <p class="qs-muted qs-gap-below">
        The user sees the request under Settings, Authorized applications, and gets the token once they approve it.
      </p>
      {assign.assigned && (
        <div class="pf-v6-c-alert pf-m-success pf-m-inline qs-gap-below" role="status" data-testid="assigned">
          <p class="pf-v6-c-alert__title">Token assigned to {assign.assigned}: it is theirs once they approve it.</p>
        </div>
      )}
      <form class="pf-v6-c-form" method="post" action={`${path}/assign`} novalidate>
        <CsrfField token={csrfToken} />
        <TextField name="username" label="User" required value={assign.form.values.username} error={errors.username} autocomplete="off" autofocus={Boolean(errors.username)} />
        <ScopeChecklist scopes={assign.scopes} chosen={assign.chosen} legend="Permissions the token holds" error={errors.scope} />
        <FormActions submit="Assign token" />
      </form>
    </section>
  );
}

export function ApplicationPage({
  chrome,
  org,
  app,
  form,
  saved,
  assign,
  csrfToken,
}: { chrome: Chrome; org: { name: string }; app: ApplicationDetail; form: FormState; saved: boolean; assign: AssignState; csrfToken: string }) {
  const path = `${applicationsPath(org.name)}/${app.clientId}`;
  return (
    <OrganizationFrame chrome={chrome} org={org} viewer={ADMIN} tab="applications">
      <Breadcrumb trail={[{ href: applicationsPath(org.name), label: "OAuth applications" }]} />
      <h2 class="pf-v6-c-title pf-m-xl qs-gap-below">{app.name}</h2>
      {saved && (
        <div class="pf-v6-c-alert pf-m-success pf-m-inline qs-gap-below" role="status">
          <p class="pf-v6-c-alert__title">Saved</p>
        </div>
      )}
      <dl class="pf-v6-c-description-list pf-m-horizontal qs-gap-below" data-testid="credentials">
        <div class="pf-v6-c-description-list__group">
          <dt class="pf-v6-c-description-list__term">Client ID</dt>
          <dd class="pf-v6-c-description-list__description">
            <code>{app.clientId}</code>
          </dd>
        </div>
        <div class="pf-v6-c-description-list__group">
          <dt class="pf-v6-c-description-list__term">Client secret</dt>
          <dd class="pf-v6-c-description-list__description">
            <code data-testid="client-secret">{app.clientSecret}</code>
          </dd>
        </div>
      </dl>
      <div class="qs-page-header">
        <a class="pf-v6-c-button pf-m-secondary" href={`${path}/reset`}>
          <span class="pf-v6-c-button__text">Reset client secret</span>
        </a>
        <a class="pf-v6-c-button pf-m-danger" href={`${path}/delete`}>
          <span class="pf-v6-c-button__text">Delete application</span>
        </a>
      </div>
      <h3 class="pf-v6-c-title pf-m-lg qs-gap-above qs-gap-below">Edit</h3>
      <form class="pf-v6-c-form" method="post" action={path} novalidate>
        <CsrfField token={csrfToken} />
        <ApplicationFields form={form} />
        <FormActions submit="Save" />
      </form>
      <AssignTokenForm path={path} assign={assign} csrfToken={csrfToken} />
    </OrganizationFrame>
  );
}

const CONFIRM = {
  reset: {
    title: "Reset client secret?",
    text: "The application's current secret stops working at once: it must be configured with the new one to exchange codes for tokens. Tokens it already holds keep working.",
    button: "Reset client secret",
    style: "primary" as const,
  },
  delete: {
    title: "Delete application?",
    text: "The application and every token it was given are removed: anything using them is refused from now on. This cannot be undone.",
    button: "Delete application",
    style: "danger" as const,
  },
};

/** Asks before resetting an application's secret or deleting it. */
export function ApplicationConfirmPage({ chrome, org, app, action, csrfToken }: { chrome: Chrome; org: { name: string }; app: ApplicationSummary; action: "reset" | "delete"; csrfToken: string }) {
  const words = CONFIRM[action];
  const path = `${applicationsPath(org.name)}/${app.clientId}`;
  return (
    <OrganizationFrame chrome={chrome} org={org} viewer={ADMIN} tab="applications">
      <div class="pf-v6-c-card qs-narrow" role="alertdialog" aria-labelledby="confirm-title" aria-describedby="confirm-text">
        <div class="pf-v6-c-card__title">
          <h2 class="pf-v6-c-title pf-m-xl" id="confirm-title">
            {words.title}
          </h2>
        </div>
        <div class="pf-v6-c-card__body">
          <p class="qs-gap-below">
            <strong>{app.name}</strong>
          </p>
          <p id="confirm-text">{words.text}</p>
          <form method="post" action={`${path}/${action}`} class="qs-gap-above">
            <CsrfField token={csrfToken} />
            <FormActions submit={words.button} style={words.style} cancelHref={path} />
          </form>
        </div>
      </div>
    </OrganizationFrame>
  );
}

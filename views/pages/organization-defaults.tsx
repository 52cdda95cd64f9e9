// An organization's Default permissions tab (admins only): the prototypes granting a user, robot
// or team a role on every repository created in the organization (by anyone, or by one named
// user), each role changed on its row, removal asked first, and a form to add one.
import type { Chrome } from "../layout.tsx";
import { ConfirmCard } from "../partials/confirm-card.tsx";
import { Cell, DataTable } from "../partials/data-table.tsx";
import { EmptyState } from "../partials/empty-state.tsx";
import { CsrfField, FormActions, SelectField, TextField } from "../partials/form-field.tsx";
import { Notice } from "../partials/notice.tsx";
import { ROLE_CHOICES, RoleRowForm } from "../partials/role-form.tsx";
import { SectionCard } from "../partials/section-card.tsx";
import { OrganizationFrame } from "./organization.tsx";

export interface DefaultPermissionRow {
  id: string;
  /** Whose new repositories it applies to; null: anyone's. */
  activatingUser: string | null;
  delegate: string;
  delegateKind: "user" | "robot" | "team";
  role: "read" | "write" | "admin";
}

export interface DefaultPermissionForm {
  values: { activating_user: string; kind: "user" | "team"; name: string; role: string };
  errors: Partial<Record<"activating_user" | "name", string>>;
}

export const emptyDefaultPermissionForm = (): DefaultPermissionForm => ({
  values: { activating_user: "", kind: "team", name: "", role: "read" },
  errors: {},
});

const KIND_LABELS = { user: "user", robot: "robot", team: "team" };

export const defaultsPath = (org: string) => `/organization/${org}/default-permissions`;

export function DefaultPermissionsPage(
  { chrome, org, rows, form, notice }: { chrome: Chrome; org: string; rows: DefaultPermissionRow[]; form: DefaultPermissionForm; notice?: string },
) {
  const csrfToken = chrome.csrfToken;
  return (
    <OrganizationFrame chrome={chrome} org={{ name: org }} viewer={{ member: true, admin: true }} tab="defaults">
      {notice && <Notice text={notice} testid="defaults-notice" />}
      <DataTable
        id="default-permissions"
        label="Default permissions"
        columns={["Repository created by", "Granted to", "Role", ""]}
        rows={rows}
        pager={null}
        empty={<EmptyState title="No default permissions">Add one below to grant a role on every new repository of {org}.</EmptyState>}
        row={(row) => (
          <tr class="pf-v6-c-table__tr" data-testid="default-permission-row">
            <Cell label="Repository created by">{row.activatingUser ?? "Anyone"}</Cell>
            <Cell label="Granted to">
              {row.delegate} ({KIND_LABELS[row.delegateKind]})
            </Cell>
            <Cell label="Role">
              <RoleRowForm action={`${defaultsPath(org)}/${row.id}`} csrfToken={csrfToken} role={row.role} subject={row.delegate} />
            </Cell>
            <Cell label="Remove">
              <a class="pf-v6-c-button pf-m-link pf-m-danger" href={`${defaultsPath(org)}/${row.id}/delete`} aria-label={`Remove the default permission of ${row.delegate}`}>
                <span class="pf-v6-c-button__text">Remove</span>
              </a>
            </Cell>
          </tr>
        )}
      />
      <SectionCard id="add-default-permission" title="Add a default permission">
        <form class="pf-v6-c-form" method="post" action={defaultsPath(org)} novalidate>
          {csrfToken && <CsrfField token={csrfToken} />}
          <TextField
            name="activating_user"
            label="Repository created by (empty: anyone)"
            value={form.values.activating_user}
            error={form.errors.activating_user}
            autocomplete="off"
          />
          <SelectField
            name="kind"
            label="Grant to"
            value={form.values.kind}
            options={[
              { value: "team", label: "A team" },
              { value: "user", label: "A user or robot" },
            ]}
          />
          <TextField name="name" label="Team, user or robot (namespace+name)" value={form.values.name} error={form.errors.name} required autocomplete="off" />
          <SelectField name="role" label="Role" value={form.values.role} options={ROLE_CHOICES} />
          <FormActions submit="Add default permission" />
        </form>
      </SectionCard>
    </OrganizationFrame>
  );
}

export function DeleteDefaultPermissionPage({ chrome, org, row }: { chrome: Chrome; org: string; row: DefaultPermissionRow }) {
  return (
    <OrganizationFrame chrome={chrome} org={{ name: org }} viewer={{ member: true, admin: true }} tab="defaults">
      <ConfirmCard
        title={`Remove the default permission of ${row.delegate}?`}
        text={`New repositories of ${org} will no longer grant ${row.delegate} ${row.role}; repositories made so far keep their grants.`}
        action={`${defaultsPath(org)}/${row.id}/delete`}
        submit="Remove default permission"
        cancelHref={defaultsPath(org)}
        csrfToken={chrome.csrfToken}
        headingLevel={2}
      />
    </OrganizationFrame>
  );
}

// A repository's permissions, for its admins: the users, robots and teams holding a role (each
// changed on its own row, removed after a question), and a form to give someone a role.
import { Layout, Section } from "../layout.tsx";
import type { Chrome } from "../layout.tsx";
import { ConfirmCard } from "../partials/confirm-card.tsx";
import { Cell, DataTable } from "../partials/data-table.tsx";
import { EmptyState } from "../partials/empty-state.tsx";
import { CsrfField, FormActions, SelectField, TextField } from "../partials/form-field.tsx";
import { Notice } from "../partials/notice.tsx";
import { ROLE_CHOICES, RoleRowForm } from "../partials/role-form.tsx";
import { SectionCard } from "../partials/section-card.tsx";

export type GranteeKind = "user" | "robot" | "team";

export interface PermissionRow {
  kind: GranteeKind;
  name: string;
  role: "read" | "write" | "admin";
}

export interface AddPermissionForm {
  values: { kind: "user" | "team"; name: string; role: string };
  error?: string;
}

export interface RepositoryPermissionsProps {
  chrome: Chrome;
  path: string;
  rows: PermissionRow[];
  /** Teams can be granted only in an organization's repositories. */
  isOrg: boolean;
  form: AddPermissionForm;
  /** Names suggested by the add form: the namespace's robots, the organization's members and teams. */
  suggestions: string[];
  /** A notice after a change (whose role was saved or removed). */
  notice?: string;
}

const KIND_LABELS: Record<GranteeKind, string> = { user: "User", robot: "Robot", team: "Team" };
/** The grant's kind as the forms send it: robots are granted as users, by their full name. */
const formKind = (kind: GranteeKind) => (kind === "team" ? "team" : "user");

export function RepositoryPermissionsPage({ chrome, path, rows, isOrg, form, suggestions, notice }: RepositoryPermissionsProps) {
  const csrfToken = chrome.csrfToken;
  const removeHref = (row: PermissionRow) =>
    `/repository-permission-remove/${path}?${new URLSearchParams({ kind: formKind(row.kind), name: row.name })}`;
  return (
    <Layout chrome={chrome} title={`Permissions of ${path}`}>
      <Section>
        <h1 class="pf-v6-c-title pf-m-2xl qs-gap-below">
          Permissions of <a href={`/repository/${path}`}>{path}</a>
        </h1>
        {notice && <Notice text={notice} testid="permission-notice" />}
        <DataTable
          id="repository-permissions"
          label="Repository permissions"
          columns={["Account or team", "Kind", "Role", ""]}
          rows={rows}
          pager={null}
          empty={<EmptyState title="No permissions yet">Give users, robots{isOrg ? " or teams" : ""} a role below.</EmptyState>}
          row={(row) => (
            <tr class="pf-v6-c-table__tr" data-testid="permission-row">
              <Cell label="Account or team">{row.name}</Cell>
              <Cell label="Kind">{KIND_LABELS[row.kind]}</Cell>
              <Cell label="Role">
                <RoleRowForm
                  action={`/repository-permissions/${path}`}
                  csrfToken={csrfToken}
                  role={row.role}
                  subject={row.name}
                  hidden={{ kind: formKind(row.kind), name: row.name }}
                />
              </Cell>
              <Cell label="Remove">
                <a class="pf-v6-c-button pf-m-link pf-m-danger" href={removeHref(row)} aria-label={`Remove ${row.name}`}>
                  <span class="pf-v6-c-button__text">Remove</span>
                </a>
              </Cell>
            </tr>
          )}
        />
        <SectionCard id="add-permission" title="Add a permission">
          <form class="pf-v6-c-form" method="post" action={`/repository-permissions/${path}`} novalidate>
            {csrfToken && <CsrfField token={csrfToken} />}
            {isOrg && (
              <SelectField
                name="kind"
                label="Grant to"
                value={form.values.kind}
                options={[
                  { value: "user", label: "A user or robot" },
                  { value: "team", label: "A team" },
                ]}
              />
            )}
            <TextField
              name="name"
              label={isOrg ? "User, robot (namespace+name) or team" : "User or robot (namespace+name)"}
              value={form.values.name}
              error={form.error}
              required
              autocomplete="off"
              list="permission-names"
            />
            <datalist id="permission-names">
              {suggestions.map((name) => <option value={name} />)}
            </datalist>
            <SelectField name="role" label="Role" value={form.values.role} options={ROLE_CHOICES} />
            <FormActions submit="Add permission" />
          </form>
        </SectionCard>
      </Section>
    </Layout>
  );
}

/** The question before a grant is taken away. */
export function RemovePermissionPage({ chrome, path, row }: { chrome: Chrome; path: string; row: { kind: "user" | "team"; name: string } }) {
  return (
    <Layout chrome={chrome} title={`Remove ${row.name} from ${path}`}>
      <Section>
        <ConfirmCard
          title={`Remove ${row.name}'s role on ${path}?`}
          text={`${row.kind === "team" ? "The team's members" : row.name} will keep only the access given to them in other ways.`}
          action={`/repository-permission-remove/${path}?${new URLSearchParams(row)}`}
          submit="Remove permission"
          cancelHref={`/repository-permissions/${path}`}
          csrfToken={chrome.csrfToken}
        />
      </Section>
    </Layout>
  );
}

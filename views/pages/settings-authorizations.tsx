// "Authorized applications" in the user's settings: the tokens organization admins asked this
// user to authorize (Quay's assigned authorizations), each with Approve (the consent page, which
// uses the assignment up) and Decline (asked first).
import type { Chrome } from "../layout.tsx";
import { ConfirmCard } from "../partials/confirm-card.tsx";
import { Cell, DataTable } from "../partials/data-table.tsx";
import { EmptyState } from "../partials/empty-state.tsx";
import { SettingsLayout } from "./settings.tsx";

export interface AssignmentRow {
  uuid: string;
  application: string;
  organization: string;
  description: string;
  /** Each scope's title and name. */
  scopes: { name: string; title: string }[];
  /** The consent page's address for this assignment. */
  approveHref: string;
}

export function AuthorizationsPage({ chrome, assignments }: { chrome: Chrome; assignments: AssignmentRow[] }) {
  return (
    <SettingsLayout chrome={chrome} tab="authorizations" title="Authorized applications">
      <p class="qs-muted qs-gap-below">
        Administrators of an organization may ask you to authorize one of its applications. Nothing is granted until you
        approve; approving shows the permissions asked for once more, then your token.
      </p>
      <DataTable
        id="assignment-table"
        label="Applications waiting for your authorization"
        columns={["Application", "Organization", "Permissions", "Actions"]}
        rows={assignments}
        pager={null}
        empty={<EmptyState title="No applications waiting">When an organization's administrator asks you to authorize one of its applications, it appears here.</EmptyState>}
        row={(a) => (
          <tr class="pf-v6-c-table__tr" data-testid="assignment-row">
            <Cell label="Application">
              <strong>{a.application}</strong>
              {a.description && <div class="qs-muted">{a.description}</div>}
            </Cell>
            <Cell label="Organization">{a.organization}</Cell>
            <Cell label="Permissions">
              <ul class="pf-v6-c-list pf-m-plain">
                {a.scopes.map((s) => (
                  <li>
                    {s.title} <code>{s.name}</code>
                  </li>
                ))}
              </ul>
            </Cell>
            <Cell label="Actions">
              <a class="pf-v6-c-button pf-m-link pf-m-inline" href={a.approveHref} aria-label={`Approve ${a.application}`}>
                <span class="pf-v6-c-button__text">Approve</span>
              </a>{" "}
              <a class="pf-v6-c-button pf-m-link pf-m-inline pf-m-danger" href={`/settings/authorizations/${a.uuid}/decline`} aria-label={`Decline ${a.application}`}>
                <span class="pf-v6-c-button__text">Decline</span>
              </a>
            </Cell>
          </tr>
        )}
      />
    </SettingsLayout>
  );
}

/** Asks before declining an assignment. */
export function DeclineAuthorizationPage({ chrome, assignment }: { chrome: Chrome; assignment: AssignmentRow }) {
  return (
    <SettingsLayout chrome={chrome} tab="authorizations" title={`Decline ${assignment.application}?`}>
      <ConfirmCard
        title={`Decline “${assignment.application}”?`}
        headingLevel={2}
        text={`The request from ${assignment.organization} is removed; its administrators would have to assign it again.`}
        action={`/settings/authorizations/${assignment.uuid}/decline`}
        submit="Decline"
        cancelHref="/settings/authorizations"
        csrfToken={chrome.csrfToken}
      />
    </SettingsLayout>
  );
}

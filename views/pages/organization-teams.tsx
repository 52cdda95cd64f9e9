// An organization's teams and members: the "Teams and membership" tab (teams with their roles,
// the create form for admins, the people in its teams), one team's page (its members, adding
// and removing them), and the confirmation asked before removing a member or deleting a team.
import { type Chrome, Layout, Section } from "../layout.tsx";
import { ConfirmCard } from "../partials/confirm-card.tsx";
import { Cell, DataTable } from "../partials/data-table.tsx";
import { EmptyState } from "../partials/empty-state.tsx";
import { CsrfField, focusedField, FormActions, FormError, SelectField, TextField } from "../partials/form-field.tsx";
import { type FormState, OrganizationFrame, type OrganizationViewer } from "./organization.tsx";
import { Breadcrumb } from "../partials/breadcrumb.tsx";

export type TeamRoleName = "member" | "creator" | "admin";

const ROLE_TEXT: Record<TeamRoleName, string> = {
  member: "Member: only what the team is granted",
  creator: "Creator: may also create repositories",
  admin: "Admin: administers the organization",
};

export interface TeamRow {
  name: string;
  role: TeamRoleName;
  description: string;
  memberCount: number;
  repoCount: number;
}

export interface MemberRow {
  name: string;
  teams: string[];
}

export interface TeamsTabProps {
  chrome: Chrome;
  org: { name: string };
  viewer: OrganizationViewer;
  teams: TeamRow[];
  /** The people in the organization's teams (shown to admins). */
  members: MemberRow[];
  /** The create form (admins), with what was typed and what was wrong. */
  create?: FormState;
}

const CREATE_FIELDS = ["name", "description"] as const;

function CreateTeamForm({ org, form, csrfToken }: { org: string; form: FormState; csrfToken: string }) {
  const focus = focusedField(CREATE_FIELDS, form.errors);
  return (
    <div class="pf-v6-c-card qs-gap-below" role="region" aria-labelledby="create-team-title" data-testid="create-team">
      <div class="pf-v6-c-card__title">
        <h3 class="pf-v6-c-title pf-m-lg" id="create-team-title">
          Create team
        </h3>
      </div>
      <div class="pf-v6-c-card__body">
        <form class="pf-v6-c-form" method="post" action={`/organization/${org}/teams`} novalidate>
          <CsrfField token={csrfToken} />
          <TextField
            name="name"
            label="Team name"
            required
            value={form.values.name}
            error={form.errors.name}
            hint="2–255 lowercase letters or digits, optionally separated by single . _ or -"
            autocomplete="off"
            autofocus={Object.keys(form.errors).length > 0 && focus === "name"}
          />
          <TextField name="description" label="Description" value={form.values.description} error={form.errors.description} autocomplete="off" />
          <SelectField
            name="role"
            label="Role in the organization"
            options={(Object.keys(ROLE_TEXT) as TeamRoleName[]).map((role) => ({ value: role, label: ROLE_TEXT[role] }))}
            value={form.values.role ?? "member"}
          />
          {form.errors.form && <FormError message={form.errors.form} />}
          <FormActions submit="Create team" />
        </form>
      </div>
    </div>
  );
}

export function TeamsTab({ chrome, org, viewer, teams, members, create }: TeamsTabProps) {
  const base = `/organization/${org.name}`;
  return (
    <OrganizationFrame chrome={chrome} org={org} viewer={viewer} tab="teams">
      <h2 class="pf-v6-c-title pf-m-xl qs-gap-below">Teams</h2>
      {create && chrome.csrfToken && <CreateTeamForm org={org.name} form={create} csrfToken={chrome.csrfToken} />}
      <DataTable
        id="team-table"
        label="Teams"
        columns={["Team", "Role", "Members", "Repositories"]}
        rows={teams}
        pager={null}
        empty={<EmptyState title="No teams">This organization has no teams.</EmptyState>}
        row={(team) => (
          <tr class="pf-v6-c-table__tr" data-testid="team-row">
            <Cell label="Team">
              <a href={`${base}/teams/${team.name}`}>{team.name}</a>
              {team.description && <div class="qs-muted">{team.description}</div>}
            </Cell>
            <Cell label="Role">{team.role}</Cell>
            <Cell label="Members">{String(team.memberCount)}</Cell>
            <Cell label="Repositories">{String(team.repoCount)}</Cell>
          </tr>
        )}
      />
      {viewer.admin && (
        <>
          <h2 class="pf-v6-c-title pf-m-xl qs-gap-above qs-gap-below">Members</h2>
          <DataTable
            id="member-table"
            label="Members"
            columns={["Name", "Teams"]}
            rows={members}
            pager={null}
            empty={<EmptyState title="No members">Add people to a team to make them members.</EmptyState>}
            row={(m) => (
              <tr class="pf-v6-c-table__tr" data-testid="member-row">
                <Cell label="Name">{m.name}</Cell>
                <Cell label="Teams">{m.teams.join(", ")}</Cell>
              </tr>
            )}
          />
        </>
      )}
    </OrganizationFrame>
  );
}

export interface TeamPageProps {
  chrome: Chrome;
  org: { name: string };
  team: { name: string; role: TeamRoleName; description: string };
  members: { name: string; robot: boolean }[];
  canEdit: boolean;
  add: FormState;
  /** Set right after someone new to the organization was invited by mail rather than added. */
  invited?: string;
}

export function TeamPage({ chrome, org, team, members, canEdit, add, invited }: TeamPageProps) {
  const teamPath = `/organization/${org.name}/teams/${team.name}`;
  return (
    <Layout chrome={chrome} title={`${team.name} · ${org.name}`}>
      <Section>
        <Breadcrumb trail={[{ href: `/organization/${org.name}/teams`, label: <>{org.name} teams</> }]} />
        <div class="qs-page-header">
          <h1 class="pf-v6-c-title pf-m-2xl">Team {team.name}</h1>
        </div>
        <p data-testid="team-role">{ROLE_TEXT[team.role]}</p>
        <p class={team.description ? "" : "qs-muted"}>{team.description || "No description."}</p>
      </Section>
      <Section>
        <h2 class="pf-v6-c-title pf-m-xl qs-gap-below">Members</h2>
        {invited && (
          <div class="pf-v6-c-alert pf-m-success pf-m-inline qs-gap-below" role="status" data-testid="invited">
            <p class="pf-v6-c-alert__title">{invited} was invited by mail and joins on accepting.</p>
          </div>
        )}
        {canEdit && chrome.csrfToken && (
          <form class="pf-v6-c-form qs-gap-below" method="post" action={`${teamPath}/members`} novalidate data-testid="add-member">
            <CsrfField token={chrome.csrfToken} />
            <TextField
              name="member"
              label="Add a person or robot account"
              required
              value={add.values.member}
              error={add.errors.member}
              hint={`A user name, or a robot of ${org.name} (${org.name}+name)`}
              autocomplete="off"
              autofocus={add.errors.member !== undefined}
            />
            <FormActions submit="Add member" style="secondary" />
          </form>
        )}
        <DataTable
          id="team-member-table"
          label="Team members"
          columns={canEdit ? ["Name", "Kind", "Actions"] : ["Name", "Kind"]}
          rows={members}
          pager={null}
          empty={<EmptyState title="No members yet">{canEdit ? "Add people or robot accounts above." : "Nobody is in this team yet."}</EmptyState>}
          row={(m) => (
            <tr class="pf-v6-c-table__tr" data-testid="team-member-row">
              <Cell label="Name">{m.name}</Cell>
              <Cell label="Kind">{m.robot ? "Robot account" : "User"}</Cell>
              {canEdit && (
                <Cell label="Actions">
                  <a href={`${teamPath}/members/${m.name}/remove`} aria-label={`Remove ${m.name}`}>
                    Remove
                  </a>
                </Cell>
              )}
            </tr>
          )}
        />
      </Section>
      {canEdit && (
        <Section>
          <a class="pf-v6-c-button pf-m-danger" href={`${teamPath}/delete`}>
            <span class="pf-v6-c-button__text">Delete team</span>
          </a>
        </Section>
      )}
    </Layout>
  );
}

export interface TeamConfirmProps {
  chrome: Chrome;
  title: string;
  text: string;
  button: string;
  action: string;
  cancel: string;
  error?: string;
}

/** Asks before removing a member or deleting a team (a refusal shows in the card). */
export function TeamConfirmPage({ chrome, title, text, button, action, cancel, error }: TeamConfirmProps) {
  return (
    <Layout chrome={chrome} title={title}>
      <Section>
        <ConfirmCard
          title={title}
          text={text}
          action={action}
          submit={button}
          cancelHref={cancel}
          csrfToken={chrome.csrfToken}
          fields={error ? <FormError message={error} /> : undefined}
        />
      </Section>
    </Layout>
  );
}

export interface InvitationPageProps {
  chrome: Chrome;
  code: string;
  /** What the invitation is to; unset when it cannot be used (the reason is in `error`). */
  invitation?: { org: string; team: string; inviter: string | null };
  error?: string;
}

/** An invitation to a team, opened from its mail: join or decline. */
export function InvitationPage({ chrome, code, invitation, error }: InvitationPageProps) {
  return (
    <Layout chrome={chrome} title="Team invitation">
      <Section>
        <div class="pf-v6-c-card qs-narrow" role="region" aria-labelledby="invitation-title">
          <div class="pf-v6-c-card__title">
            <h1 class="pf-v6-c-title pf-m-xl" id="invitation-title">
              {invitation ? `Join team ${invitation.team} of ${invitation.org}?` : "This invitation cannot be used"}
            </h1>
          </div>
          <div class="pf-v6-c-card__body">
            {error && <FormError message={error} />}
            {invitation && chrome.csrfToken && (
              <>
                <p class="qs-gap-below">{invitation.inviter ? `${invitation.inviter} invited you.` : "You were invited."}</p>
                <div class="qs-page-header">
                  <form method="post" action="/confirminvite">
                    <CsrfField token={chrome.csrfToken} />
                    <input type="hidden" name="code" value={code} />
                    <button class="pf-v6-c-button pf-m-primary" type="submit" data-testid="accept">
                      <span class="pf-v6-c-button__text">Join team</span>
                    </button>
                  </form>
                  <form method="post" action="/confirminvite/decline">
                    <CsrfField token={chrome.csrfToken} />
                    <input type="hidden" name="code" value={code} />
                    <button class="pf-v6-c-button pf-m-secondary" type="submit" data-testid="decline">
                      <span class="pf-v6-c-button__text">Decline</span>
                    </button>
                  </form>
                </div>
              </>
            )}
          </div>
        </div>
      </Section>
    </Layout>
  );
}

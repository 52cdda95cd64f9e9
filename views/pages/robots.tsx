// A namespace's robot accounts: the list (with the create form when asked for), each robot's
// credentials link for those who administer them. An organization's is a tab of its page, a
// user's own a tab of their settings.
import type { Chrome } from "../layout.tsx";
import { OrganizationFrame } from "./organization.tsx";
import { SettingsLayout } from "./settings.tsx";
import { Cell, DataTable, TimeAgo } from "../partials/data-table.tsx";
import { EmptyState } from "../partials/empty-state.tsx";
import { CsrfField, focusedField, FormActions, FormError, SelectField, TextField } from "../partials/form-field.tsx";
import { ROLE_OPTIONS } from "./robot.tsx";

export interface RobotRow {
  name: string;
  shortName: string;
  description: string;
  createdAt: Date;
  lastAccessedAt: Date | null;
}

export interface RobotsPageProps {
  chrome: Chrome;
  /** The user or organization the robots belong to. */
  owner: { name: string; kind: "user" | "org" };
  /** Where this list lives (`/settings/robots` or `/organization/<name>/robots`). */
  basePath: string;
  robots: RobotRow[];
  /** Whether the viewer may create robots and see their credentials. */
  canAdmin: boolean;
  now: Date;
  /** The create form, when open: what was typed and what was wrong with it. */
  create?: {
    values: Record<string, string>;
    errors: Record<string, string>;
    /** The namespace's repositories, each to be given a role as the robot is created. */
    repositories: { repositoryId: number; name: string }[];
  };
}

/** The create form's field holding the role on a repository. */
export const roleField = (repositoryId: number) => `role-${repositoryId}`;

const CREATE_FIELDS = ["short", "description"] as const;

function CreateForm({ basePath, owner, create, csrfToken }: { basePath: string; owner: string; create: NonNullable<RobotsPageProps["create"]>; csrfToken: string }) {
  const focus = focusedField(CREATE_FIELDS, create.errors);
  return (
    <div class="pf-v6-c-card qs-gap-below" role="dialog" aria-labelledby="create-robot-title" data-testid="create-robot">
      <div class="pf-v6-c-card__title">
        <h3 class="pf-v6-c-title pf-m-lg" id="create-robot-title">
          Create robot account
        </h3>
      </div>
      <div class="pf-v6-c-card__body">
        <form class="pf-v6-c-form" method="post" action={basePath} novalidate>
          <CsrfField token={csrfToken} />
          <TextField
            name="short"
            label="Robot name"
            required
            value={create.values.short}
            error={create.errors.short}
            hint={`Its login will be ${owner}+<name>: 2–255 lowercase letters or digits, optionally separated by single . _ or -`}
            autocomplete="off"
            autofocus={focus === "short"}
          />
          <TextField
            name="description"
            label="Description"
            value={create.values.description}
            error={create.errors.description}
            autocomplete="off"
            autofocus={focus === "description"}
          />
          {create.repositories.length > 0 && (
            <fieldset class="pf-v6-c-form__fieldset" data-testid="create-robot-roles">
              <legend class="pf-v6-c-form__label">
                <span class="pf-v6-c-form__label-text">Repository permissions</span>
              </legend>
              {create.repositories.map((repo) => (
                <SelectField
                  name={roleField(repo.repositoryId)}
                  label={repo.name}
                  options={ROLE_OPTIONS}
                  value={create.values[roleField(repo.repositoryId)] ?? "none"}
                />
              ))}
            </fieldset>
          )}
          {create.errors.form && <FormError message={create.errors.form} />}
          <FormActions submit="Create robot account" cancelHref={basePath} />
        </form>
      </div>
    </div>
  );
}

function RobotList(props: RobotsPageProps) {
  const { chrome, owner, basePath, robots, canAdmin, now, create } = props;
  const createButton = canAdmin && !create && (
    <a class="pf-v6-c-button pf-m-primary" href={`${basePath}?create=1`} data-testid="create-robot-button">
      <span class="pf-v6-c-button__text">Create robot account</span>
    </a>
  );
  return (
    <>
      <h2 class="pf-v6-c-title pf-m-xl qs-gap-below">Robot accounts</h2>
      <p class="qs-muted qs-gap-below">
        Robot accounts sign in to the registry with a token of their own, for automation such as CI pipelines and
        deployments. They can do only what their repository permissions and teams allow.
      </p>
      {create && chrome.csrfToken && <CreateForm basePath={basePath} owner={owner.name} create={create} csrfToken={chrome.csrfToken} />}
      {robots.length > 0 && createButton && <div class="qs-gap-below">{createButton}</div>}
      <DataTable
        id="robot-table"
        label="Robot accounts"
        columns={["Name", "Description", "Created", "Last accessed"]}
        rows={robots}
        pager={null}
        empty={
          <EmptyState title="No robot accounts yet" actions={createButton || undefined}>
            {canAdmin ? "Create one to give a script or pipeline its own registry login." : "Its administrators have not created any."}
          </EmptyState>
        }
        row={(robot) => (
          <tr class="pf-v6-c-table__tr" data-testid="robot-row">
            <Cell label="Name">{canAdmin ? <a href={`${basePath}/${robot.shortName}`}>{robot.name}</a> : robot.name}</Cell>
            <Cell label="Description" muted>
              {robot.description}
            </Cell>
            <Cell label="Created">
              <TimeAgo date={robot.createdAt} now={now} />
            </Cell>
            <Cell label="Last accessed">{robot.lastAccessedAt ? <TimeAgo date={robot.lastAccessedAt} now={now} /> : "Never"}</Cell>
          </tr>
        )}
      />
    </>
  );
}

export function RobotsPage(props: RobotsPageProps) {
  const { chrome, owner, canAdmin } = props;
  if (owner.kind === "org") {
    return (
      <OrganizationFrame chrome={chrome} org={owner} viewer={{ member: true, admin: canAdmin }} tab="robots">
        <RobotList {...props} />
      </OrganizationFrame>
    );
  }
  return (
    <SettingsLayout chrome={chrome} tab="robots" title="Robot accounts">
      <RobotList {...props} />
    </SettingsLayout>
  );
}

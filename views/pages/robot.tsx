// One robot account's credentials, in every form a client wants them: the token itself, login
// commands, a Docker config.json, a Kubernetes pull secret and a Mesos tarball; and the ways to
// regenerate or delete it (each asks first, on a page of its own).
import { type Chrome, Layout, Section } from "../layout.tsx";
import { Cell, DataTable } from "../partials/data-table.tsx";
import { Commands, EmptyState } from "../partials/empty-state.tsx";
import { CsrfField, FormActions } from "../partials/form-field.tsx";
import { Breadcrumb } from "../partials/breadcrumb.tsx";

export interface RobotCredentials {
  token: string;
  dockerLogin: string;
  podmanLogin: string;
  dockerConfig: string;
  kubernetesSecret: string;
  /** File name the Kubernetes secret is offered under. */
  kubernetesFile: string;
}

export interface RobotPageProps {
  chrome: Chrome;
  robot: { name: string; description: string };
  /** The robots list this one belongs to. */
  basePath: string;
  /** This robot's page. */
  robotPath: string;
  credentials: RobotCredentials;
  /** Every repository of the owner's namespace with the robot's direct role there, and its teams. */
  permissions: { repositoryId: number; name: string; role: string | null }[];
  teams: string[];
  /** The repository whose role was just saved. */
  saved?: string;
  /** Set right after the token was regenerated. */
  regenerated?: boolean;
}

function Block({ title, testid, children }: { title: string; testid: string; children: string }) {
  return (
    <>
      <h3 class="pf-v6-c-title pf-m-md qs-gap-above">{title}</h3>
      <pre class="qs-command" data-testid={testid} tabindex={0} aria-label={title}>
        {children}
      </pre>
    </>
  );
}

/** The roles a robot may be given on a repository ("none": no role). */
export const ROLE_OPTIONS = [
  { value: "none", label: "None" },
  { value: "read", label: "Read" },
  { value: "write", label: "Write" },
  { value: "admin", label: "Admin" },
];

/** One repository's role for the robot, saved on its own. */
function RoleForm({ robotPath, csrfToken, row }: { robotPath: string; csrfToken: string | null; row: RobotPageProps["permissions"][number] }) {
  return (
    <form method="post" action={`${robotPath}/permissions`} class="qs-role-form">
      {csrfToken && <CsrfField token={csrfToken} />}
      <input type="hidden" name="repository" value={String(row.repositoryId)} />
      <span class="pf-v6-c-form-control">
        <select name="role" aria-label={`Role on ${row.name}`}>
          {ROLE_OPTIONS.map((o) => (
            <option value={o.value} selected={(row.role ?? "none") === o.value}>
              {o.label}
            </option>
          ))}
        </select>
      </span>
      <button class="pf-v6-c-button pf-m-secondary pf-m-small" type="submit" aria-label={`Save the role on ${row.name}`}>
        <span class="pf-v6-c-button__text">Save</span>
      </button>
    </form>
  );
}

function Permissions({ permissions, teams, robotPath, csrfToken, saved }: Pick<RobotPageProps, "permissions" | "teams" | "robotPath" | "saved"> & { csrfToken: string | null }) {
  return (
    <>
      <h2 class="pf-v6-c-title pf-m-xl" id="permissions">Permissions</h2>
      {saved !== undefined && (
        <div class="pf-v6-c-alert pf-m-success pf-m-inline qs-gap-below" role="status" data-testid="role-saved">
          <p class="pf-v6-c-alert__title">Saved the role on {saved}.</p>
        </div>
      )}
      <p class="qs-gap-below">{teams.length > 0 ? `Member of the teams ${teams.join(", ")}, whose grants it shares.` : "Member of no team."}</p>
      <DataTable
        id="robot-permissions"
        label="Repository permissions"
        columns={["Repository", "Role"]}
        rows={permissions}
        pager={null}
        empty={<EmptyState title="No repositories yet">Once its namespace has repositories, give the robot a role on them here.</EmptyState>}
        row={(p) => (
          <tr class="pf-v6-c-table__tr" data-testid="permission-row">
            <Cell label="Repository">{p.name}</Cell>
            <Cell label="Role">
              <RoleForm robotPath={robotPath} csrfToken={csrfToken} row={p} />
            </Cell>
          </tr>
        )}
      />
    </>
  );
}

export function RobotPage({ chrome, robot, basePath, robotPath, credentials, permissions, teams, saved, regenerated }: RobotPageProps) {
  return (
    <Layout chrome={chrome} title={`${robot.name} · Robot account`}>
      <Section>
        <Breadcrumb trail={[{ href: basePath, label: "Robot accounts" }]} />
        <div class="qs-page-header">
          <h1 class="pf-v6-c-title pf-m-2xl">{robot.name}</h1>
        </div>
        <p class={robot.description ? "" : "qs-muted"}>{robot.description || "No description."}</p>
        {regenerated && (
          <div class="pf-v6-c-alert pf-m-success pf-m-inline qs-gap-above" role="status" data-testid="regenerated">
            <p class="pf-v6-c-alert__title">The token was regenerated: the old one no longer works.</p>
          </div>
        )}
      </Section>
      <Section>
        <h2 class="pf-v6-c-title pf-m-xl">View credentials</h2>
        <p>Sign in to the registry with the user name {robot.name} and this token as the password.</p>
        <Block title="Robot token" testid="robot-token">
          {credentials.token}
        </Block>
        <h3 class="pf-v6-c-title pf-m-md qs-gap-above">Docker login</h3>
        <div data-testid="docker-login">
          <Commands lines={[credentials.dockerLogin]} />
        </div>
        <h3 class="pf-v6-c-title pf-m-md qs-gap-above">Podman login</h3>
        <div data-testid="podman-login">
          <Commands lines={[credentials.podmanLogin]} />
        </div>
        <Block title="Docker configuration (~/.docker/config.json)" testid="docker-config">
          {credentials.dockerConfig}
        </Block>
        <Block title={`Kubernetes secret (${credentials.kubernetesFile})`} testid="kubernetes-secret">
          {credentials.kubernetesSecret}
        </Block>
        <p class="qs-gap-above">Apply it with <code>kubectl create -f {credentials.kubernetesFile}</code> and name it in a pod's <code>imagePullSecrets</code>.</p>
        <h3 class="pf-v6-c-title pf-m-md qs-gap-above">Mesos</h3>
        <p>
          <a href={`${robotPath}/docker.tar.gz`} download data-testid="mesos-download">
            Download docker.tar.gz
          </a>{" "}
          (holds <code>.docker/config.json</code>) and list its URL in your Marathon application's <code>uris</code>.
        </p>
      </Section>
      <Section>
        <Permissions permissions={permissions} teams={teams} robotPath={robotPath} csrfToken={chrome.csrfToken} saved={saved} />
      </Section>
      <Section>
        <h2 class="pf-v6-c-title pf-m-xl">Manage</h2>
        <div class="qs-page-header qs-gap-above">
          <a class="pf-v6-c-button pf-m-secondary" href={`${robotPath}/regenerate`}>
            <span class="pf-v6-c-button__text">Regenerate token</span>
          </a>
          <a class="pf-v6-c-button pf-m-danger" href={`${robotPath}/delete`}>
            <span class="pf-v6-c-button__text">Delete robot account</span>
          </a>
        </div>
      </Section>
    </Layout>
  );
}

export interface RobotConfirmPageProps {
  chrome: Chrome;
  robot: { name: string };
  robotPath: string;
  action: "regenerate" | "delete";
}

const CONFIRM: Record<RobotConfirmPageProps["action"], { title: string; text: string; button: string; style: "primary" | "danger" }> = {
  regenerate: {
    title: "Regenerate token?",
    text: "The current token stops working at once, everywhere it is used: logins and pulls made with it are refused until they use the new one.",
    button: "Regenerate token",
    style: "primary",
  },
  delete: {
    title: "Delete robot account?",
    text: "The robot and all its permissions are removed. Anything signing in with its token is refused from now on. This cannot be undone.",
    button: "Delete robot account",
    style: "danger",
  },
};

/** Asks before a destructive action on a robot. */
export function RobotConfirmPage({ chrome, robot, robotPath, action }: RobotConfirmPageProps) {
  const words = CONFIRM[action];
  return (
    <Layout chrome={chrome} title={`${words.title} · ${robot.name}`}>
      <Section>
        <div class="pf-v6-c-card qs-narrow" role="alertdialog" aria-labelledby="confirm-title" aria-describedby="confirm-text">
          <div class="pf-v6-c-card__title">
            <h1 class="pf-v6-c-title pf-m-xl" id="confirm-title">
              {words.title}
            </h1>
          </div>
          <div class="pf-v6-c-card__body">
            <p class="qs-gap-below">
              <strong>{robot.name}</strong>
            </p>
            <p id="confirm-text">{words.text}</p>
            <form method="post" action={`${robotPath}/${action}`} class="qs-gap-above" data-testid="confirm">
              {chrome.csrfToken && <CsrfField token={chrome.csrfToken} />}
              <FormActions submit={words.button} style={words.style} cancelHref={robotPath} />
            </form>
          </div>
        </div>
      </Section>
    </Layout>
  );
}

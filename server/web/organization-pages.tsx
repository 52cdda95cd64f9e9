// Organizations in the browser: creating one, its page (repositories tab for anyone who may see
// some of them; teams and membership for members; settings and deletion for admins), a team's page
// with its members, and the confirmations before removing a member or deleting a team. The rules
// are the domain's (organizations.ts, teams.ts, permissions.ts); other viewers get the site's 404.
// `/confirminvite?code=` is where a mailed team invitation leads: join or decline.
import { Hono } from "hono";
import { NewOrganizationPage, OrganizationFrame, OrganizationReposPage, OrganizationSettingsPage, type FormState, emptyForm } from "../../views/pages/organization.tsx";
import { InvitationPage, TeamConfirmPage, TeamPage, TeamsTab } from "../../views/pages/organization-teams.tsx";
import { namespaceStorageBytes } from "../domain/content/storage-usage.ts";
import { acceptInvitation, addOrInviteTeamMember, declineInvitation, describeInvitation } from "../domain/accounts/invitations.ts";
import { mailer, mailInvitation } from "../mail.ts";
import { baseUrl } from "../registry/deps.ts";
import { clientIp } from "../client-ip.ts";
import type { AppDeps } from "../deps.ts";
import { canCreateIn } from "../domain/access/permissions.ts";
import {
  createOrganization,
  deleteOrganization,
  findOrganization,
  type Organization,
  organizationMembers,
  updateOrganization,
} from "../domain/accounts/organizations.ts";
import {
  deleteTeam,
  findAccount,
  findTeam,
  listTeams,
  orgRole,
  removeTeamMember,
  saveTeam,
  type Team,
  type TeamRole,
  teamMembersOf,
  teamsOf,
} from "../domain/accounts/teams.ts";
import { DomainError } from "../domain/errors.ts";
import { countRepositories, listRepositories } from "../domain/repositories/repositories.ts";
import { REPO_TABLE_ID } from "../../views/partials/repo-table.tsx";
import { withFreshLogin } from "./fresh-login.tsx";
import { chrome, notFoundPage, page } from "./render.tsx";
import { listing, registryHost } from "./repository-pages.tsx";
import type { WebContext, WebEnv } from "./session.ts";
import { type UsageLogPlace, usageLogExport, usageLogView } from "./usage-logs.tsx";
import { UsageLogs, type UsageLogsProps } from "../../views/partials/usage-logs.tsx";

/** The organization in the path and what the viewer is in it. */
interface Place {
  org: Organization;
  role: TeamRole | null;
}

const ROLES: readonly TeamRole[] = ["member", "creator", "admin"];

/** A domain refusal a form shows (at a field or over the form); anything else is a real error. */
function formError(err: unknown): string {
  if (err instanceof DomainError && ["INVALID_REQUEST", "CONFLICT", "MODEL_REFUSED", "FORBIDDEN"].includes(err.code)) return err.message;
  throw err;
}

export function organizationPages(deps: AppDeps): Hono<WebEnv> {
  const app = new Hono<WebEnv>();
  const actor = (c: WebContext) => ({ principal: c.get("principal"), ip: clientIp(c, deps.config) });

  async function place(c: WebContext): Promise<Place | null> {
    const org = await findOrganization(deps.db, c.req.param("name")!);
    if (!org) return null;
    const principal = c.get("principal");
    const role = principal.kind === "user" ? await orgRole(deps.db, principal.userId, org.namespaceId) : null;
    return { org, role };
  }
  const memberPlace = async (c: WebContext) => {
    const at = await place(c);
    return at && at.role !== null ? at : null;
  };
  const adminPlace = async (c: WebContext) => {
    const at = await place(c);
    return at && at.role === "admin" ? at : null;
  };
  const viewerOf = (at: Place) => ({ member: at.role !== null, admin: at.role === "admin" });

  const newPage = async (c: WebContext, form: FormState, status: 200 | 400 = 200) =>
    page(c, <NewOrganizationPage chrome={await chrome(deps, c)} form={form} />, status);

  app.get("/organizations/new", async (c) => {
    if (!c.get("session")) return c.redirect(`/signin?next=${encodeURIComponent("/organizations/new")}`, 302);
    return newPage(c, emptyForm());
  });

  app.post("/organizations/new", async (c) => {
    if (!c.get("session")) return notFoundPage(deps, c);
    const body = await c.req.parseBody();
    const values = { name: String(body.name ?? "").trim(), email: String(body.email ?? "").trim() };
    if (values.name === "") return newPage(c, { values, errors: { name: "Enter a name for the organization" } }, 400);
    try {
      await createOrganization(deps.db, { name: values.name, email: values.email }, actor(c));
    } catch (err) {
      const message = formError(err);
      return newPage(c, { values, errors: { [message.includes("email") ? "email" : "name"]: message } }, 400);
    }
    return c.redirect(`/organization/${values.name}`, 303);
  });

  app.get("/organization/:name", async (c) => {
    const at = await place(c);
    if (!at) return notFoundPage(deps, c);
    const principal = c.get("principal");
    const path = `/organization/${at.org.name}`;
    const list = await listing(c, path, REPO_TABLE_ID, (nameContains, window) =>
      Promise.all([
        listRepositories(deps.db, principal, { namespace: at.org.name, nameContains, ...window }),
        countRepositories(deps.db, principal, { namespace: at.org.name, nameContains }),
      ]),
    );
    if ("redirect" in list) return c.redirect(list.redirect, 302);
    const [canCreate, storageBytes] = await Promise.all([
      canCreateIn(deps.db, principal, { id: at.org.namespaceId, kind: "org" }),
      at.role ? namespaceStorageBytes(deps.db, at.org.namespaceId) : undefined,
    ]);
    const session = c.get("session");
    return page(
      c,
      <OrganizationReposPage
        chrome={await chrome(deps, c)}
        org={at.org}
        viewer={{ ...viewerOf(at), canCreate }}
        storageBytes={storageBytes}
        table={{ ...list, viewer: session ? { username: session.user.username } : null, registryHost: registryHost(deps, c), now: deps.clock.now() }}
      />,
    );
  });

  async function teamsTab(c: WebContext, at: Place, create?: FormState, status: 200 | 400 = 200) {
    const admin = at.role === "admin";
    const [teams, members] = await Promise.all([
      listTeams(deps.db, at.org.namespaceId),
      admin ? organizationMembers(deps.db, at.org.namespaceId) : Promise.resolve([]),
    ]);
    return page(
      c,
      <TeamsTab
        chrome={await chrome(deps, c)}
        org={at.org}
        viewer={viewerOf(at)}
        teams={teams}
        members={members.map((m) => ({ name: m.account.username, teams: m.teams.map((t) => t.name) }))}
        create={admin ? (create ?? emptyForm()) : undefined}
      />,
      status,
    );
  }

  app.get("/organization/:name/teams", async (c) => {
    const at = await memberPlace(c);
    return at ? teamsTab(c, at) : notFoundPage(deps, c);
  });

  app.post("/organization/:name/teams", async (c) => {
    const at = await adminPlace(c);
    if (!at) return notFoundPage(deps, c);
    const body = await c.req.parseBody();
    const values = { name: String(body.name ?? "").trim(), description: String(body.description ?? ""), role: String(body.role ?? "member") };
    const role = ROLES.find((r) => r === values.role) ?? "member";
    if (values.name === "") return teamsTab(c, at, { values, errors: { name: "Enter a name for the team" } }, 400);
    if (await findTeam(deps.db, at.org.namespaceId, values.name)) {
      return teamsTab(c, at, { values, errors: { name: `A team named ${values.name} already exists` } }, 400);
    }
    try {
      await saveTeam(deps, actor(c), at.org, values.name, { role, description: values.description });
    } catch (err) {
      return teamsTab(c, at, { values, errors: { name: formError(err) } }, 400);
    }
    return c.redirect(`/organization/${at.org.name}/teams/${values.name}`, 303);
  });

  const teamPath = (found: { at: Place; team: Team }) => `/organization/${found.at.org.name}/teams/${found.team.name}`;

  /** The team in the path, for admins and (read-only) its own members. */
  async function teamAt(c: WebContext): Promise<{ at: Place; team: Team; canEdit: boolean } | null> {
    const at = await memberPlace(c);
    if (!at) return null;
    const team = await findTeam(deps.db, at.org.namespaceId, c.req.param("team")!);
    if (!team) return null;
    const canEdit = at.role === "admin";
    const principal = c.get("principal");
    if (!canEdit && principal.kind === "user") {
      const own = await teamsOf(deps.db, principal.userId, at.org.namespaceId);
      if (!own.some((t) => t.id === team.id)) return null;
    }
    return { at, team, canEdit };
  }

  async function teamPage(c: WebContext, found: { at: Place; team: Team; canEdit: boolean }, add = emptyForm(), status: 200 | 400 = 200) {
    const members = await teamMembersOf(deps.db, found.team.id);
    return page(
      c,
      <TeamPage
        chrome={await chrome(deps, c)}
        org={found.at.org}
        team={found.team}
        members={members.map((m) => ({ name: m.username, robot: m.kind === "robot" }))}
        canEdit={found.canEdit}
        add={add}
        invited={c.req.query("invited")}
      />,
      status,
    );
  }

  app.get("/organization/:name/teams/:team", async (c) => {
    const found = await teamAt(c);
    return found ? teamPage(c, found) : notFoundPage(deps, c);
  });

  app.post("/organization/:name/teams/:team/members", async (c) => {
    const found = await teamAt(c);
    if (!found?.canEdit) return notFoundPage(deps, c);
    const name = String((await c.req.parseBody()).member ?? "").trim();
    const values = { member: name };
    if (name === "") return teamPage(c, found, { values, errors: { member: "Enter a user or robot account name" } }, 400);
    const account = await findAccount(deps.db, name);
    if (!account) return teamPage(c, found, { values, errors: { member: `There is no user or robot account named ${name}` } }, 400);
    const send = mailer(deps.config);
    let invited = false;
    try {
      const outcome = await addOrInviteTeamMember(deps, actor(c), found.at.org, found.team, account, send !== undefined);
      if (outcome.invited && send) {
        const inviter = c.get("session")!.user.username;
        const base = baseUrl(deps.config, c);
        await mailInvitation(send, base, { to: account.email, inviter, org: found.at.org.name, team: found.team.name, code: outcome.code });
        invited = true;
      }
    } catch (err) {
      return teamPage(c, found, { values, errors: { member: formError(err) } }, 400);
    }
    return c.redirect(`${teamPath(found)}${invited ? `?invited=${encodeURIComponent(account.username)}` : ""}`, 303);
  });

  async function removeMember(c: WebContext, confirmed: boolean) {
    const found = await teamAt(c);
    if (!found?.canEdit) return notFoundPage(deps, c);
    const member = await findAccount(deps.db, c.req.param("member")!);
    if (!member) return notFoundPage(deps, c);
    let error: string | undefined;
    if (confirmed) {
      try {
        await removeTeamMember(deps, actor(c), found.at.org, found.team, member);
        return c.redirect(teamPath(found), 303);
      } catch (err) {
        error = formError(err);
      }
    }
    return page(
      c,
      <TeamConfirmPage
        chrome={await chrome(deps, c)}
        title={`Remove ${member.username} from ${found.team.name}?`}
        text={`${member.username} loses what team ${found.team.name} grants in ${found.at.org.name}, at once.`}
        button="Remove member"
        action={`${teamPath(found)}/members/${member.username}/remove`}
        cancel={teamPath(found)}
        error={error}
      />,
      error ? 400 : 200,
    );
  }
  app.get("/organization/:name/teams/:team/members/:member/remove", (c) => removeMember(c, false));
  app.post("/organization/:name/teams/:team/members/:member/remove", (c) => removeMember(c, true));

  async function removeTeam(c: WebContext, confirmed: boolean) {
    const found = await teamAt(c);
    if (!found?.canEdit) return notFoundPage(deps, c);
    let error: string | undefined;
    if (confirmed) {
      try {
        await deleteTeam(deps, actor(c), found.at.org, found.team);
        return c.redirect(`/organization/${found.at.org.name}/teams`, 303);
      } catch (err) {
        error = formError(err);
      }
    }
    return page(
      c,
      <TeamConfirmPage
        chrome={await chrome(deps, c)}
        title={`Delete team ${found.team.name}?`}
        text={`Its members lose what the team grants in ${found.at.org.name}, at once. This cannot be undone.`}
        button="Delete team"
        action={`${teamPath(found)}/delete`}
        cancel={teamPath(found)}
        error={error}
      />,
      error ? 400 : 200,
    );
  }
  app.get("/organization/:name/teams/:team/delete", (c) => removeTeam(c, false));
  app.post("/organization/:name/teams/:team/delete", (c) => removeTeam(c, true));

  const settingsPage = async (c: WebContext, org: Organization, forms: { settings?: FormState; remove?: FormState; saved?: boolean }, status: 200 | 400 = 200) =>
    page(
      c,
      <OrganizationSettingsPage
        chrome={await chrome(deps, c)}
        org={org}
        settings={forms.settings ?? emptyForm()}
        remove={forms.remove ?? emptyForm()}
        saved={forms.saved}
      />,
      status,
    );

  // The organization's usage logs and their export, for its admins (as Quay shows them).
  const logPlace = (org: Organization): UsageLogPlace => ({
    scope: { namespaceId: org.namespaceId },
    action: `/organization/${org.name}/logs`,
    params: {},
    subject: "this organization",
    namespace: { id: org.namespaceId, name: org.name },
    repositoryName: null,
  });
  const logsPage = async (c: WebContext, at: Place, view: UsageLogsProps, status: 200 | 400 = 200) =>
    page(
      c,
      <OrganizationFrame chrome={await chrome(deps, c)} org={at.org} viewer={viewerOf(at)} tab="logs">
        <UsageLogs {...view} />
      </OrganizationFrame>,
      status,
    );

  app.get("/organization/:name/logs", async (c) => {
    const at = await adminPlace(c);
    if (!at) return notFoundPage(deps, c);
    const view = await usageLogView(deps, c, logPlace(at.org));
    return view instanceof Response ? view : logsPage(c, at, view);
  });

  app.post("/organization/:name/logs", async (c) => {
    const at = await adminPlace(c);
    if (!at) return notFoundPage(deps, c);
    return usageLogExport(deps, c, logPlace(at.org), (view, status) => logsPage(c, at, view, status));
  });

  app.get("/organization/:name/settings", async (c) => {
    const at = await adminPlace(c);
    return at ? settingsPage(c, at.org, { saved: c.req.query("saved") !== undefined }) : notFoundPage(deps, c);
  });

  app.post("/organization/:name/settings", async (c) => {
    const at = await adminPlace(c);
    if (!at) return notFoundPage(deps, c);
    const body = await c.req.parseBody();
    const values = { email: String(body.email ?? "").trim(), tag_expiration_s: String(body.tag_expiration_s ?? "") };
    try {
      await updateOrganization(deps.db, actor(c), at.org, { email: values.email, tagExpirationS: Number(values.tag_expiration_s) });
    } catch (err) {
      const message = formError(err);
      const field = message.toLowerCase().includes("mail") ? "email" : "form";
      return settingsPage(c, at.org, { settings: { values, errors: { [field]: message } } }, 400);
    }
    return c.redirect(`/organization/${at.org.name}/settings?saved=1`, 303);
  });

  app.post("/organization/:name/delete", async (c) => {
    const at = await adminPlace(c);
    if (!at) return notFoundPage(deps, c);
    const typed = String((await c.req.parseBody()).confirm ?? "").trim();
    if (typed !== at.org.name) {
      const error = `Type ${at.org.name} exactly to delete it`;
      return settingsPage(c, at.org, { remove: { values: { confirm: typed }, errors: { confirm: error } } }, 400);
    }
    return withFreshLogin(deps, c, `/organization/${at.org.name}/settings`, async () => {
      await deleteOrganization(deps, actor(c), at.org);
      return c.redirect("/", 303);
    });
  });

  /** The signed-in person answering an invitation, or null (sign in first). */
  const invitee = async (c: WebContext) => {
    const session = c.get("session");
    return session ? ((await findAccount(deps.db, session.user.username)) ?? null) : null;
  };

  const invitationPage = async (c: WebContext, code: string, error?: string) => {
    const user = (await invitee(c))!;
    let invitation: Awaited<ReturnType<typeof describeInvitation>> | undefined;
    try {
      if (!error) invitation = await describeInvitation(deps.db, code, user);
    } catch (err) {
      error = formError(err);
    }
    return page(c, <InvitationPage chrome={await chrome(deps, c)} code={code} invitation={invitation} error={error} />, error ? 400 : 200);
  };

  app.get("/confirminvite", async (c) => {
    const code = c.req.query("code") ?? "";
    if (!(await invitee(c))) return c.redirect(`/signin?${new URLSearchParams({ next: `/confirminvite?code=${code}` })}`, 302);
    return invitationPage(c, code);
  });

  for (const [path, answer] of [["/confirminvite", "accept"], ["/confirminvite/decline", "decline"]] as const) {
    app.post(path, async (c) => {
      const user = await invitee(c);
      if (!user) return notFoundPage(deps, c);
      const code = String((await c.req.parseBody()).code ?? "");
      try {
        if (answer === "decline") {
          await declineInvitation(deps.db, actor(c), code, user);
          return c.redirect("/", 303);
        }
        const joined = await acceptInvitation(deps, actor(c), code, user);
        return c.redirect(`/organization/${joined.org}/teams/${joined.team}`, 303);
      } catch (err) {
        return invitationPage(c, code, formError(err));
      }
    });
  }

  return app;
}

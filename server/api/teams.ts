// Teams (Quay's §8): create or change a team (PUT), delete it, list, add and remove its members,
// invitations, and its repository grants. All need the org:admin scope and an admin team of the
// organization, except that a team's own members may list its members. With mail configured a
// person new to the organization is invited (a code by mail, accepted at /teaminvite/{code});
// without it people are added at once and the invitation endpoints do not exist (Quay's MAILING).
import type { Context, Hono } from "hono";
import { z } from "zod";
import { findOrganization, type Organization } from "../domain/accounts/organizations.ts";
import {
  deleteTeam,
  findAccount,
  findTeam,
  orgRole,
  removeTeamMember,
  saveTeam,
  type Team,
  teamGrants,
  teamMembersOf,
  teamsOf,
} from "../domain/accounts/teams.ts";
import {
  acceptInvitation,
  addOrInviteTeamMember,
  declineInvitation,
  type Invitee,
  inviteToTeam,
  pendingInvitations,
  withdrawInvitation,
} from "../domain/accounts/invitations.ts";
import type { Account } from "../domain/accounts/teams.ts";
import { mailer, mailInvitation } from "../mail.ts";
import { baseUrl } from "../registry/deps.ts";
import { isAnonymous } from "./auth.ts";
import { avatar } from "./avatar.ts";
import { accountAvatar, administeredOrganization, teamAvatar } from "./organizations.ts";
import { invalidRequest, NOT_FOUND_MESSAGE, notFound, PlainError, unauthorized } from "./errors.ts";
import { jsonBody, truthy } from "./input.ts";
import type { ApiEnv, ApiHandler, ApiRequest } from "./request.ts";

type Json = Record<string, unknown>;
type Route = (handler: ApiHandler) => (c: Context<ApiEnv>) => Promise<Response>;

const memberView = (m: Account, invited: boolean): Json => ({
  name: m.username,
  kind: "user",
  is_robot: m.kind === "robot",
  avatar: accountAvatar(m),
  invited,
});

const emailInviteView = (email: string): Json => ({ email, kind: "invite", avatar: avatar(email, email, "user"), invited: true });

/** The mailer, or Flask's 404 where Quay hides an endpoint without MAILING. */
function mailOrHidden(r: ApiRequest) {
  const send = mailer(r.deps.config);
  if (!send) throw new PlainError(404, { message: NOT_FOUND_MESSAGE });
  return send;
}

/** Mails an invitation's code (mail is configured whenever someone is invited). */
const sendInvitation = (r: ApiRequest, to: string, org: Organization, team: Team, code: string) =>
  mailInvitation(mailOrHidden(r), baseUrl(r.deps.config, r.c), {
    to,
    inviter: r.caller.user?.username ?? "Someone",
    org: org.name,
    team: team.name,
    code,
  });

/** The team named in the path (404 when the organization has none by that name). */
async function pathTeam(r: ApiRequest, org: Organization): Promise<Team> {
  const team = await findTeam(r.deps.db, org.namespaceId, r.c.req.param("team")!);
  if (!team) throw notFound();
  return team;
}

const teamChanges = z.object({ role: z.enum(["member", "creator", "admin"]), description: z.string().optional() });

/** `PUT .../team/{team}`: creates the team or changes its role and description. */
const saveHandler: ApiHandler = async (r) => {
  const org = await administeredOrganization(r);
  const body = await jsonBody(r.c, teamChanges);
  const { team, created } = await saveTeam(r.deps, r.actor, org, r.c.req.param("team")!, {
    role: body.role,
    description: body.description,
  });
  return r.c.json({
    name: team.name,
    description: team.description,
    can_view: true,
    role: team.role,
    avatar: teamAvatar(team),
    new_team: created,
  });
};

const deleteHandler: ApiHandler = async (r) => {
  const org = await administeredOrganization(r);
  await deleteTeam(r.deps, r.actor, org, await pathTeam(r, org));
  return r.c.body(null, 204);
};

/** `GET .../team/{team}/members`: for the organization's admins and the team's own members. */
const membersHandler: ApiHandler = async (r) => {
  const { deps, c, caller } = r;
  const refuse = unauthorized(isAnonymous(caller));
  if (!caller.user || caller.caps.namespace !== "admin") throw refuse;
  const org = await findOrganization(deps.db, c.req.param("org")!);
  if (!org) throw refuse;
  const isAdmin = (await orgRole(deps.db, caller.user.id, org.namespaceId)) === "admin";
  const name = c.req.param("team")!;
  if (!isAdmin && !(await teamsOf(deps.db, caller.user.id, org.namespaceId)).some((t) => t.name === name)) throw refuse;
  const team = await pathTeam(r, org);
  const members = (await teamMembersOf(deps.db, team.id)).map((m) => memberView(m, false));
  if (isAdmin && truthy(c.req.query("includePending"), false)) {
    for (const invite of await pendingInvitations(deps.db, team.id)) {
      members.push(invite.user ? memberView(invite.user, true) : emailInviteView(invite.email!));
    }
  }
  return c.json({ name, members, can_edit: isAdmin });
};

/** `PUT .../team/{team}/members/{member}`: adds a person or one of the organization's robots. */
const addMemberHandler: ApiHandler = async (r) => {
  const org = await administeredOrganization(r);
  const team = await pathTeam(r, org);
  const member = await findAccount(r.deps.db, r.c.req.param("member")!);
  if (!member) throw invalidRequest("Unknown user");
  const outcome = await addOrInviteTeamMember(r.deps, r.actor, org, team, member, mailer(r.deps.config) !== undefined);
  if (outcome.invited) await sendInvitation(r, member.email, org, team, outcome.code);
  return r.c.json(memberView(member, outcome.invited));
};

const removeMemberHandler: ApiHandler = async (r) => {
  const org = await administeredOrganization(r);
  const team = await pathTeam(r, org);
  const member = await findAccount(r.deps.db, r.c.req.param("member")!);
  if (!member) throw notFound();
  // Someone merely invited loses the invitation; otherwise they leave the team.
  if (!(await withdrawInvitation(r.deps.db, r.actor, org, team, { user: member }))) {
    await removeTeamMember(r.deps, r.actor, org, team, member);
  }
  return r.c.body(null, 204);
};

/** `GET .../team/{team}/permissions`: the repositories the team is granted, with its role on each. */
const permissionsHandler: ApiHandler = async (r) => {
  const org = await administeredOrganization(r);
  const team = await pathTeam(r, org);
  const grants = await teamGrants(r.deps.db, team.id);
  return r.c.json({
    permissions: grants.map((g): Json => ({
      repository: { name: g.repository, is_public: g.visibility === "public" },
      role: g.role,
    })),
  });
};

/** `PUT .../team/{team}/invite/{email}`: invites an address (mail only). */
const inviteEmailHandler: ApiHandler = async (r) => {
  mailOrHidden(r);
  const org = await administeredOrganization(r);
  const team = await pathTeam(r, org);
  const email = r.c.req.param("email")!;
  const code = await inviteToTeam(r.deps.db, r.actor, org, team, { email });
  await sendInvitation(r, email, org, team, code);
  return r.c.json(emailInviteView(email));
};

/** `DELETE .../team/{team}/invite/{email}`: 204, or 404 when that address was not invited. */
const withdrawEmailHandler: ApiHandler = async (r) => {
  mailOrHidden(r);
  const org = await administeredOrganization(r);
  const team = await pathTeam(r, org);
  const invitee: Invitee = { email: r.c.req.param("email")! };
  if (!(await withdrawInvitation(r.deps.db, r.actor, org, team, invitee))) throw notFound();
  return r.c.body(null, 204);
};

/** The signed-in user answering an invitation (user:admin). */
async function invitedUser(r: ApiRequest): Promise<Account> {
  mailOrHidden(r);
  const { caller } = r;
  if (!caller.user || caller.caps.user !== "admin") throw unauthorized(isAnonymous(caller));
  return (await findAccount(r.deps.db, caller.user.username))!;
}

/** `PUT /teaminvite/{code}`: joins the team → `{org, team}`. */
const acceptHandler: ApiHandler = async (r) => {
  const user = await invitedUser(r);
  return r.c.json(await acceptInvitation(r.deps, r.actor, r.c.req.param("code")!, user));
};

/** `DELETE /teaminvite/{code}`: turns it down → 204. */
const declineHandler: ApiHandler = async (r) => {
  const user = await invitedUser(r);
  await declineInvitation(r.deps.db, r.actor, r.c.req.param("code")!, user);
  return r.c.body(null, 204);
};

export function mountTeamRoutes(app: Hono<ApiEnv>, route: Route, notAllowed: () => never): void {
  const base = "/organization/:org/team/:team";
  app.put(base, route(saveHandler));
  app.delete(base, route(deleteHandler));
  app.all(base, notAllowed);
  app.get(`${base}/members`, route(membersHandler));
  app.all(`${base}/members`, notAllowed);
  app.put(`${base}/members/:member`, route(addMemberHandler));
  app.delete(`${base}/members/:member`, route(removeMemberHandler));
  app.all(`${base}/members/:member`, notAllowed);
  app.get(`${base}/permissions`, route(permissionsHandler));
  app.all(`${base}/permissions`, notAllowed);
  app.put(`${base}/invite/:email`, route(inviteEmailHandler));
  app.delete(`${base}/invite/:email`, route(withdrawEmailHandler));
  app.all(`${base}/invite/:email`, notAllowed);
  app.put("/teaminvite/:code", route(acceptHandler));
  app.delete("/teaminvite/:code", route(declineHandler));
  app.all("/teaminvite/:code", notAllowed);
}

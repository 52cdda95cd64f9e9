// Teams (Quay's §8): create or change a team (PUT), delete it, list, add and remove its members,
// and list its repository grants. All need the org:admin scope and an admin team of the
// organization, except that a team's own members may list its members. Invitations need mail,
// which is not configured here, so people are added at once (Quay without MAILING).
import type { Context, Hono } from "hono";
import { z } from "zod";
import { findOrganization, type Organization } from "../domain/accounts/organizations.ts";
import {
  addTeamMember,
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
import { isAnonymous } from "./auth.ts";
import { accountAvatar, administeredOrganization, teamAvatar } from "./organizations.ts";
import { invalidRequest, notFound, unauthorized } from "./errors.ts";
import { jsonBody } from "./input.ts";
import type { ApiEnv, ApiHandler, ApiRequest } from "./request.ts";

type Json = Record<string, unknown>;
type Route = (handler: ApiHandler) => (c: Context<ApiEnv>) => Promise<Response>;

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
  const members = await teamMembersOf(deps.db, team.id);
  return c.json({
    name,
    members: members.map((m) => ({
      name: m.username,
      kind: "user",
      is_robot: m.kind === "robot",
      avatar: accountAvatar(m),
      invited: false,
    })),
    can_edit: isAdmin,
  });
};

/** `PUT .../team/{team}/members/{member}`: adds a person or one of the organization's robots. */
const addMemberHandler: ApiHandler = async (r) => {
  const org = await administeredOrganization(r);
  const team = await pathTeam(r, org);
  const member = await findAccount(r.deps.db, r.c.req.param("member")!);
  if (!member) throw invalidRequest("Unknown user");
  await addTeamMember(r.deps, r.actor, org, team, member);
  return r.c.json({
    name: member.username,
    kind: "user",
    is_robot: member.kind === "robot",
    avatar: accountAvatar(member),
    invited: false,
  });
};

const removeMemberHandler: ApiHandler = async (r) => {
  const org = await administeredOrganization(r);
  const team = await pathTeam(r, org);
  const member = await findAccount(r.deps.db, r.c.req.param("member")!);
  if (!member) throw notFound();
  await removeTeamMember(r.deps, r.actor, org, team, member);
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
}

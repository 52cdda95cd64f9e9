// Repository permissions (Quay's §10): the roles of users, robots (by their full `ns+short`
// name) and teams on one repository. Everything needs the repo:admin scope and admin of the
// repository. Quay answers a missing grant on GET with a plain `{message}` 400; refused writes
// are its request_error (problem body, invalid_request).
import { z } from "zod";
import type { Role } from "../domain/access/permissions.ts";
import { findAccount, findTeam } from "../domain/accounts/teams.ts";
import type { RepoRef } from "../domain/names.ts";
import type { Repository } from "../domain/repositories/repositories.ts";
import {
  setRepositoryRole,
  setTeamRepositoryRole,
  teamGrantsOn,
  transitiveRoles,
  type UserGrant,
  userGrantsOn,
} from "../domain/repositories/repository-permissions.ts";
import { authorizeExistingRepository } from "./auth.ts";
import { avatar } from "./avatar.ts";
import { invalidRequest, notFound, PlainError } from "./errors.ts";
import { jsonBody } from "./input.ts";
import type { ApiRequest } from "./request.ts";

type Json = Record<string, unknown>;
type Handler = (r: ApiRequest, ref: RepoRef, name: string) => Promise<Response>;

const roleBody = z.object({ role: z.enum(["read", "write", "admin"]) });
const NO_USER_GRANT = "User does not have permission for repo.";
const NO_TEAM_GRANT = "Team does not have permission for repo.";

const administered = async (r: ApiRequest, ref: RepoRef): Promise<Repository> =>
  (await authorizeExistingRepository(r.deps, r.caller, ref, "admin")).repo;

function userGrantView(g: UserGrant): Json {
  const view: Json = { role: g.role, name: g.username, is_robot: g.robot, avatar: avatar(g.username, g.email, g.robot ? "robot" : "user") };
  if (g.isOrgMember !== undefined) view.is_org_member = g.isOrgMember;
  return view;
}

const teamGrantView = (name: string, role: Role): Json => ({ role, name, avatar: avatar(name, name, "team") });

async function userGrant(r: ApiRequest, repo: Repository, username: string): Promise<UserGrant | undefined> {
  return (await userGrantsOn(r.deps.db, repo)).find((g) => g.username === username);
}

/** `GET .../permissions/user/`. */
async function listUserPermissions(r: ApiRequest, ref: RepoRef): Promise<Response> {
  const grants = await userGrantsOn(r.deps.db, await administered(r, ref));
  return r.c.json({ permissions: Object.fromEntries(grants.map((g) => [g.username, userGrantView(g)])) });
}

const getUserPermission: Handler = async (r, ref, username) => {
  const grant = await userGrant(r, await administered(r, ref), username);
  if (!grant) throw new PlainError(400, { message: NO_USER_GRANT });
  return r.c.json(userGrantView(grant));
};

/** Sets (a role) or removes (null) a user's or robot's grant. */
async function changeUserPermission(r: ApiRequest, repo: Repository, username: string, role: Role | null): Promise<void> {
  // Quay checks the owner before looking the name up.
  if (username === repo.namespace) throw invalidRequest("Namespace owner must always be admin.");
  const account = await findAccount(r.deps.db, username);
  if (!account) throw invalidRequest(role === null ? NO_USER_GRANT : `Invalid username: ${username}`);
  await setRepositoryRole(r.deps, repo.id, account, role, r.actor);
}

const putUserPermission: Handler = async (r, ref, username) => {
  const repo = await administered(r, ref);
  const { role } = await jsonBody(r.c, roleBody);
  await changeUserPermission(r, repo, username, role);
  return r.c.json(userGrantView((await userGrant(r, repo, username))!));
};

const deleteUserPermission: Handler = async (r, ref, username) => {
  await changeUserPermission(r, await administered(r, ref), username, null);
  return r.c.body(null, 204);
};

/** `GET .../permissions/user/{username}/transitive`: direct and team roles; 404 for an unknown account. */
const transitivePermissions: Handler = async (r, ref, username) => {
  const repo = await administered(r, ref);
  const account = await findAccount(r.deps.db, username);
  if (!account) throw notFound();
  const roles = await transitiveRoles(r.deps.db, repo.id, account.id);
  return r.c.json({ permissions: roles.map((role) => ({ role })) });
};

/** `GET .../permissions/team/`. */
async function listTeamPermissions(r: ApiRequest, ref: RepoRef): Promise<Response> {
  const grants = await teamGrantsOn(r.deps.db, (await administered(r, ref)).id);
  return r.c.json({ permissions: Object.fromEntries(grants.map((g) => [g.name, teamGrantView(g.name, g.role)])) });
}

const getTeamPermission: Handler = async (r, ref, team) => {
  const grant = (await teamGrantsOn(r.deps.db, (await administered(r, ref)).id)).find((g) => g.name === team);
  if (!grant) throw new PlainError(400, { message: NO_TEAM_GRANT });
  return r.c.json({ role: grant.role });
};

const putTeamPermission: Handler = async (r, ref, name) => {
  const repo = await administered(r, ref);
  const { role } = await jsonBody(r.c, roleBody);
  const team = await findTeam(r.deps.db, repo.namespaceId, name);
  if (!team) throw invalidRequest(`No team ${name} in organization ${repo.namespace}`);
  await setTeamRepositoryRole(r.deps, repo, team, role, r.actor);
  return r.c.json(teamGrantView(team.name, role));
};

const deleteTeamPermission: Handler = async (r, ref, name) => {
  const repo = await administered(r, ref);
  const team = await findTeam(r.deps.db, repo.namespaceId, name);
  if (!team) throw invalidRequest(NO_TEAM_GRANT);
  await setTeamRepositoryRole(r.deps, repo, team, null, r.actor);
  return r.c.body(null, 204);
};

type RepoRouteHandler = (r: ApiRequest, ref: RepoRef, names: string[]) => Promise<Response>;
const named = (handler: Handler): RepoRouteHandler => (r, ref, names) => handler(r, ref, names[0]!);

/** Routes under /repository/ (matched on the decoded path; `+` of robot names is literal). */
export const REPOSITORY_PERMISSION_ROUTES: { pattern: RegExp; methods: Record<string, RepoRouteHandler> }[] = [
  { pattern: /^(.+)\/permissions\/user\/([^/]+)\/transitive$/, methods: { GET: named(transitivePermissions) } },
  {
    pattern: /^(.+)\/permissions\/user\/([^/]+)$/,
    methods: { GET: named(getUserPermission), PUT: named(putUserPermission), DELETE: named(deleteUserPermission) },
  },
  { pattern: /^(.+)\/permissions\/user\/$/, methods: { GET: listUserPermissions } },
  {
    pattern: /^(.+)\/permissions\/team\/([^/]+)$/,
    methods: { GET: named(getTeamPermission), PUT: named(putTeamPermission), DELETE: named(deleteTeamPermission) },
  },
  { pattern: /^(.+)\/permissions\/team\/$/, methods: { GET: listTeamPermissions } },
];

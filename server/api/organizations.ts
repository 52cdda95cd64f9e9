// Organizations (Quay's §7): create, view, change and delete one; its members (people in its
// teams), one member, removing a member, and collaborators (people granted repositories outside
// every team). Changing anything needs the org:admin scope and an admin team of the organization.
import type { Context, Hono } from "hono";
import { z } from "zod";
import {
  createOrganization,
  deleteOrganization,
  findOrganization,
  type Membership,
  type Organization,
  organizationCollaborators,
  organizationMember,
  organizationMembers,
  removeOrganizationMember,
  updateOrganization,
} from "../domain/accounts/organizations.ts";
import { type Account, findAccount, listTeams, orgRole, type Team, teamsOf, type TeamSummary } from "../domain/accounts/teams.ts";
import { isAnonymous, requireFreshLogin } from "./auth.ts";
import { avatar } from "./avatar.ts";
import { notFound, unauthorized } from "./errors.ts";
import { jsonBody } from "./input.ts";
import type { ApiEnv, ApiHandler, ApiRequest } from "./request.ts";

type Json = Record<string, unknown>;
type Route = (handler: ApiHandler) => (c: Context<ApiEnv>) => Promise<Response>;

/**
 * The organization named in the path, when the caller administers it with the org:admin scope;
 * refused otherwise (before revealing whether it exists, as Quay checks permission first).
 */
export async function administeredOrganization({ deps, c, caller }: ApiRequest): Promise<Organization> {
  const refuse = unauthorized(isAnonymous(caller));
  if (!caller.user || caller.caps.namespace !== "admin") throw refuse;
  const org = await findOrganization(deps.db, c.req.param("org")!);
  if (!org || (await orgRole(deps.db, caller.user.id, org.namespaceId)) !== "admin") throw refuse;
  return org;
}

export const teamAvatar = (team: Pick<Team, "name">) => avatar(team.name, team.name, "team");
export const accountAvatar = (account: Account) =>
  avatar(account.username, account.email, account.kind === "robot" ? "robot" : "user");

function teamSummaryView(team: TeamSummary, canView: boolean): Json {
  return {
    name: team.name,
    description: team.description,
    role: team.role,
    avatar: teamAvatar(team),
    can_view: canView,
    repo_count: team.repoCount,
    member_count: team.memberCount,
    is_synced: false,
  };
}

/** Quay's org view: teams for members (can_view: all for admins, one's own teams otherwise), settings for admins. */
async function organizationView(r: ApiRequest, org: Organization): Promise<Json> {
  const { deps, caller } = r;
  const role = caller.user ? await orgRole(deps.db, caller.user.id, org.namespaceId) : null;
  const isAdmin = role === "admin" && caller.caps.namespace === "admin";
  const view: Json = {
    name: org.name,
    email: isAdmin ? org.email : "",
    avatar: avatar(org.name, org.email, "org"),
    is_admin: isAdmin,
    is_member: role !== null,
  };
  if (role !== null) {
    const teams = await listTeams(deps.db, org.namespaceId);
    const own = isAdmin ? undefined : new Set(await ownTeamIds(r, org));
    view.teams = Object.fromEntries(teams.map((t) => [t.name, teamSummaryView(t, own === undefined || own.has(t.id))]));
    view.ordered_teams = teams.map((t) => t.name);
  }
  if (isAdmin) {
    view.invoice_email = org.invoiceEmail;
    view.invoice_email_address = org.invoiceEmailAddress;
    view.tag_expiration_s = org.tagExpirationS;
    view.is_free_account = true;
  }
  return view;
}

async function ownTeamIds({ deps, caller }: ApiRequest, org: Organization): Promise<number[]> {
  if (!caller.user) return [];
  return (await teamsOf(deps.db, caller.user.id, org.namespaceId)).map((t) => t.id);
}

const newOrganization = z.object({
  name: z.string(),
  email: z.string().optional(),
  contact_email: z.string().optional(),
  recaptcha_response: z.string().optional(),
});

/** `POST /organization/`: user:admin; 201 with the JSON string "Created". */
const createHandler: ApiHandler = async ({ deps, c, caller, actor }) => {
  if (!caller.user || caller.caps.user !== "admin") throw unauthorized(isAnonymous(caller));
  const body = await jsonBody(c, newOrganization);
  await createOrganization(deps.db, { name: body.name, email: body.email ?? body.contact_email }, actor);
  return c.json("Created", 201);
};

/** `GET /organization/{org}`: anyone; 404 for users' namespaces and unknown names. */
const getHandler: ApiHandler = async (r) => {
  const org = await findOrganization(r.deps.db, r.c.req.param("org")!);
  if (!org) throw notFound();
  return r.c.json(await organizationView(r, org));
};

const organizationChanges = z.object({
  email: z.string().optional(),
  contact_email: z.string().optional(),
  invoice_email: z.boolean().optional(),
  invoice_email_address: z.string().nullable().optional(),
  tag_expiration_s: z.int().min(0).optional(),
});

/** `PUT /organization/{org}`: the changed org view. */
const updateHandler: ApiHandler = async (r) => {
  const org = await administeredOrganization(r);
  const body = await jsonBody(r.c, organizationChanges);
  const updated = await updateOrganization(r.deps.db, r.actor, org, {
    email: body.email ?? body.contact_email,
    invoiceEmail: body.invoice_email,
    invoiceEmailAddress: body.invoice_email_address,
    tagExpirationS: body.tag_expiration_s,
  });
  return r.c.json(await organizationView(r, updated));
};

/** `DELETE /organization/{org}`: 204; its repositories, teams and robots go with it. Sessions need a fresh sign-in. */
const deleteHandler: ApiHandler = async (r) => {
  if (r.caller.caps.namespace !== "admin") throw unauthorized(isAnonymous(r.caller));
  requireFreshLogin(r.caller, r.deps.clock.now());
  const org = await administeredOrganization(r);
  await deleteOrganization(r.deps, r.actor, org);
  return r.c.body(null, 204);
};

function membershipView(m: Membership): Json {
  return {
    name: m.account.username,
    kind: m.account.kind === "robot" ? "robot" : "user",
    avatar: accountAvatar(m.account),
    teams: m.teams.map((t) => ({ name: t.name, avatar: teamAvatar(t) })),
    repositories: m.repositories,
  };
}

const membersHandler: ApiHandler = async (r) => {
  const org = await administeredOrganization(r);
  return r.c.json({ members: (await organizationMembers(r.deps.db, org.namespaceId)).map(membershipView) });
};

/** The account named `:member` (404 when there is none). */
async function pathAccount(r: ApiRequest): Promise<Account> {
  const account = await findAccount(r.deps.db, r.c.req.param("member")!);
  if (!account) throw notFound();
  return account;
}

const memberHandler: ApiHandler = async (r) => {
  const org = await administeredOrganization(r);
  const member = await organizationMember(r.deps.db, org.namespaceId, await pathAccount(r));
  if (!member) throw notFound();
  return r.c.json(membershipView(member));
};

const removeMemberHandler: ApiHandler = async (r) => {
  const org = await administeredOrganization(r);
  await removeOrganizationMember(r.deps, r.actor, org, await pathAccount(r));
  return r.c.body(null, 204);
};

const collaboratorsHandler: ApiHandler = async (r) => {
  const org = await administeredOrganization(r);
  const collaborators = await organizationCollaborators(r.deps.db, org.namespaceId);
  return r.c.json({
    collaborators: collaborators.map((m) => ({
      kind: "user",
      name: m.account.username,
      avatar: accountAvatar(m.account),
      repositories: m.repositories,
    })),
  });
};

export function mountOrganizationRoutes(app: Hono<ApiEnv>, route: Route, notAllowed: () => never): void {
  for (const path of ["/organization/", "/organization"]) {
    app.post(path, route(createHandler));
    app.all(path, notAllowed);
  }
  app.get("/organization/:org", route(getHandler));
  app.put("/organization/:org", route(updateHandler));
  app.delete("/organization/:org", route(deleteHandler));
  app.all("/organization/:org", notAllowed);
  app.get("/organization/:org/members", route(membersHandler));
  app.all("/organization/:org/members", notAllowed);
  app.get("/organization/:org/members/:member", route(memberHandler));
  app.delete("/organization/:org/members/:member", route(removeMemberHandler));
  app.all("/organization/:org/members/:member", notAllowed);
  app.get("/organization/:org/collaborators", route(collaboratorsHandler));
  app.all("/organization/:org/collaborators", notAllowed);
}

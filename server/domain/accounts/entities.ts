// Entity look-up by name prefix (Quay's `GET /api/v1/entities/{prefix}`), what permission
// pickers and scripts use: people, the robots of a namespace the caller belongs to, the teams
// of an organization they are a member of, and the organization itself for its admins.
import { and, asc, eq, exists, or, sql } from "drizzle-orm";
import type { DbOrTx } from "../../../db/client.ts";
import { teamMembers, teams, users } from "../../../db/schema.ts";
import type { Principal } from "../access/principal.ts";
import { nameStartsWith } from "../name-filter.ts";
import { findNamespace } from "./namespaces.ts";
import { findOrganization, type Organization } from "./organizations.ts";
import { orgRole } from "./teams.ts";

/** Quay answers at most this many users (and robots). */
const MAX_USERS = 10;

export interface EntityQuery {
  prefix: string;
  /** The namespace whose robots (and, for an organization, teams) may match. */
  namespace: string;
  includeTeams: boolean;
  includeOrgs: boolean;
  /** Whether the caller may administer their own account (a robot list of their own needs it). */
  selfAdmin: boolean;
}

export interface MatchedUser {
  username: string;
  email: string;
  robot: boolean;
  /** Set when the namespace is an organization: whether the user is in one of its teams. */
  isOrgMember?: boolean;
}

export interface EntityMatches {
  teams: string[];
  users: MatchedUser[];
  /** The organization itself, for its admins when asked for (`includeOrgs`). */
  org?: Organization;
  /** Set when the namespace is an organization. */
  inOrganization: boolean;
}

export async function matchEntities(db: DbOrTx, principal: Principal, query: EntityQuery): Promise<EntityMatches> {
  const prefix = query.prefix.replaceAll(" ", "").toLowerCase();
  const org = query.namespace ? await findOrganization(db, query.namespace) : undefined;
  let robotNamespaceId: number | undefined;
  const result: EntityMatches = { teams: [], users: [], inOrganization: org !== undefined };
  if (org) {
    const role = principal.kind === "user" ? await orgRole(db, principal.userId, org.namespaceId) : null;
    if (role !== null) {
      robotNamespaceId = org.namespaceId;
      if (query.includeTeams) {
        const rows = await db
          .select({ name: teams.name })
          .from(teams)
          .where(and(eq(teams.namespaceId, org.namespaceId), nameStartsWith(teams.name, prefix)))
          .orderBy(asc(teams.name));
        result.teams = rows.map((t) => t.name);
      }
      if (query.includeOrgs && role === "admin" && org.name.startsWith(prefix)) result.org = org;
    }
  } else if (principal.kind === "user" && principal.username === query.namespace && query.selfAdmin) {
    robotNamespaceId = (await findNamespace(db, query.namespace))?.id;
  }

  const people = and(eq(users.kind, "user"), nameStartsWith(users.username, prefix));
  const robots = robotNamespaceId === undefined
    ? undefined
    : and(
      eq(users.kind, "robot"),
      eq(users.robotOwnerNamespaceId, robotNamespaceId),
      nameStartsWith(users.username, `${query.namespace}+${prefix}`),
    );
  const memberOf = org
    ? exists(
      sql`(select 1 from ${teamMembers} join ${teams} on ${teams.id} = ${teamMembers.teamId}
           where ${teamMembers.userId} = ${users.id} and ${teams.namespaceId} = ${org.namespaceId})`,
    )
    : sql`false`;
  const rows = await db
    .select({ username: users.username, email: users.email, kind: users.kind, member: sql<boolean>`${memberOf}` })
    .from(users)
    .where(and(eq(users.enabled, true), robots ? or(people, robots) : people))
    .orderBy(asc(users.username))
    .limit(MAX_USERS);
  result.users = rows.map((u) => {
    const robot = u.kind === "robot";
    const user: MatchedUser = { username: u.username, email: u.email, robot };
    if (org) user.isOrgMember = robot || u.member;
    return user;
  });
  return result;
}

// Teams of an organization and what membership in them means: their org-wide role (admin:
// administers the organization; creator: may also create repositories; member: only what the
// team is granted on repositories), members (people and robots), and their repository grants.
import { and, asc, count, eq, inArray } from "drizzle-orm";
import type { DbOrTx } from "../../../db/client.ts";
import { repositories, teamMembers, teamRepoPermissions, teams, users } from "../../../db/schema.ts";
import { performedBy, writeAudit } from "../activity/audit.ts";
import { type Actor } from "../access/principal.ts";
import type { Role } from "../access/permissions.ts";
import { DomainError } from "../errors.ts";
import type { Services } from "../services.ts";

export type TeamRole = "member" | "creator" | "admin";
/** Team roles in increasing order of what they allow. */
export const TEAM_RANK: Record<TeamRole, number> = { member: 1, creator: 2, admin: 3 };

export type Team = typeof teams.$inferSelect;
export type Account = typeof users.$inferSelect;

/** The organization a team operation happens in. */
export interface OrgRef {
  namespaceId: number;
  name: string;
}

/** Writes an organization's usage-log row (inside the caller's transaction). */
export const logOrgAction = (tx: DbOrTx, actor: Actor, org: Pick<OrgRef, "namespaceId">, kind: string, metadata: Record<string, unknown>) =>
  writeAudit(tx, { kind, namespaceId: org.namespaceId, ...performedBy(actor), metadata });

/**
 * The highest role a user (or robot) holds in an organization through its teams, or null when
 * it is in none of them.
 */
export async function orgRole(db: DbOrTx, userId: number, namespaceId: number): Promise<TeamRole | null> {
  const rows = await db
    .select({ role: teams.role })
    .from(teamMembers)
    .innerJoin(teams, eq(teams.id, teamMembers.teamId))
    .where(and(eq(teamMembers.userId, userId), eq(teams.namespaceId, namespaceId)));
  let best: TeamRole | null = null;
  for (const { role } of rows) if (best === null || TEAM_RANK[role] > TEAM_RANK[best]) best = role;
  return best;
}

const TEAM_NAME = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

/** Quay's team name rule, in its words; undefined when the name is fine. */
export function teamNameProblem(name: string): string | undefined {
  if (!TEAM_NAME.test(name)) return `Namespace must match expression ^([a-z0-9]+(?:[._-][a-z0-9]+)*)$`;
  if (name.length < 2 || name.length > 255) return "Team must be between 2 and 255 characters in length";
  return undefined;
}

/** A person's or robot's row by name (team members may be either). */
export async function findAccount(db: DbOrTx, username: string): Promise<Account | undefined> {
  const [row] = await db.select().from(users).where(eq(users.username, username));
  return row;
}

export async function findTeam(db: DbOrTx, namespaceId: number, name: string): Promise<Team | undefined> {
  const [team] = await db.select().from(teams).where(and(eq(teams.namespaceId, namespaceId), eq(teams.name, name)));
  return team;
}

export interface TeamSummary extends Team {
  memberCount: number;
  repoCount: number;
}

/** An organization's teams in creation order, with how many members and repository grants each has. */
export async function listTeams(db: DbOrTx, namespaceId: number): Promise<TeamSummary[]> {
  const memberCount = db
    .select({ teamId: teamMembers.teamId, n: count().as("member_n") })
    .from(teamMembers)
    .groupBy(teamMembers.teamId)
    .as("mc");
  const repoCount = db
    .select({ teamId: teamRepoPermissions.teamId, n: count().as("repo_n") })
    .from(teamRepoPermissions)
    .groupBy(teamRepoPermissions.teamId)
    .as("rc");
  const rows = await db
    .select({ team: teams, members: memberCount.n, repos: repoCount.n })
    .from(teams)
    .leftJoin(memberCount, eq(memberCount.teamId, teams.id))
    .leftJoin(repoCount, eq(repoCount.teamId, teams.id))
    .where(eq(teams.namespaceId, namespaceId))
    .orderBy(asc(teams.id));
  return rows.map((r) => ({ ...r.team, memberCount: Number(r.members ?? 0), repoCount: Number(r.repos ?? 0) }));
}

/** The teams of an organization a user (or robot) is in, by name. */
export async function teamsOf(db: DbOrTx, userId: number, namespaceId: number): Promise<Team[]> {
  const rows = await db
    .select({ team: teams })
    .from(teams)
    .innerJoin(teamMembers, eq(teamMembers.teamId, teams.id))
    .where(and(eq(teams.namespaceId, namespaceId), eq(teamMembers.userId, userId)))
    .orderBy(asc(teams.name));
  return rows.map((r) => r.team);
}

/** A team's members (people and robots), by name. */
export async function teamMembersOf(db: DbOrTx, teamId: number): Promise<Account[]> {
  const rows = await db
    .select({ user: users })
    .from(teamMembers)
    .innerJoin(users, eq(users.id, teamMembers.userId))
    .where(eq(teamMembers.teamId, teamId))
    .orderBy(asc(users.username));
  return rows.map((r) => r.user);
}

/** The admin teams of an organization a user is in (names). */
async function adminTeamsOf(db: DbOrTx, userId: number, namespaceId: number): Promise<string[]> {
  return (await teamsOf(db, userId, namespaceId)).filter((t) => t.role === "admin").map((t) => t.name);
}

/** Whether taking `teamName` away from the acting user would leave them no admin team in the org. */
async function wouldLoseAdmin(db: DbOrTx, actor: Actor, namespaceId: number, teamName: string): Promise<boolean> {
  if (actor.principal.kind !== "user") return false;
  const admin = await adminTeamsOf(db, actor.principal.userId, namespaceId);
  return admin.length <= 1 && admin[0] === teamName;
}

export interface TeamChanges {
  role: TeamRole;
  description?: string;
}

/**
 * Creates team `name` or updates its role and description (Quay's PUT on a team), logging each
 * change. The acting user may not take admin away from their only admin team.
 */
export async function saveTeam(
  svc: Pick<Services, "db" | "cache">,
  actor: Actor,
  org: OrgRef,
  name: string,
  changes: TeamChanges,
): Promise<{ team: Team; created: boolean }> {
  const log = (tx: DbOrTx, kind: string, metadata: Record<string, unknown>) => logOrgAction(tx, actor, org, kind, metadata);
  const result = await svc.db.transaction(async (tx) => {
    const existing = await findTeam(tx, org.namespaceId, name);
    if (!existing) {
      const problem = teamNameProblem(name);
      if (problem) throw new DomainError("MODEL_REFUSED", `Invalid team name ${name}: ${problem}`);
      const [team] = await tx
        .insert(teams)
        .values({ namespaceId: org.namespaceId, name, role: changes.role, description: changes.description ?? "" })
        .returning();
      await log(tx, "org_create_team", { team: name });
      return { team: team!, created: true };
    }
    let team: Team = existing;
    if (changes.description !== undefined && changes.description !== team.description) {
      team = { ...team, description: changes.description };
      await tx.update(teams).set({ description: changes.description }).where(eq(teams.id, team.id));
      await log(tx, "org_set_team_description", { team: name, description: changes.description });
    }
    if (changes.role !== team.role) {
      if (team.role === "admin" && (await wouldLoseAdmin(tx, actor, org.namespaceId, name))) {
        throw new DomainError(
          "MODEL_REFUSED",
          `Cannot remove admin from team '${name}' because calling user would no longer have admin on org '${org.name}'`,
        );
      }
      team = { ...team, role: changes.role };
      await tx.update(teams).set({ role: changes.role }).where(eq(teams.id, team.id));
      await log(tx, "org_set_team_role", { team: name, role: changes.role });
    }
    return { team, created: false };
  });
  svc.cache.forgetNamespace(org.namespaceId); // this node at once; others hear the notification
  return result;
}

/** Deletes a team (its members and grants go with it), unless it is the actor's only admin team. */
export async function deleteTeam(svc: Pick<Services, "db" | "cache">, actor: Actor, org: OrgRef, team: Team): Promise<void> {
  await svc.db.transaction(async (tx) => {
    if (team.role === "admin" && (await wouldLoseAdmin(tx, actor, org.namespaceId, team.name))) {
      const who = actor.principal.kind === "user" ? actor.principal.username : "";
      throw new DomainError(
        "MODEL_REFUSED",
        `Deleting team '${team.name}' would remove admin ability for user '${who}' in organization '${org.name}'`,
      );
    }
    await tx.delete(teams).where(eq(teams.id, team.id));
    await logOrgAction(tx, actor, org, "org_delete_team", { team: team.name });
  });
  svc.cache.forgetNamespace(org.namespaceId);
}

/**
 * Adds a person or robot to a team at once (Quay does so whenever invitations are not required:
 * mail is not configured here). A robot must belong to the organization.
 */
export async function addTeamMember(
  svc: Pick<Services, "db" | "cache">,
  actor: Actor,
  org: OrgRef,
  team: Team,
  member: Account,
): Promise<void> {
  if (member.kind === "robot" && member.robotOwnerNamespaceId !== org.namespaceId) {
    throw new DomainError(
      "MODEL_REFUSED",
      "Cannot add the specified robot to this team, as it is not a member of the organization",
    );
  }
  await svc.db.transaction(async (tx) => {
    const added = await tx.insert(teamMembers).values({ teamId: team.id, userId: member.id }).onConflictDoNothing().returning();
    if (added.length === 0) throw new DomainError("MODEL_REFUSED", `User ${member.username} is already a member of team ${team.name}`);
    await logOrgAction(tx, actor, org, "org_add_team_member", { member: member.username, team: team.name });
  });
  svc.cache.forgetNamespace(org.namespaceId);
}

/** Takes a member out of a team; nobody may take themselves out of their only admin team. */
export async function removeTeamMember(
  svc: Pick<Services, "db" | "cache">,
  actor: Actor,
  org: OrgRef,
  team: Team,
  member: Account,
): Promise<void> {
  await svc.db.transaction(async (tx) => {
    const self = actor.principal.kind === "user" && actor.principal.userId === member.id;
    if (self && team.role === "admin" && (await wouldLoseAdmin(tx, actor, org.namespaceId, team.name))) {
      throw new DomainError("MODEL_REFUSED", "User cannot remove themselves from their only admin team.");
    }
    const removed = await tx
      .delete(teamMembers)
      .where(and(eq(teamMembers.teamId, team.id), eq(teamMembers.userId, member.id)))
      .returning();
    if (removed.length === 0) {
      throw new DomainError("MODEL_REFUSED", `User ${member.username} does not belong to team ${team.name}`);
    }
    await logOrgAction(tx, actor, org, "org_remove_team_member", { member: member.username, team: team.name });
  });
  svc.cache.forgetNamespace(org.namespaceId);
}

export interface TeamGrant {
  repository: string;
  visibility: "public" | "private";
  role: Role;
}

/** The repositories a team is granted roles on, by name. */
export async function teamGrants(db: DbOrTx, teamId: number): Promise<TeamGrant[]> {
  return db
    .select({ repository: repositories.name, visibility: repositories.visibility, role: teamRepoPermissions.role })
    .from(teamRepoPermissions)
    .innerJoin(repositories, eq(repositories.id, teamRepoPermissions.repositoryId))
    .where(eq(teamRepoPermissions.teamId, teamId))
    .orderBy(asc(repositories.name));
}

/** Which of the given users are in some team of the organization. */
export async function inSomeTeam(db: DbOrTx, namespaceId: number, userIds: number[]): Promise<Set<number>> {
  if (userIds.length === 0) return new Set();
  const rows = await db
    .selectDistinct({ userId: teamMembers.userId })
    .from(teamMembers)
    .innerJoin(teams, eq(teams.id, teamMembers.teamId))
    .where(and(eq(teams.namespaceId, namespaceId), inArray(teamMembers.userId, userIds)));
  return new Set(rows.map((r) => r.userId));
}

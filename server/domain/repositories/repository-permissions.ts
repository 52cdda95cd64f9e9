// Roles granted on repositories (Quay's repository permissions): direct ones of users and robots,
// with Quay's rules (a robot is granted only in its own namespace's repositories, the namespace's
// owner is always admin of them), and those of an organization's teams. Each change writes Quay's
// log row in its transaction.
import { and, asc, eq } from "drizzle-orm";
import type { DbOrTx } from "../../../db/client.ts";
import { namespaces, repoPermissions, repositories, teamMembers, teamRepoPermissions, teams, users } from "../../../db/schema.ts";
import { inSomeTeam, type Team } from "../accounts/teams.ts";
import type { Role } from "../access/permissions.ts";
import { type Actor } from "../access/principal.ts";
import { performedBy, writeAudit } from "../activity/audit.ts";
import { DomainError } from "../errors.ts";
import type { Services } from "../services.ts";

/** The account a grant is for (a person's or a robot's `users` row). */
export interface Grantee {
  id: number;
  username: string;
  kind: "user" | "robot";
  namespaceId: number | null;
  robotOwnerNamespaceId: number | null;
}

/** Every repository of a namespace, by name (what a new robot may be given roles on). */
export async function namespaceRepositories(db: DbOrTx, namespaceId: number): Promise<{ repositoryId: number; name: string }[]> {
  return db
    .select({ repositoryId: repositories.id, name: repositories.name })
    .from(repositories)
    .where(eq(repositories.namespaceId, namespaceId))
    .orderBy(asc(repositories.name));
}

/** Every repository of a namespace, by name, with `grantee`'s direct role on it (null: none). */
export async function namespaceRolesOf(
  db: DbOrTx,
  namespaceId: number,
  grantee: { id: number },
): Promise<{ repositoryId: number; name: string; role: Role | null }[]> {
  return db
    .select({ repositoryId: repositories.id, name: repositories.name, role: repoPermissions.role })
    .from(repositories)
    .leftJoin(repoPermissions, and(eq(repoPermissions.repositoryId, repositories.id), eq(repoPermissions.userId, grantee.id)))
    .where(eq(repositories.namespaceId, namespaceId))
    .orderBy(asc(repositories.name));
}

/**
 * Gives `grantee` `role` on the repository, or with null takes its role away. Refused (400 in
 * Quay's words) for a robot of another namespace, for the namespace's owner, and for removing a
 * role that is not there.
 */
export async function setRepositoryRole(
  svc: Pick<Services, "db" | "cache">,
  repositoryId: number,
  grantee: Grantee,
  role: Role | null,
  actor: Actor,
): Promise<void> {
  await svc.db.transaction(async (tx) => {
    const [repo] = await tx
      .select({ id: repositories.id, name: repositories.name, namespaceId: repositories.namespaceId, namespace: namespaces.name })
      .from(repositories)
      .innerJoin(namespaces, eq(namespaces.id, repositories.namespaceId))
      .where(eq(repositories.id, repositoryId));
    if (!repo) throw new DomainError("NOT_FOUND", "No such repository");
    if (grantee.kind === "robot" && grantee.robotOwnerNamespaceId !== repo.namespaceId) {
      throw new DomainError("INVALID_REQUEST", `Cannot add robot ${grantee.username} under namespace ${repo.namespace}`);
    }
    if (grantee.namespaceId === repo.namespaceId) throw new DomainError("INVALID_REQUEST", "Namespace owner must always be admin.");
    const where = and(eq(repoPermissions.repositoryId, repo.id), eq(repoPermissions.userId, grantee.id));
    const metadata = { username: grantee.username, repo: repo.name, namespace: repo.namespace };
    if (role === null) {
      const removed = await tx.delete(repoPermissions).where(where).returning({ userId: repoPermissions.userId });
      if (removed.length === 0) throw new DomainError("INVALID_REQUEST", "User does not have permission for repo.");
    } else {
      await tx
        .insert(repoPermissions)
        .values({ repositoryId: repo.id, userId: grantee.id, role })
        .onConflictDoUpdate({ target: [repoPermissions.repositoryId, repoPermissions.userId], set: { role } });
    }
    await logRoleChange(tx, repo, role, actor, metadata);
  });
  svc.cache.forget(repositoryId); // this node at once; others hear the change notification
}

/** A user's or robot's role on a repository, as its permissions list shows it. */
export interface UserGrant {
  username: string;
  email: string | null;
  robot: boolean;
  role: Role;
  /** Only for an organization's repositories: a robot of it, or a person in one of its teams. */
  isOrgMember?: boolean;
}

/**
 * The users and robots holding a role on the repository: direct grants, and for a person's
 * repository its owner (admin, as the row Quay keeps for the owner).
 */
export async function userGrantsOn(db: DbOrTx, repo: { id: number; namespaceId: number }): Promise<UserGrant[]> {
  const [ns] = await db.select({ kind: namespaces.kind }).from(namespaces).where(eq(namespaces.id, repo.namespaceId));
  const account = { id: users.id, username: users.username, email: users.email, kind: users.kind };
  const granted = await db
    .select({ ...account, role: repoPermissions.role })
    .from(repoPermissions)
    .innerJoin(users, eq(users.id, repoPermissions.userId))
    .where(eq(repoPermissions.repositoryId, repo.id))
    .orderBy(asc(users.username));
  if (ns?.kind !== "org") {
    const owners = await db.select(account).from(users).where(eq(users.namespaceId, repo.namespaceId));
    return [...owners.map((o) => ({ ...o, role: "admin" as const })), ...granted].map((g) => ({
      username: g.username,
      email: g.email,
      robot: g.kind === "robot",
      role: g.role,
    }));
  }
  const members = await inSomeTeam(db, repo.namespaceId, granted.map((g) => g.id));
  return granted.map((g) => ({
    username: g.username,
    email: g.email,
    robot: g.kind === "robot",
    role: g.role,
    isOrgMember: g.kind === "robot" || members.has(g.id),
  }));
}

/** The teams holding a role on the repository, by name. */
export async function teamGrantsOn(db: DbOrTx, repositoryId: number): Promise<{ name: string; role: Role }[]> {
  return db
    .select({ name: teams.name, role: teamRepoPermissions.role })
    .from(teamRepoPermissions)
    .innerJoin(teams, eq(teams.id, teamRepoPermissions.teamId))
    .where(eq(teamRepoPermissions.repositoryId, repositoryId))
    .orderBy(asc(teams.name));
}

/** Every role an account holds on the repository itself and through its teams (Quay's transitive view). */
export async function transitiveRoles(db: DbOrTx, repositoryId: number, userId: number): Promise<Role[]> {
  const direct = await db
    .select({ role: repoPermissions.role })
    .from(repoPermissions)
    .where(and(eq(repoPermissions.repositoryId, repositoryId), eq(repoPermissions.userId, userId)));
  const viaTeams = await db
    .select({ role: teamRepoPermissions.role })
    .from(teamRepoPermissions)
    .innerJoin(teamMembers, eq(teamMembers.teamId, teamRepoPermissions.teamId))
    .where(and(eq(teamRepoPermissions.repositoryId, repositoryId), eq(teamMembers.userId, userId)));
  return [...direct, ...viaTeams].map((r) => r.role);
}

/** The usage-log row for a granted, changed or removed role (Quay's two kinds), whoever holds it. */
function logRoleChange(
  tx: DbOrTx,
  repo: { id: number; namespaceId: number },
  role: Role | null,
  actor: Actor,
  metadata: Record<string, unknown>,
): Promise<void> {
  return writeAudit(tx, {
    kind: role === null ? "delete_repo_permission" : "change_repo_permission",
    namespaceId: repo.namespaceId,
    repositoryId: repo.id,
    ...performedBy(actor),
    metadata: role === null ? metadata : { ...metadata, role },
  });
}

/**
 * Gives a team of the repository's organization `role` on it, or with null takes the team's role
 * away (refused, in Quay's words, when it has none).
 */
export async function setTeamRepositoryRole(
  svc: Pick<Services, "db" | "cache">,
  repo: { id: number; name: string; namespaceId: number },
  team: Pick<Team, "id" | "name" | "namespaceId">,
  role: Role | null,
  actor: Actor,
): Promise<void> {
  if (team.namespaceId !== repo.namespaceId) throw new DomainError("INVALID_REQUEST", "Team does not have permission for repo.");
  await svc.db.transaction(async (tx) => {
    const where = and(eq(teamRepoPermissions.repositoryId, repo.id), eq(teamRepoPermissions.teamId, team.id));
    if (role === null) {
      const removed = await tx.delete(teamRepoPermissions).where(where).returning({ teamId: teamRepoPermissions.teamId });
      if (removed.length === 0) throw new DomainError("INVALID_REQUEST", "Team does not have permission for repo.");
    } else {
      await tx
        .insert(teamRepoPermissions)
        .values({ repositoryId: repo.id, teamId: team.id, role })
        .onConflictDoUpdate({ target: [teamRepoPermissions.repositoryId, teamRepoPermissions.teamId], set: { role } });
    }
    const metadata = { team: team.name, repo: repo.name };
    await logRoleChange(tx, repo, role, actor, metadata);
  });
  svc.cache.forget(repo.id); // this node at once; others hear the change notification
}

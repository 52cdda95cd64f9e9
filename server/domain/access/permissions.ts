// Who may do what to a repository. Every door asks here; nothing else decides access.
// A user's (or robot's) role on a repository is the highest of: owning its namespace (admin),
// being in an admin team of its organization (admin), a direct grant, the grants of the teams
// they are in; a public repository is readable by anyone.
import { and, eq, sql } from "drizzle-orm";
import { unionAll } from "drizzle-orm/pg-core";
import type { DbOrTx } from "../../../db/client.ts";
import { repoPermissions, teamMembers, teamRepoPermissions, teams } from "../../../db/schema.ts";
import { orgRole } from "../accounts/teams.ts";
import type { Principal } from "./principal.ts";

export type Role = "read" | "write" | "admin";
const RANK: Record<Role, number> = { read: 1, write: 2, admin: 3 };

export const roleAtLeast = (role: Role | null, needed: Role) => role !== null && RANK[role] >= RANK[needed];

/** The higher of two roles. */
export const higherRole = (a: Role | null, b: Role | null): Role | null =>
  a === null ? b : b === null || RANK[a] >= RANK[b] ? a : b;

interface RepoAccessFacts {
  id: number;
  namespaceId: number;
  visibility: "public" | "private";
}

/** The caller's role on a repository, or null when they may not even read it. */
export async function roleOn(db: DbOrTx, principal: Principal, repo: RepoAccessFacts): Promise<Role | null> {
  let role: Role | null = null;
  if (principal.kind === "user") {
    if (ownsNamespace(principal, repo.namespaceId)) return "admin";
    role = await grantedRole(db, principal.userId, repo);
  }
  return repo.visibility === "public" ? higherRole(role, "read") : role;
}

/** Direct grants, team grants and organization admin teams, in one round trip. */
async function grantedRole(db: DbOrTx, userId: number, repo: RepoAccessFacts): Promise<Role | null> {
  const rows = await unionAll(
    db
      .select({ role: repoPermissions.role })
      .from(repoPermissions)
      .where(and(eq(repoPermissions.repositoryId, repo.id), eq(repoPermissions.userId, userId))),
    db
      .select({ role: teamRepoPermissions.role })
      .from(teamRepoPermissions)
      .innerJoin(teamMembers, eq(teamMembers.teamId, teamRepoPermissions.teamId))
      .where(and(eq(teamRepoPermissions.repositoryId, repo.id), eq(teamMembers.userId, userId))),
    db
      .select({ role: sql<Role>`'admin'`.as("role") })
      .from(teams)
      .innerJoin(teamMembers, eq(teamMembers.teamId, teams.id))
      .where(and(eq(teams.namespaceId, repo.namespaceId), eq(teams.role, "admin"), eq(teamMembers.userId, userId))),
  );
  let best: Role | null = null;
  for (const { role } of rows) best = higherRole(best, role);
  return best;
}

/** Whether the principal is the user whose namespace this is (robots own none). */
export const ownsNamespace = (principal: Principal, namespaceId: number): boolean =>
  principal.kind === "user" && namespaceId === principal.namespaceId;

/**
 * The role a principal holds on every repository of a namespace, existing or not: its owner and
 * the organization's admins are admin. (This is what lets them learn that a repository is
 * missing, where others are refused.)
 */
export async function namespaceWideRole(db: DbOrTx, principal: Principal, namespace: { id: number }): Promise<Role | null> {
  if (principal.kind !== "user") return null;
  if (ownsNamespace(principal, namespace.id)) return "admin";
  return (await orgRole(db, principal.userId, namespace.id)) === "admin" ? "admin" : null;
}

/** Whether the principal administers organization `namespaceId` (an admin team's member). */
export async function isOrgAdmin(db: DbOrTx, principal: Principal, namespaceId: number): Promise<boolean> {
  return principal.kind === "user" && (await orgRole(db, principal.userId, namespaceId)) === "admin";
}

/**
 * Whether the principal may create repositories in a namespace: their own, or an organization
 * where one of their teams has the creator or admin role.
 */
export async function canCreateIn(db: DbOrTx, principal: Principal, namespace: { id: number; kind: string }): Promise<boolean> {
  if (principal.kind !== "user") return false;
  if (namespace.kind === "user") return namespace.id === principal.namespaceId;
  const role = await orgRole(db, principal.userId, namespace.id);
  return role === "creator" || role === "admin";
}

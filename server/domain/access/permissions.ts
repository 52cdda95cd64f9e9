// Who may do what to a repository. Every door asks here; nothing else decides access.
import { and, eq } from "drizzle-orm";
import type { DbOrTx } from "../../../db/client.ts";
import { repoPermissions } from "../../../db/schema.ts";
import type { Principal } from "./principal.ts";

export type Role = "read" | "write" | "admin";
const RANK: Record<Role, number> = { read: 1, write: 2, admin: 3 };

export const roleAtLeast = (role: Role | null, needed: Role) => role !== null && RANK[role] >= RANK[needed];

interface RepoAccessFacts {
  id: number;
  namespaceId: number;
  visibility: "public" | "private";
}

/** The caller's role on a repository, or null when they may not even read it. */
export async function roleOn(db: DbOrTx, principal: Principal, repo: RepoAccessFacts): Promise<Role | null> {
  if (principal.kind === "user") {
    const wide = namespaceWideRole(principal, { id: repo.namespaceId });
    if (wide) return wide;
    const [grant] = await db
      .select({ role: repoPermissions.role })
      .from(repoPermissions)
      .where(and(eq(repoPermissions.repositoryId, repo.id), eq(repoPermissions.userId, principal.userId)));
    if (grant) return grant.role;
  }
  return repo.visibility === "public" ? "read" : null;
}

/**
 * The role a principal holds on every repository of a namespace, existing or not: its owner is
 * admin. (This is what lets an owner learn that a repository is missing, where others are refused.)
 */
export function namespaceWideRole(principal: Principal, namespace: { id: number }): Role | null {
  return principal.kind === "user" && namespace.id === principal.namespaceId ? "admin" : null;
}

/** Whether the principal may create repositories in a namespace (organizations come later). */
export function canCreateIn(principal: Principal, namespace: { id: number; kind: string }): boolean {
  return principal.kind === "user" && namespace.kind === "user" && namespace.id === principal.namespaceId;
}

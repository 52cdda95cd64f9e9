// Who may do what to a repository. Every door asks here; nothing else decides access.
import { and, eq } from "drizzle-orm";
import type { DbOrTx } from "../../db/client.ts";
import { repoPermissions } from "../../db/schema.ts";
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
    if (repo.namespaceId === principal.namespaceId) return "admin";
    const [grant] = await db
      .select({ role: repoPermissions.role })
      .from(repoPermissions)
      .where(and(eq(repoPermissions.repositoryId, repo.id), eq(repoPermissions.userId, principal.userId)));
    if (grant) return grant.role;
  }
  return repo.visibility === "public" ? "read" : null;
}

/** Whether the principal may create repositories in a namespace (organizations come later). */
export function canCreateIn(principal: Principal, namespace: { id: number; kind: string }): boolean {
  return principal.kind === "user" && namespace.kind === "user" && namespace.id === principal.namespaceId;
}

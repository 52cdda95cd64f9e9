// Direct roles of users and robots on repositories (Quay's repository permissions for users),
// with Quay's rules: a robot is granted only in its own namespace's repositories, and the
// namespace's owner is always admin of them. Each change writes Quay's log row in its transaction.
import { and, asc, eq } from "drizzle-orm";
import type { Db, DbOrTx } from "../../../db/client.ts";
import { namespaces, repoPermissions, repositories } from "../../../db/schema.ts";
import type { Role } from "../access/permissions.ts";
import { type Actor, performerId } from "../access/principal.ts";
import { writeAudit } from "../activity/audit.ts";
import { DomainError } from "../errors.ts";

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
  db: Db,
  repositoryId: number,
  grantee: Grantee,
  role: Role | null,
  actor: Actor,
): Promise<void> {
  await db.transaction(async (tx) => {
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
    await writeAudit(tx, {
      kind: role === null ? "delete_repo_permission" : "change_repo_permission",
      namespaceId: repo.namespaceId,
      repositoryId: repo.id,
      performerId: performerId(actor),
      ip: actor.ip,
      metadata: role === null ? metadata : { ...metadata, role },
    });
  });
}

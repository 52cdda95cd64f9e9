// What a principal may do with `namespace/name`, existing or not: the OCI actions (pull, push,
// delete) a registry token may grant, following Quay's rules (downscope quietly rather than
// fail), and the repository role the API door checks.
import { eq } from "drizzle-orm";
import type { DbOrTx } from "../../db/client.ts";
import { namespaces } from "../../db/schema.ts";
import type { RepoRef } from "./names.ts";
import { findNamespace } from "./namespaces.ts";
import { canCreateIn, namespaceWideRole, type Role, roleAtLeast, roleOn } from "./permissions.ts";
import type { Principal } from "./principal.ts";
import { findRepository, type Repository } from "./repositories.ts";

export type RegistryAction = "pull" | "push" | "delete";

export async function registryActions(db: DbOrTx, principal: Principal, ref: RepoRef): Promise<RegistryAction[]> {
  const repo = await findRepository(db, ref);
  if (!repo) {
    if (principal.kind !== "user") return [];
    const [ns] = await db.select().from(namespaces).where(eq(namespaces.name, ref.namespace));
    return ns && canCreateIn(principal, ns) ? ["pull", "push", "delete"] : [];
  }
  if (repo.state === "MARKED_FOR_DELETION") return [];
  const role = await roleOn(db, principal, repo);
  const actions: RegistryAction[] = [];
  if (roleAtLeast(role, "read")) actions.push("pull");
  if (roleAtLeast(role, "write") && repo.state === "NORMAL") actions.push("push", "delete");
  return actions;
}

export interface RepositoryAccess {
  /** Undefined when the repository does not exist (or is being deleted). */
  repo?: Repository;
  /** The caller's role; for a missing repository, what they hold namespace-wide. */
  role: Role | null;
}

/**
 * The caller's role on `namespace/name` whether or not it exists, so a door can refuse before it
 * reveals existence: only callers with namespace-wide rights learn that a repository is missing.
 */
export async function repositoryAccess(db: DbOrTx, principal: Principal, ref: RepoRef): Promise<RepositoryAccess> {
  const repo = await findRepository(db, ref);
  if (repo && repo.state !== "MARKED_FOR_DELETION") return { repo, role: await roleOn(db, principal, repo) };
  const ns = await findNamespace(db, ref.namespace);
  return { role: ns ? namespaceWideRole(principal, ns) : null };
}

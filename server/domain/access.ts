// What a registry token may grant: the OCI actions (pull, push, delete) a principal holds on
// `namespace/name`, following Quay's rules: downscope quietly rather than fail.
import { eq } from "drizzle-orm";
import type { DbOrTx } from "../../db/client.ts";
import { namespaces } from "../../db/schema.ts";
import type { RepoRef } from "./names.ts";
import { canCreateIn, roleAtLeast, roleOn } from "./permissions.ts";
import type { Principal } from "./principal.ts";
import { findRepository } from "./repositories.ts";

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

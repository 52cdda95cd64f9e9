// Quay's repository states: NORMAL, READ_ONLY (no pushes) and MIRROR (only the mirror's robot
// pushes, repository-sync.ts does). Set by admins through `changestate` and the mirroring settings.
import { eq } from "drizzle-orm";
import { repositories } from "../../../db/schema.ts";
import { performedBy, writeAudit } from "../activity/audit.ts";
import type { Actor } from "../access/principal.ts";
import { DomainError } from "../errors.ts";
import type { Services } from "../services.ts";
import type { Repository } from "./repositories.ts";

/** The states an admin may choose (ORG_MIRROR and MARKED_FOR_DELETION are the system's). */
export const SETTABLE_STATES = ["NORMAL", "READ_ONLY", "MIRROR"] as const;
export type SettableState = (typeof SETTABLE_STATES)[number];

export const isSettableState = (state: string): state is SettableState => (SETTABLE_STATES as readonly string[]).includes(state);

export async function setRepositoryState(svc: Pick<Services, "db" | "cache">, actor: Actor, repo: Repository, state: string): Promise<void> {
  if (!isSettableState(state)) throw new DomainError("INVALID_REQUEST", `${state} is not a valid Repository state.`);
  await svc.db.transaction(async (tx) => {
    await tx.update(repositories).set({ state }).where(eq(repositories.id, repo.id));
    await writeAudit(tx, {
      kind: "change_repo_state",
      namespaceId: repo.namespaceId,
      repositoryId: repo.id,
      ...performedBy(actor),
      metadata: { repo: repo.name, namespace: repo.namespace, state_changed: state },
    });
  });
  svc.cache.forget(repo.id);
}

// Namespaces: the shared name space of users and organizations.
import { eq } from "drizzle-orm";
import type { Db, DbOrTx } from "../../../db/client.ts";
import { namespaces } from "../../../db/schema.ts";
import { performedBy, writeAudit } from "../activity/audit.ts";
import { type Actor } from "../access/principal.ts";
import { DomainError } from "../errors.ts";

export type Namespace = typeof namespaces.$inferSelect;

export async function findNamespace(db: DbOrTx, name: string): Promise<Namespace | undefined> {
  const [ns] = await db.select().from(namespaces).where(eq(namespaces.name, name));
  return ns;
}

/** Quay's default time-machine window: how long ended tags stay restorable (two weeks). */
export const DEFAULT_TAG_EXPIRATION_SECONDS = 14 * 24 * 3600;

/** Quay's default TAG_EXPIRATION_OPTIONS (0s, 1d, 1w, 2w, 4w): the time-machine windows one may pick. */
export const TAG_EXPIRATION_OPTIONS_S: readonly number[] = [0, 86_400, 604_800, 1_209_600, 2_419_200];

export function checkTagExpirationWindow(seconds: number): void {
  if (!TAG_EXPIRATION_OPTIONS_S.includes(seconds)) {
    throw new DomainError("INVALID_REQUEST", "Invalid tag expiration: must be one of 0s, 1d, 1w, 2w, 4w");
  }
}

/** Sets a person's time-machine window (`user_change_tag_expiration`); organizations' is updateOrganization's. */
export async function setUserTagExpiration(db: Db, actor: Actor, user: { namespaceId: number; username: string }, seconds: number): Promise<void> {
  checkTagExpirationWindow(seconds);
  await db.transaction(async (tx) => {
    await tx.update(namespaces).set({ tagExpirationS: seconds }).where(eq(namespaces.id, user.namespaceId));
    await writeAudit(tx, {
      kind: "user_change_tag_expiration",
      namespaceId: user.namespaceId,
      ...performedBy(actor),
      metadata: { username: user.username, tag_expiration: seconds },
    });
  });
}

/** A namespace's time-machine window: how long its ended tags stay restorable, in seconds. */
export async function tagExpirationSeconds(db: DbOrTx, namespaceId: number): Promise<number> {
  const [ns] = await db.select({ seconds: namespaces.tagExpirationS }).from(namespaces).where(eq(namespaces.id, namespaceId));
  return ns?.seconds ?? DEFAULT_TAG_EXPIRATION_SECONDS;
}

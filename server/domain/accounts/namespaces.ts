// Namespaces: the shared name space of users and organizations.
import { eq } from "drizzle-orm";
import type { DbOrTx } from "../../../db/client.ts";
import { namespaces } from "../../../db/schema.ts";

export type Namespace = typeof namespaces.$inferSelect;

export async function findNamespace(db: DbOrTx, name: string): Promise<Namespace | undefined> {
  const [ns] = await db.select().from(namespaces).where(eq(namespaces.name, name));
  return ns;
}

/** Quay's default time-machine window: how long ended tags stay restorable (two weeks). */
export const DEFAULT_TAG_EXPIRATION_SECONDS = 14 * 24 * 3600;

/** A namespace's time-machine window: how long its ended tags stay restorable, in seconds. */
export async function tagExpirationSeconds(db: DbOrTx, namespaceId: number): Promise<number> {
  const [ns] = await db.select({ seconds: namespaces.tagExpirationS }).from(namespaces).where(eq(namespaces.id, namespaceId));
  return ns?.seconds ?? DEFAULT_TAG_EXPIRATION_SECONDS;
}

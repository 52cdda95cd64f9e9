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

/** A namespace's time-machine window (namespaces have no setting of their own yet). */
export function tagExpirationSeconds(_namespace: Pick<Namespace, "id">): number {
  return DEFAULT_TAG_EXPIRATION_SECONDS;
}

// The key registry tokens are signed with: from config, or generated once and kept in the
// database so that every node of a cluster (and every restart) signs and verifies alike.
import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { instanceSettings } from "../../db/schema.ts";

const KEY = "registry_token_signing_key";

export async function loadSigningKey(db: Db, configured: string | undefined): Promise<Uint8Array> {
  if (configured) return new TextEncoder().encode(configured);
  await db
    .insert(instanceSettings)
    .values({ key: KEY, value: randomBytes(32).toString("base64url") })
    .onConflictDoNothing();
  const [row] = await db.select().from(instanceSettings).where(eq(instanceSettings.key, KEY));
  return Buffer.from(row!.value, "base64url");
}

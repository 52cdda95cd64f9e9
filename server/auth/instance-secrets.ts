// Random keys made once per installation and kept in `instance_settings`, so every node of a
// cluster (and every restart) uses the same one. The first node to ask creates it.
import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { instanceSettings } from "../../db/schema.ts";

export async function instanceSecret(db: Db, name: string): Promise<Buffer> {
  await db
    .insert(instanceSettings)
    .values({ key: name, value: randomBytes(32).toString("base64url") })
    .onConflictDoNothing();
  const [row] = await db.select().from(instanceSettings).where(eq(instanceSettings.key, name));
  return Buffer.from(row!.value, "base64url");
}

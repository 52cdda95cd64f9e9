// The key registry tokens are signed with: from config, or generated once and kept in the
// database so that every node of a cluster (and every restart) signs and verifies alike.
import type { Db } from "../../db/client.ts";
import { instanceSecret } from "./instance-secrets.ts";

export async function loadSigningKey(db: Db, configured: string | undefined): Promise<Uint8Array> {
  if (configured) return new TextEncoder().encode(configured);
  return instanceSecret(db, "registry_token_signing_key");
}

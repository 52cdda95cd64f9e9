// Encrypted passwords, as Quay's `user/initialize` hands out: the password sealed with a key only
// this instance holds (AES-256-GCM), accepted in its place by registry logins. The key is made
// once and kept in the database so every node of a cluster opens what another sealed.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { Db } from "../../db/client.ts";
import { instanceSecret } from "./instance-secrets.ts";

const SETTING = "password_encryption_key";
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Sealed passwords start with this, so ordinary passwords never pay for a decryption attempt. */
const PREFIX = "qs1.";

const keys = new WeakMap<Db, Promise<Buffer>>();

function keyFor(db: Db): Promise<Buffer> {
  let key = keys.get(db);
  if (!key) {
    key = instanceSecret(db, SETTING);
    key.catch(() => keys.delete(db));
    keys.set(db, key);
  }
  return key;
}

export async function encryptPassword(db: Db, password: string): Promise<string> {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", await keyFor(db), iv);
  const sealed = Buffer.concat([cipher.update(password, "utf8"), cipher.final()]);
  return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString("base64url");
}

/** The password inside a sealed one; null when the text is not one of ours. */
export async function decryptPassword(db: Db, text: string): Promise<string | null> {
  if (!text.startsWith(PREFIX)) return null;
  const raw = Buffer.from(text.slice(PREFIX.length), "base64url");
  if (raw.length <= IV_BYTES + TAG_BYTES) return null;
  try {
    const decipher = createDecipheriv("aes-256-gcm", await keyFor(db), raw.subarray(0, IV_BYTES));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString("utf8");
  } catch {
    return null;
  }
}

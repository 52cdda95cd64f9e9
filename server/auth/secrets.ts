// Random secrets handed to clients and the hashes we keep of them instead.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

export const newSecret = (bytes = 30) => randomBytes(bytes).toString("base64url");
export const secretHash = (secret: string) => createHash("sha256").update(secret).digest("hex");

export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

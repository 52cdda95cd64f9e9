// Checking an ID token from an external OpenID Connect issuer (keyless CI logins): the issuer
// must be one we were told to trust; its signing keys come from its discovery document's
// `jwks_uri` (fetched once per issuer, keys cached by jose); signature and expiry must hold.
import { createRemoteJWKSet, decodeJwt, jwtVerify } from "jose";

type KeySet = ReturnType<typeof createRemoteJWKSet>;

const MAX_ISSUERS = 100;
const keySets = new Map<string, Promise<KeySet>>();

async function discover(issuer: string): Promise<KeySet> {
  const res = await fetch(`${issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`, {
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) throw new Error(`OIDC discovery for ${issuer} answered ${res.status}`);
  const { jwks_uri: jwksUri } = (await res.json()) as { jwks_uri?: unknown };
  if (typeof jwksUri !== "string") throw new Error(`OIDC discovery for ${issuer} names no jwks_uri`);
  return createRemoteJWKSet(new URL(jwksUri));
}

function keySetOf(issuer: string): Promise<KeySet> {
  let set = keySets.get(issuer);
  if (!set) {
    if (keySets.size >= MAX_ISSUERS) keySets.clear();
    set = discover(issuer);
    set.catch(() => keySets.delete(issuer));
    keySets.set(issuer, set);
  }
  return set;
}

/** The issuer and subject of a valid ID token from one of `trusted`; null otherwise. */
export async function verifyOidcToken(token: string, trusted: readonly string[]): Promise<{ issuer: string; subject: string } | null> {
  let issuer: string | undefined;
  try {
    issuer = decodeJwt(token).iss;
  } catch {
    return null;
  }
  if (!issuer || !trusted.includes(issuer)) return null;
  try {
    const { payload } = await jwtVerify(token, await keySetOf(issuer), { issuer });
    return payload.sub ? { issuer, subject: payload.sub } : null;
  } catch {
    return null;
  }
}

// Docker registry bearer tokens (JWT, HS256). Issued by /v2/auth, checked on every /v2
// request. Verified tokens are remembered until they expire so the hot path costs a map lookup.
// A token names the principal as it stood at issue (auth generation, OAuth token and its caps),
// so the door can check it is still current and re-derive its grants.
import { jwtVerify, SignJWT } from "jose";
import type { Principal } from "../domain/access/principal.ts";
import { NO_CAPS, type ScopeCaps } from "../domain/access/scopes.ts";

export interface AccessEntry {
  type: string;
  name: string;
  actions: string[];
}

export interface VerifiedToken {
  principal: Principal;
  access: AccessEntry[];
  expiresAt: number;
}

interface Claims {
  sub: string;
  access: AccessEntry[];
  context?: {
    uid?: number;
    nsid?: number;
    su?: boolean;
    /** The account's auth generation at issue. */
    gen?: number;
    /** The OAuth token (`$oauthtoken` login) the token was issued for, and its caps. */
    tid?: number;
    caps?: ScopeCaps;
    /** Set for a robot account. */
    rb?: true;
    /** The app-specific token the login was made with. */
    atid?: number;
  };
}

const ISSUER = "quayside";
const CACHE_LIMIT = 10_000;

export class RegistryTokens {
  private readonly verified = new Map<string, VerifiedToken>();

  constructor(
    private readonly key: Uint8Array,
    private readonly ttlSeconds: number,
  ) {}

  async issue(principal: Principal, audience: string, access: AccessEntry[], ttlSeconds = this.ttlSeconds) {
    const issuedAt = Math.floor(Date.now() / 1000);
    const context: Claims["context"] = principal.kind === "user"
      ? {
          uid: principal.userId,
          nsid: principal.namespaceId,
          su: principal.superuser,
          gen: principal.generation,
          tid: principal.viaToken?.id,
          caps: principal.viaToken?.caps,
          rb: principal.robot,
          atid: principal.viaAppToken,
        }
      : {};
    const token = await new SignJWT({ access, context })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setIssuer(ISSUER)
      .setAudience(audience)
      .setSubject(principal.kind === "user" ? principal.username : "(anonymous)")
      .setIssuedAt(issuedAt)
      .setNotBefore(issuedAt - 5)
      .setExpirationTime(issuedAt + ttlSeconds)
      .setJti(crypto.randomUUID())
      .sign(this.key);
    return { token, expiresIn: ttlSeconds, issuedAt: new Date(issuedAt * 1000).toISOString() };
  }

  /** Returns the token's grants, or null when it is invalid, expired or for another audience. */
  async verify(token: string, audience: string): Promise<VerifiedToken | null> {
    const cacheKey = `${audience} ${token}`;
    const cached = this.verified.get(cacheKey);
    if (cached) {
      if (cached.expiresAt > Date.now()) return cached;
      this.verified.delete(cacheKey);
    }
    let claims: Claims;
    let exp: number;
    try {
      const { payload } = await jwtVerify(token, this.key, { issuer: ISSUER, audience, clockTolerance: 30 });
      claims = payload as unknown as Claims;
      exp = (payload.exp ?? 0) * 1000;
    } catch {
      return null;
    }
    const ctx = claims.context ?? {};
    const principal: Principal = ctx.uid !== undefined && ctx.nsid !== undefined
      ? {
          kind: "user",
          userId: ctx.uid,
          username: claims.sub,
          namespaceId: ctx.nsid,
          superuser: ctx.su ?? false,
          generation: ctx.gen ?? 0,
          ...(ctx.tid !== undefined ? { viaToken: { id: ctx.tid, caps: ctx.caps ?? NO_CAPS } } : {}),
          ...(ctx.rb ? { robot: true as const } : {}),
          ...(ctx.atid !== undefined ? { viaAppToken: ctx.atid } : {}),
        }
      : { kind: "anonymous" };
    const result = { principal, access: Array.isArray(claims.access) ? claims.access : [], expiresAt: exp };
    if (this.verified.size >= CACHE_LIMIT) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(cacheKey, result);
    return result;
  }
}

// Who is calling /api/v1 and what they may do: an OAuth bearer token (its scopes cap the
// caller's real rights), a browser session (all scopes; writes need its CSRF token), or nobody.
import type { Context } from "hono";
import type { AppDeps } from "../deps.ts";
import { resolveAccessToken } from "../domain/accounts/oauth-tokens.ts";
import { capRepoRole, capsOf, NO_CAPS, type ScopeCaps, SESSION_CAPS } from "../domain/access/scopes.ts";
import { sameSecret } from "../auth/secrets.ts";
import { readSession } from "../auth/session-cookie.ts";
import { clientIp } from "../client-ip.ts";
import type { Config } from "../config.ts";
import { repositoryAccess } from "../domain/access/access.ts";
import type { RepoRef } from "../domain/names.ts";
import { type Role, roleAtLeast } from "../domain/access/permissions.ts";
import { type Actor, anonymous, type Principal } from "../domain/access/principal.ts";
import type { Repository } from "../domain/repositories/repositories.ts";
import { isFreshSignIn } from "../domain/accounts/fresh-login.ts";
import { toPrincipal, type User } from "../domain/accounts/users.ts";
import { ApiError, notFound, PlainError, unauthorized } from "./errors.ts";

export interface Caller {
  via: "anonymous" | "token" | "session";
  principal: Principal;
  user?: User;
  caps: ScopeCaps;
  /** The session's CSRF token (sessions only). */
  csrfToken?: string;
  /** When the session's sign-in happened (sessions only). */
  signedInAt?: Date;
}

const ANONYMOUS: Caller = { via: "anonymous", principal: anonymous, caps: NO_CAPS };

export async function identifyCaller(deps: AppDeps, c: Context): Promise<Caller> {
  const header = c.req.header("authorization")?.trim() ?? "";
  const [scheme, token, ...rest] = header.split(/\s+/);
  if (scheme?.toLowerCase() === "bearer" && token && rest.length === 0) {
    const resolved = await resolveAccessToken(deps.db, token, deps.clock.now());
    // A bad token leaves the caller anonymous rather than failing, and skips the session (Quay).
    if (!resolved) return ANONYMOUS;
    const caps = capsOf(resolved.scopes);
    // The token rides on the principal: the usage log names an OAuth application as performer.
    return { via: "token", principal: { ...toPrincipal(resolved.user), viaToken: { id: resolved.id, caps } }, user: resolved.user, caps };
  }
  const session = await readSession(deps, c);
  if (!session) return ANONYMOUS;
  return {
    via: "session",
    principal: toPrincipal(session.user),
    user: session.user,
    caps: SESSION_CAPS,
    csrfToken: session.csrfToken,
    signedInAt: session.createdAt,
  };
}

/**
 * Quay's `require_fresh_login` (domain/accounts/fresh-login.ts): a session that signed in too long
 * ago may not do sensitive account operations until the user signs in again or confirms the
 * password (`POST /api/v1/signin/verify`); OAuth tokens are exempt.
 */
export function requireFreshLogin(caller: Caller, now: Date): void {
  if (caller.via !== "session" || !caller.signedInAt) return;
  if (!isFreshSignIn(caller.signedInAt, now)) throw new ApiError(401, "fresh_login_required", "Requires fresh login");
}

export const actorOf = (config: Config, c: Context, caller: Caller): Actor => ({
  principal: caller.principal,
  ip: clientIp(c, config),
});

export const isAnonymous = (caller: Caller) => caller.principal.kind === "anonymous";

/**
 * Every write not made with an OAuth token must carry the session's CSRF token (header
 * `X-CSRF-Token` or `_csrf_token` parameter) — anonymous writes included, which have none.
 */
export function checkCsrf(c: Context, caller: Caller): void {
  if (c.req.method === "GET" || c.req.method === "HEAD" || caller.via === "token") return;
  const sent = c.req.header("x-csrf-token") || c.req.query("_csrf_token") || "";
  if (!caller.csrfToken || !sent || !sameSecret(caller.csrfToken, sent)) {
    throw new PlainError(403, { error: "CSRF token was invalid or missing." });
  }
}

export interface RepositoryGrant {
  /** Undefined when the repository does not exist. */
  repo?: Repository;
  /** The caller's role after their scopes capped it. */
  role: Role | null;
}

/**
 * Refuses (401/403 by who asks) unless the caller holds `needed` on the repository. Checked
 * before existence, so only callers with namespace-wide rights learn a repository is missing.
 * Public repositories are readable whatever the token's scopes.
 */
export async function authorizeRepository(
  deps: AppDeps,
  caller: Caller,
  ref: RepoRef,
  needed: Role,
): Promise<RepositoryGrant> {
  const access = await repositoryAccess(deps.db, caller.principal, ref);
  let role = capRepoRole(access.role, caller.caps);
  if (role === null && access.repo?.visibility === "public") role = "read";
  if (!roleAtLeast(role, needed)) throw unauthorized(isAnonymous(caller));
  return { repo: access.repo, role };
}

/** `authorizeRepository`, then 404 when the repository does not exist. */
export async function authorizeExistingRepository(
  deps: AppDeps,
  caller: Caller,
  ref: RepoRef,
  needed: Role,
): Promise<{ repo: Repository; role: Role | null }> {
  const grant = await authorizeRepository(deps, caller, ref, needed);
  if (!grant.repo) throw notFound();
  return { repo: grant.repo, role: grant.role };
}

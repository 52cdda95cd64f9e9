// Session sign-in for scripts that hold only a user name and password (Quay's flow):
// `GET /csrf_token` gives a token and its cookie, `POST /api/v1/signin` checks it and answers
// with a new session cookie and the session's token in `X-Next-CSRF-Token`, later writes send
// that token as `X-CSRF-Token`, and `POST /api/v1/signout` ends the session. `POST
// /api/v1/signin/verify` confirms the password of a session too old for sensitive operations.
import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import { z } from "zod";
import type { AppDeps } from "../deps.ts";
import { endSession, readSession, startSession } from "../auth/session-cookie.ts";
import { destroyUserSessions } from "../auth/sessions.ts";
import { clientIp } from "../client-ip.ts";
import { authenticate } from "../domain/accounts/users.ts";
import { DomainError, retryAfterOf } from "../domain/errors.ts";
import { CSRF_COOKIE, preSessionToken } from "../web/csrf.ts";
import { checkCsrf, identifyCaller } from "./auth.ts";
import { accountAdmin } from "./app-tokens.ts";
import { jsonBody } from "./input.ts";
import type { ApiEnv, ApiRequest } from "./request.ts";

/** Quay's database authentication says this for unknown users and wrong passwords alike. */
const INVALID_CREDENTIALS = "Invalid Username or Password";

/** `GET /csrf_token`: the session's token, or a pre-session one with its cookie. */
export async function csrfToken(deps: AppDeps, c: Context): Promise<Response> {
  const session = await readSession(deps, c);
  return c.json({ csrf_token: session?.csrfToken ?? preSessionToken(deps, c) });
}

const signinBody = z.object({ username: z.string(), password: z.string(), invite_code: z.string().optional() });

/**
 * `POST /api/v1/signin`. The CSRF token is the current session's or the one `/csrf_token`
 * handed out. Failures are 403 with Quay's flags; the failed-login limits answer 429 in plain
 * text, as Quay's throttle does. Success rotates the session (as the web sign-in does).
 */
export async function signin(deps: AppDeps, c: Context<ApiEnv>): Promise<Response> {
  const caller = await identifyCaller(deps, c);
  c.set("caller", caller);
  checkCsrf(c, { ...caller, csrfToken: caller.csrfToken ?? getCookie(c, CSRF_COOKIE) });
  const body = await jsonBody(c, signinBody);
  return signInWith(deps, c, body.username, body.password);
}

/**
 * Checks the password through the failed-login limits (429 in plain text, as Quay's throttle
 * answers) and starts a new session: 200 `{success}` with its CSRF token in
 * `X-Next-CSRF-Token`, or 403 with Quay's flags.
 */
async function signInWith(deps: AppDeps, c: Context, username: string, password: string): Promise<Response> {
  let user;
  try {
    user = await authenticate(deps, { username, password, ip: clientIp(c, deps.config) });
  } catch (err) {
    if (!(err instanceof DomainError && err.code === "TOO_MANY_REQUESTS")) throw err;
    return c.text(err.message, 429, { "Retry-After": String(retryAfterOf(err)) });
  }
  if (!user) {
    return c.json({ needsEmailVerification: false, invalidCredentials: true, message: INVALID_CREDENTIALS }, 403);
  }
  const next = await startSession(deps, c, user);
  return c.json({ success: true }, 200, { "X-Next-CSRF-Token": next });
}

const verifyBody = z.object({ password: z.string() });

/**
 * `POST /api/v1/signin/verify` `{password}` (Quay's VerifyUser): the signed-in user confirms the
 * password, and the session starts anew as a fresh sign-in (domain/accounts/fresh-login.ts), so
 * the operations that need one work again.
 */
export async function verifySignin({ deps, c, caller }: ApiRequest): Promise<Response> {
  const user = accountAdmin(caller);
  const body = await jsonBody(c, verifyBody);
  return signInWith(deps, c, user.username, body.password);
}

/**
 * `POST /api/v1/signout` (its CSRF token was checked on the way in): as in Quay, every session of
 * the user ends, not only this one; the browser's cookie is cleared.
 */
export async function signout({ deps, c, caller }: ApiRequest): Promise<Response> {
  if (caller.via === "session" && caller.user) await destroyUserSessions(deps.db, caller.user.id);
  await endSession(deps, c);
  return c.json({ success: true });
}

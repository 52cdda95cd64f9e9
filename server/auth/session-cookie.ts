// The `quayside_session` cookie, shared by the HTML door and the JSON API (Quay's
// `user/initialize` signs the browser in too): read it, set it on sign-in, clear it on sign-out.
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { Db } from "../../db/client.ts";
import type { Config } from "../config.ts";
import type { Clock } from "../domain/clock.ts";
import type { User } from "../domain/accounts/users.ts";
import { clientUsedHttps } from "../client-ip.ts";
import { destroySession, resolveSession, rotateSession, SESSION_COOKIE, SESSION_TTL_SECONDS, type Session } from "./sessions.ts";

interface SessionDeps {
  db: Db;
  clock: Clock;
  config: Config;
}

/**
 * Cookies are Secure whenever users reach us over https, so they never travel in clear: the
 * public URL says so, or the request came over TLS (ours, or a trusted proxy's).
 */
export function cookieOptions(config: Config, c: Context) {
  const https = config.publicUrl?.startsWith("https:") || clientUsedHttps(c, config);
  return { httpOnly: true, sameSite: "Lax", path: "/", secure: https } as const;
}

/** The live session the request's cookie names, if any. */
export async function readSession(deps: SessionDeps, c: Context): Promise<Session | null> {
  const cookie = getCookie(c, SESSION_COOKIE);
  return cookie ? resolveSession(deps.db, cookie, deps.clock.now()) : null;
}

/**
 * Signs `user` in under a new session id; the browser's previous session, if any, ends.
 * Returns the new session's CSRF token (the API hands it to scripts as `X-Next-CSRF-Token`).
 */
export async function startSession(deps: SessionDeps, c: Context, user: User): Promise<string> {
  const { cookie, csrfToken } = await rotateSession(deps.db, getCookie(c, SESSION_COOKIE), user.id, deps.clock.now());
  setCookie(c, SESSION_COOKIE, cookie, { ...cookieOptions(deps.config, c), maxAge: SESSION_TTL_SECONDS });
  return csrfToken;
}

export async function endSession(deps: SessionDeps, c: Context): Promise<void> {
  const cookie = getCookie(c, SESSION_COOKIE);
  if (cookie) await destroySession(deps.db, cookie);
  deleteCookie(c, SESSION_COOKIE, cookieOptions(deps.config, c));
}

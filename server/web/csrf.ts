// CSRF protection for every state-changing request of the HTML door. With a session, the token
// is the session's own (server/auth/sessions.ts); before one exists (sign-in, sign-up, first
// run) it is a double-submit token: a random cookie whose value the form must echo back.
// Forms send it as the `_csrf` field, htmx as the `X-CSRF-Token` header.
import type { Context, MiddlewareHandler } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import type { AppDeps } from "../deps.ts";
import { newSecret, sameSecret } from "../auth/secrets.ts";
import { cookieOptions } from "../auth/session-cookie.ts";
import type { WebContext, WebEnv } from "./session.ts";

export const CSRF_COOKIE = "quayside_csrf";
export const CSRF_FIELD = "_csrf";
export const CSRF_HEADER = "X-CSRF-Token";
const QUAY_CSRF_FIELD = "_csrf_token";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** The token a form on this response must carry; sets the double-submit cookie when needed. */
export function formToken(deps: AppDeps, c: WebContext): string {
  return c.get("session")?.csrfToken ?? preSessionToken(deps, c);
}

/**
 * The double-submit token of a browser without a session, made (and its cookie set) on first
 * need. The API's `GET /csrf_token` hands out the same one, so a script's sign-in is checked alike.
 */
export function preSessionToken(deps: Pick<AppDeps, "config">, c: Context): string {
  const existing = getCookie(c, CSRF_COOKIE);
  if (existing) return existing;
  const token = newSecret(24);
  setCookie(c, CSRF_COOKIE, token, cookieOptions(deps.config, c));
  return token;
}

async function presentedToken(c: WebContext): Promise<string | undefined> {
  const header = c.req.header(CSRF_HEADER);
  if (header) return header;
  const type = c.req.header("content-type") ?? "";
  if (!type.startsWith("application/x-www-form-urlencoded") && !type.startsWith("multipart/form-data")) return undefined;
  // parseBody caches the parsed body, so the route handler can read the form again.
  const form = await c.req.parseBody();
  // Quay's scripts post its own field name (`_csrf_token`) to /oauth/authorizeapp.
  const field = form[CSRF_FIELD] ?? form[QUAY_CSRF_FIELD];
  return typeof field === "string" ? field : undefined;
}

/**
 * Refuses a state-changing request whose token does not match. `onReject` renders the answer
 * (a 403 page), so the caller controls how the refusal looks.
 */
export function csrfProtection(onReject: (c: WebContext) => Response | Promise<Response>): MiddlewareHandler<WebEnv> {
  return async (c, next) => {
    if (SAFE_METHODS.has(c.req.method)) return next();
    const expected = c.get("session")?.csrfToken ?? getCookie(c, CSRF_COOKIE);
    const presented = await presentedToken(c);
    if (!expected || !presented || !sameSecret(expected, presented)) return onReject(c);
    await next();
  };
}

// Browser sessions for the HTML door: the `quayside_session` cookie resolved to a user once per
// request. Setting and clearing the cookie lives in server/auth/session-cookie.ts, shared with
// the JSON API.
import type { Context, MiddlewareHandler } from "hono";
import type { AppDeps } from "../deps.ts";
import { readSession } from "../auth/session-cookie.ts";
import type { Session } from "../auth/sessions.ts";
import { anonymous, type Principal } from "../domain/access/principal.ts";
import { toPrincipal } from "../domain/accounts/users.ts";
import { CSRF_HEADER } from "./csrf.ts";

export interface WebVariables {
  session: Session | null;
  principal: Principal;
}

export type WebEnv = { Variables: WebVariables };
export type WebContext = Context<WebEnv>;

export function sessionMiddleware(deps: AppDeps): MiddlewareHandler<WebEnv> {
  return async (c, next) => {
    const session = await readSession(deps, c);
    if (!session && fromSignedInPage(c)) return toSignIn(c);
    c.set("session", session);
    c.set("principal", session ? toPrincipal(session.user) : anonymous);
    await next();
  };
}

/**
 * An htmx request from a page drawn for a signed-in user: it carries that session's CSRF header
 * (`hx-headers` on the layout's body). If the session is gone (expired, or signed out in another
 * tab), answering as anonymous would quietly change what the page shows.
 */
function fromSignedInPage(c: WebContext): boolean {
  return c.req.header("hx-request") === "true" && c.req.header(CSRF_HEADER) !== undefined;
}

/** Sends the whole browser tab to sign-in, which brings it back to the page it was on. */
function toSignIn(c: WebContext): Response {
  let page = "/";
  try {
    const current = new URL(c.req.header("hx-current-url") ?? "");
    page = current.pathname + current.search;
  } catch {
    // No usable current URL: come back home.
  }
  return c.body(null, 401, { "HX-Redirect": `/signin?${new URLSearchParams({ next: page })}` });
}

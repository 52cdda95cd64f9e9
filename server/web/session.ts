// Browser sessions for the HTML door: the `quayside_session` cookie resolved to a user once per
// request. Setting and clearing the cookie lives in server/auth/session-cookie.ts, shared with
// the JSON API.
import type { Context, MiddlewareHandler } from "hono";
import type { AppDeps } from "../deps.ts";
import { readSession } from "../auth/session-cookie.ts";
import type { Session } from "../auth/sessions.ts";
import { anonymous, type Principal } from "../domain/principal.ts";
import { toPrincipal } from "../domain/users.ts";

export interface WebVariables {
  session: Session | null;
  principal: Principal;
}

export type WebEnv = { Variables: WebVariables };
export type WebContext = Context<WebEnv>;

export function sessionMiddleware(deps: AppDeps): MiddlewareHandler<WebEnv> {
  return async (c, next) => {
    const session = await readSession(deps, c);
    c.set("session", session);
    c.set("principal", session ? toPrincipal(session.user) : anonymous);
    await next();
  };
}

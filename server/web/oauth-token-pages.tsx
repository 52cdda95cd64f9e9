// "Generate token" for the signed-in user (GET/POST /settings/api-token): an API token with the
// scopes they pick, from their own automation application (domain/accounts/oauth-authorization.ts).
import { Hono } from "hono";
import { OAuthTokenPage } from "../../views/pages/oauth-token.tsx";
import type { AppDeps } from "../deps.ts";
import { clientIp } from "../client-ip.ts";
import { generateOwnToken } from "../domain/accounts/oauth-authorization.ts";
import { parseRequestedScopes } from "../domain/accounts/oauth-requests.ts";
import { ALL_SCOPES, SCOPE_TITLES } from "../domain/accounts/oauth-tokens.ts";
import type { User } from "../domain/accounts/users.ts";
import { formToken } from "./csrf.ts";
import { chrome, page } from "./render.tsx";
import type { WebContext, WebEnv } from "./session.ts";

const PATH = "/settings/api-token";

/** Super-user access is offered only to superusers (a token could not use it otherwise). */
const offeredScopes = (user: User) =>
  ALL_SCOPES.filter((s) => s !== "super:user" || user.superuser).map((name) => ({ name, title: SCOPE_TITLES[name] }));

export function oauthTokenPages(deps: AppDeps): Hono<WebEnv> {
  const app = new Hono<WebEnv>();

  const render = async (c: WebContext, user: User, chosen: string[], extra: { error?: string; token?: string } = {}) =>
    page(
      c,
      <OAuthTokenPage chrome={await chrome(deps, c)} csrfToken={formToken(deps, c)} scopes={offeredScopes(user)} chosen={chosen} {...extra} />,
      extra.error ? 400 : 200,
    );

  const toSignIn = (c: WebContext) => c.redirect(`/signin?${new URLSearchParams({ next: PATH })}`, 302);

  app.get(PATH, async (c) => {
    const session = c.get("session");
    return session ? render(c, session.user, []) : toSignIn(c);
  });

  app.post(PATH, async (c) => {
    const session = c.get("session");
    if (!session) return toSignIn(c);
    // Every checked box (the CSRF check parsed the body already; the form data is kept).
    const chosen = (await c.req.formData()).getAll("scope").filter((s): s is string => typeof s === "string");
    const offered = new Set(offeredScopes(session.user).map((s) => s.name as string));
    const scopes = chosen.length > 0 && chosen.every((s) => offered.has(s)) ? parseRequestedScopes(chosen.join(" ")) : null;
    if (!scopes) return render(c, session.user, chosen, { error: "Choose at least one of these permissions" });
    const actor = { principal: c.get("principal"), ip: clientIp(c, deps.config) };
    const token = await generateOwnToken(deps.db, actor, session.user, scopes, deps.clock.now());
    return render(c, session.user, [], { token });
  });

  return app;
}

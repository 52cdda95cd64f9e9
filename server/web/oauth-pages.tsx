// Quay's OAuth web routes: the consent page (GET /oauth/authorize), its answers (POST
// /oauth/authorizeapp, which scripts also post to directly with a session or Basic credentials
// and a CSRF token, and POST /oauth/denyapp). A grant goes back to the client by redirect: the token in the
// fragment (response_type=token) or a code in the query (code, exchanged at /oauth/access_token);
// `/oauth/localapp` is where grants to the registry itself land. An organization admin may also
// assign a request to another user (POST /oauth/authorize/assignuser), who approves it through
// the same consent page with `assignment_uuid`.
import { Hono } from "hono";
import { OAuthAuthorizePage } from "../../views/pages/oauth-authorize.tsx";
import { OAuthLocalAppPage } from "../../views/pages/oauth-localapp.tsx";
import { ProblemPage } from "../../views/pages/problem.tsx";
import type { AppDeps } from "../deps.ts";
import { parseBasic } from "../auth/basic-credentials.ts";
import { clientIp } from "../client-ip.ts";
import type { Actor, Principal } from "../domain/access/principal.ts";
import { authenticate, toPrincipal } from "../domain/accounts/users.ts";
import {
  alreadyGranted,
  type AuthorizationRequest,
  AuthorizationRefused,
  checkAuthorization,
  type CheckedAuthorization,
  grantCode,
  grantToken,
  TOKEN_LIFETIME_SECONDS,
} from "../domain/accounts/oauth-authorization.ts";
import { assignAuthorization } from "../domain/accounts/oauth-assignments.ts";
import { SCOPE_TITLES } from "../domain/accounts/oauth-tokens.ts";
import { DomainError } from "../domain/errors.ts";
import { baseUrl } from "../registry/deps.ts";
import { formToken } from "./csrf.ts";
import { chrome, page } from "./render.tsx";
import { assetUrl } from "./static.ts";
import type { WebContext, WebEnv } from "./session.ts";

/** The request's OAuth parameters (query or form), as sent. */
type Params = Record<string, string>;

const PASSED_ON = ["client_id", "redirect_uri", "scope", "response_type", "state", "assignment_uuid"] as const;

function passedOn(params: Params): Params {
  const out: Params = {};
  for (const name of PASSED_ON) if (params[name] !== undefined) out[name] = params[name];
  return out;
}

/** `uri` with parameters added to its query and, optionally, a fragment. */
function redirectTo(uri: string, query: Params, fragment?: Params): string {
  const url = new URL(uri);
  for (const [k, v] of Object.entries(query)) url.searchParams.append(k, v);
  if (fragment) url.hash = new URLSearchParams(fragment).toString();
  return url.toString();
}

const withState = (params: Params, query: Params): Params => (params.state ? { ...query, state: params.state } : query);

export function oauthPages(deps: AppDeps): Hono<WebEnv> {
  const app = new Hono<WebEnv>();
  const actor = (c: WebContext, principal: Principal = c.get("principal")): Actor => ({ principal, ip: clientIp(c, deps.config) });

  /**
   * Who grants: the signed-in user, or one whose password comes as Basic credentials (Quay allows
   * both; the form's CSRF token is checked either way). Passwords go through the sign-in limits.
   */
  async function granter(c: WebContext): Promise<Actor | null> {
    if (c.get("principal").kind === "user") return actor(c);
    const basic = parseBasic(c.req.header("authorization"));
    if (!basic) return null;
    const user = await authenticate(deps, { ...basic, ip: clientIp(c, deps.config) });
    return user ? actor(c, toPrincipal(user)) : null;
  }

  const problem = async (c: WebContext, status: 400 | 401 | 403 | 404, title: string, message: string) =>
    page(c, <ProblemPage chrome={await chrome(deps, c)} title={title} message={message} />, status);

  /** The checked request, or the answer that refuses it (a page, or a redirect to the client). */
  async function check(c: WebContext, params: Params, by: Actor = actor(c)) {
    if (!params.client_id || !params.redirect_uri || !params.scope) {
      return problem(c, 400, "Incomplete request", "The application's request lacks its client_id, redirect_uri or scope.");
    }
    const request: AuthorizationRequest = {
      clientId: params.client_id,
      redirectUri: params.redirect_uri,
      scope: params.scope,
      responseType: params.response_type || "code",
      assignmentUuid: params.assignment_uuid,
    };
    try {
      return await checkAuthorization(deps.db, by, request, baseUrl(deps.config, c));
    } catch (err) {
      if (!(err instanceof AuthorizationRefused)) throw err;
      if (err.error === "not_found") return problem(c, 404, "Unknown application", "No application has this client id.");
      if (!err.redirect) return problem(c, 400, "Invalid redirect", "This redirect URI does not belong to the application.");
      return c.redirect(redirectTo(params.redirect_uri, withState(params, { error: err.error })), 302);
    }
  }

  app.get("/oauth/authorize", async (c) => {
    const params = c.req.query();
    if (!c.get("session")) {
      const here = new URL(c.req.url);
      return c.redirect(`/signin?${new URLSearchParams({ next: here.pathname + here.search })}`, 302);
    }
    const grant = await check(c, params);
    if (grant instanceof Response) return grant;
    if (await alreadyGranted(deps.db, actor(c), grant, deps.clock.now())) return answer(c, params, grant, actor(c));
    return page(
      c,
      <OAuthAuthorizePage
        chrome={await chrome(deps, c)}
        csrfToken={formToken(deps, c)}
        application={{ name: grant.application.name, description: grant.application.description, organization: grant.org.name }}
        scopes={grant.scopes.map((name) => ({ name, title: SCOPE_TITLES[name] }))}
        params={passedOn(params)}
      />,
    );
  });

  const formParams = async (c: WebContext): Promise<Params> => {
    const out: Params = {};
    for (const [k, v] of Object.entries(await c.req.parseBody())) if (typeof v === "string") out[k] = v;
    return out;
  };

  app.post("/oauth/authorizeapp", async (c) => {
    const params = await formParams(c);
    const by = await granter(c);
    if (!by) return problem(c, 401, "Sign in first", "Sign in to authorize an application.");
    const grant = await check(c, params, by);
    if (grant instanceof Response) return grant;
    return answer(c, params, grant, by);
  });

  /**
   * Grants the checked request: back to the client with a token (fragment) or a code (query).
   * An assignment used up meanwhile (a second submit) is refused to the client like any refusal.
   */
  async function answer(c: WebContext, params: Params, grant: CheckedAuthorization, by: Actor): Promise<Response> {
    try {
      return await issue(c, params, grant, by);
    } catch (err) {
      if (!(err instanceof AuthorizationRefused)) throw err;
      return c.redirect(redirectTo(params.redirect_uri!, withState(params, { error: err.error })), 302);
    }
  }

  async function issue(c: WebContext, params: Params, grant: CheckedAuthorization, by: Actor): Promise<Response> {
    const now = deps.clock.now();
    if (grant.responseType === "token") {
      const token = await grantToken(deps.db, by, grant, now);
      const fragment = { access_token: token, token_type: "Bearer", expires_in: String(TOKEN_LIFETIME_SECONDS) };
      return c.redirect(redirectTo(params.redirect_uri!, withState(params, { scope: grant.scopes.join(" ") }), fragment), 302);
    }
    const code = await grantCode(deps.db, by, grant, params.redirect_uri!, now);
    return c.redirect(redirectTo(params.redirect_uri!, withState(params, { code })), 302);
  }

  app.post("/oauth/denyapp", async (c) => {
    const params = await formParams(c);
    const grant = await check(c, params);
    if (grant instanceof Response) return grant;
    return c.redirect(redirectTo(params.redirect_uri!, withState(params, { error: "access_denied" })), 302);
  });

  /**
   * Quay's assignment: an organization admin (session and CSRF header, or Basic) asks `username`
   * to authorize the application; parameters come in the query string. HTML, or JSON with
   * `format=json`.
   */
  app.post("/oauth/authorize/assignuser", async (c) => {
    const params = c.req.query();
    const json = params.format === "json";
    const reply = async (status: 200 | 400 | 401 | 403 | 404, title: string, message: string) =>
      json ? c.json({ message }, status) : page(c, <ProblemPage chrome={await chrome(deps, c)} title={title} message={message} />, status);
    const by = await granter(c);
    if (!by) return reply(401, "Sign in first", "Sign in to assign an application's token.");
    const missing = ["client_id", "redirect_uri", "scope", "username"].filter((name) => !params[name]);
    if (missing.length > 0) return reply(400, "Incomplete request", `Missing ${missing.join(", ")}`);
    try {
      const request = {
        clientId: params.client_id!,
        username: params.username!,
        redirectUri: params.redirect_uri!,
        scope: params.scope!,
        responseType: params.response_type || "token",
      };
      await assignAuthorization(deps.db, by, request, baseUrl(deps.config, c));
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      if (err.code === "NOT_FOUND") return reply(404, "Not found", err.message);
      if (err.code === "FORBIDDEN") return reply(403, "Not allowed", "Only the organization's administrators may assign its tokens.");
      if (err.code === "INVALID_REQUEST") return reply(400, "Invalid request", err.message);
      throw err;
    }
    return reply(200, "Token assigned successfully", "Token assigned successfully");
  });

  /** Quay's LOCAL_OAUTH_HANDLER: shows the token a grant to the registry itself carries. */
  app.get("/oauth/localapp", async (c) => {
    if (!c.get("session")) return problem(c, 401, "Sign in first", "Sign in to see your token.");
    if (!c.req.query("scope")) return problem(c, 400, "Authorization canceled", "The application was not authorized.");
    return page(c, <OAuthLocalAppPage chrome={await chrome(deps, c)} script={await assetUrl("oauth-localapp.js")} />);
  });

  return app;
}

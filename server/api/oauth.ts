// `POST /oauth/access_token`: a third-party client exchanges the code a user's consent gave it
// (with its client secret) for an access token (RFC 6749 §4.1.3). Not under /api/v1, no session
// and no CSRF: the client authenticates itself with its secret.
import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AppDeps } from "../deps.ts";
import { exchangeCode, ExchangeRefused, TOKEN_LIFETIME_SECONDS } from "../domain/accounts/oauth-authorization.ts";

/** The exchange is a few short fields: refuse anything larger before reading it. */
export const accessTokenBodyLimit: MiddlewareHandler = bodyLimit({
  maxSize: 16 * 1024,
  onError: (c) => c.json({ error: "invalid_request" }, 413),
});

/** Parameters from the form body (the standard) or the query string (which Quay also reads). */
async function params(c: Context): Promise<Record<string, string>> {
  const out: Record<string, string> = { ...c.req.query() };
  const type = c.req.header("content-type") ?? "";
  if (type.startsWith("application/x-www-form-urlencoded") || type.startsWith("multipart/form-data")) {
    for (const [k, v] of Object.entries(await c.req.parseBody())) if (typeof v === "string") out[k] = v;
  }
  return out;
}

export async function accessToken(deps: AppDeps, c: Context): Promise<Response> {
  const p = await params(c);
  // Tokens must never be cached (RFC 6749 §5.1).
  c.header("Cache-Control", "no-store");
  if ((p.grant_type ?? "authorization_code") !== "authorization_code") return c.json({ error: "unsupported_grant_type" }, 400);
  if (!p.client_id || !p.client_secret || !p.code || !p.redirect_uri) return c.json({ error: "invalid_request" }, 400);
  try {
    const { token } = await exchangeCode(
      deps.db,
      { clientId: p.client_id, clientSecret: p.client_secret, code: p.code, redirectUri: p.redirect_uri },
      deps.clock.now(),
    );
    return c.json({ access_token: token, token_type: "Bearer", expires_in: TOKEN_LIFETIME_SECONDS, refresh_token: null });
  } catch (err) {
    if (!(err instanceof ExchangeRefused)) throw err;
    return c.json({ error: err.error }, err.error === "invalid_client" ? 401 : 400);
  }
}

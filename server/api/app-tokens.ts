// Quay's application-specific tokens: `GET/POST /api/v1/user/apptoken`,
// `GET/DELETE /api/v1/user/apptoken/{uuid}`. Only the caller's own tokens, with user:admin.
import { z } from "zod";
import type { User } from "../domain/accounts/users.ts";
import { type AppToken, createAppToken, findAppToken, listAppTokens, revokeAppToken } from "../domain/accounts/app-tokens.ts";
import { rfc2822 } from "./dates.ts";
import { ApiError, notFound } from "./errors.ts";
import { jsonBody, truthy } from "./input.ts";
import type { ApiRequest } from "./request.ts";
import { type Caller, requireFreshLogin } from "./auth.ts";

const newTokenBody = z.object({ title: z.string() });

/** The caller's own account when they hold user:admin; Quay's refusals otherwise. */
export function accountAdmin(caller: Caller): User {
  if (!caller.user) throw new ApiError(401, "invalid_token", "Requires authentication");
  if (caller.caps.user !== "admin") throw new ApiError(403, "insufficient_scope", "Unauthorized");
  return caller.user;
}

/** `accountAdmin` for sensitive operations: a session must have signed in recently too. */
export function freshAccountAdmin({ deps, caller }: Pick<ApiRequest, "deps" | "caller">): User {
  const user = accountAdmin(caller);
  requireFreshLogin(caller, deps.clock.now());
  return user;
}

const date = (d: Date | null) => (d ? rfc2822(d) : null);

function tokenView(token: AppToken, code?: string): Record<string, unknown> {
  const view: Record<string, unknown> = {
    uuid: token.uuid,
    title: token.title,
    last_accessed: date(token.lastAccessedAt),
    created: date(token.createdAt),
    expiration: date(token.expiresAt),
  };
  if (code !== undefined) view.token_code = code;
  return view;
}

export async function listAppTokensHandler({ deps, c, caller }: ApiRequest): Promise<Response> {
  const user = accountAdmin(caller);
  const raw = c.req.query("expiring");
  const expiring = raw === undefined ? null : truthy(raw, false);
  const tokens = await listAppTokens(deps, user.id, { expiringSoon: expiring === true, lifetimeSeconds: deps.config.appTokenLifetime });
  return c.json({ tokens: tokens.map((t) => tokenView(t)), only_expiring: expiring });
}

export async function createAppTokenHandler({ deps, c, caller, actor }: ApiRequest): Promise<Response> {
  const user = freshAccountAdmin({ deps, caller });
  const { title } = await jsonBody(c, newTokenBody);
  const token = await createAppToken(deps, user, title, deps.config.appTokenLifetime, actor);
  return c.json({ token: tokenView(token, token.code) }, 200);
}

export async function getAppTokenHandler({ deps, c, caller }: ApiRequest, uuid: string): Promise<Response> {
  const user = freshAccountAdmin({ deps, caller });
  const token = await findAppToken(deps.db, user.id, uuid);
  if (!token) throw notFound();
  return c.json({ token: tokenView(token, token.code) });
}

export async function revokeAppTokenHandler({ deps, c, caller, actor }: ApiRequest, uuid: string): Promise<Response> {
  const user = freshAccountAdmin({ deps, caller });
  if (!(await revokeAppToken(deps, user, uuid, actor))) throw notFound();
  return c.body(null, 204);
}

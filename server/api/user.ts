// The user endpoints: first-user initialization (Quay's `POST /api/v1/user/initialize`) and the
// caller's own view (`GET /api/v1/user/`).
import type { Context } from "hono";
import { z } from "zod";
import type { AppDeps } from "../deps.ts";
import { encryptPassword } from "../auth/encrypted-passwords.ts";
import { startSession } from "../auth/session-cookie.ts";
import { clientIp } from "../client-ip.ts";
import { DomainError } from "../domain/errors.ts";
import { tagExpirationSeconds } from "../domain/accounts/namespaces.ts";
import { anonymous } from "../domain/access/principal.ts";
import { initializeFirstUser, initializeFirstUserWithToken, type NewUser, type User } from "../domain/accounts/users.ts";
import { ApiError, NOT_FOUND_MESSAGE, PlainError } from "./errors.ts";
import { readJson, validate } from "./input.ts";
import type { ApiRequest } from "./request.ts";
import { userView } from "./views.ts";

const initializeBody = z.object({
  username: z.string(),
  password: z.string(),
  email: z.string().nullish(),
  access_token: z.unknown().optional(),
});

/** Python truthiness, which Quay applies to `access_token` (scripts send `true` or a scope list). */
const pyTruthy = (v: unknown) =>
  !(v === undefined || v === null || v === false || v === 0 || v === "" ||
    (Array.isArray(v) && v.length === 0) || (typeof v === "object" && Object.keys(v).length === 0));

/**
 * No authentication: allowed only while the database holds no user. Refusals are 400 `{message}`;
 * success signs the new superuser in (session cookie) and may hand out an all-scopes token.
 */
export async function initializeUser(deps: AppDeps, c: Context): Promise<Response> {
  // Quay hides the route entirely when the feature is off.
  if (!deps.config.features.userInitialize) throw new PlainError(404, { message: NOT_FOUND_MESSAGE });
  const refuse = (message: string) => new PlainError(400, { message: `Failed to initialize user: ${message}` });
  const body = validate(initializeBody, await readJson(c), refuse);
  const input: NewUser = { username: body.username, password: body.password, email: body.email ?? undefined };
  const actor = { principal: anonymous, ip: clientIp(c, deps.config) };
  let user: User;
  let accessToken: string | undefined;
  try {
    if (pyTruthy(body.access_token)) ({ user, accessToken } = await initializeFirstUserWithToken(deps.db, input, actor));
    else user = await initializeFirstUser(deps.db, input, actor);
  } catch (err) {
    // "Cannot initialize user in a non-empty database" comes as is; bad input is prefixed.
    if (err instanceof DomainError) throw err.code === "CONFLICT" ? new PlainError(400, { message: err.message }) : refuse(err.message);
    throw err;
  }
  await startSession(deps, c, user);
  const result: Record<string, unknown> = {
    username: user.username,
    email: body.email ?? null,
    encrypted_password: await encryptPassword(deps.db, body.password),
  };
  if (accessToken !== undefined) result.access_token = accessToken;
  return c.json(result, 200);
}

/** `GET /api/v1/user/`: needs user:read; anyone else is told a session is not required. */
export async function getUser({ c, caller }: ApiRequest): Promise<Response> {
  if (!caller.user || caller.caps.user === null) {
    throw new ApiError(401, "invalid_token", "Requires authentication", { session_required: false });
  }
  return c.json(userView(caller.user, caller.caps, tagExpirationSeconds({ id: caller.user.namespaceId })));
}

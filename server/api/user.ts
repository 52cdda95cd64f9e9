// The user endpoints: first-user initialization (Quay's `POST /api/v1/user/initialize`), the
// caller's own view (`GET /api/v1/user/`) and account settings (`PUT`/`DELETE /api/v1/user/`,
// `POST /api/v1/user/convert`).
import type { Context } from "hono";
import { z } from "zod";
import type { AppDeps } from "../deps.ts";
import { encryptPassword } from "../auth/encrypted-passwords.ts";
import { startSession } from "../auth/session-cookie.ts";
import { clientIp } from "../client-ip.ts";
import { DomainError } from "../domain/errors.ts";
import { checkTagExpirationWindow, setUserTagExpiration, tagExpirationSeconds } from "../domain/accounts/namespaces.ts";
import { anonymous } from "../domain/access/principal.ts";
import {
  convertToOrganization,
  deleteAccount,
  initializeFirstUser,
  initializeFirstUserWithToken,
  type NewUser,
  updateAccount,
  type User,
} from "../domain/accounts/users.ts";
import { getCookie } from "hono/cookie";
import { SESSION_COOKIE } from "../auth/sessions.ts";
import { endSession } from "../auth/session-cookie.ts";
import { secretHash } from "../auth/secrets.ts";
import { accountAdmin, freshAccountAdmin } from "./app-tokens.ts";
import { ApiError, invalidRequest, NOT_FOUND_MESSAGE, PlainError } from "./errors.ts";
import { jsonBody, readJson, validate } from "./input.ts";
import type { ApiRequest } from "./request.ts";
import { userOrganizations } from "../domain/accounts/organizations.ts";
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
export async function getUser({ deps, c, caller }: ApiRequest): Promise<Response> {
  if (!caller.user || caller.caps.user === null) {
    throw new ApiError(401, "invalid_token", "Requires authentication", { session_required: false });
  }
  const organizations = await userOrganizations(deps.db, caller.user.id);
  return c.json(userView(caller.user, caller.caps, await tagExpirationSeconds(deps.db, caller.user.namespaceId), organizations));
}

const updateBody = z.object({
  email: z.string().optional(),
  password: z.string().optional(),
  username: z.string().optional(),
  tag_expiration_s: z.number().int().min(0).optional(),
});

/**
 * `PUT /api/v1/user/` (user:admin): e-mail, password and the time-machine window. A new password ends the user's other
 * sessions (this one stays) and every registry credential made with the old one.
 */
export async function updateAccountHandler({ deps, c, caller, actor }: ApiRequest): Promise<Response> {
  const user = freshAccountAdmin({ deps, caller });
  const body = await jsonBody(c, updateBody);
  if (body.username !== undefined && body.username !== user.username) {
    throw invalidRequest("Changing the username is not supported");
  }
  const cookie = caller.via === "session" ? getCookie(c, SESSION_COOKIE) : undefined;
  if (body.tag_expiration_s !== undefined) checkTagExpirationWindow(body.tag_expiration_s);
  const updated = await updateAccount(deps.db, user, { email: body.email, password: body.password }, actor, cookie && secretHash(cookie));
  if (body.tag_expiration_s !== undefined) await setUserTagExpiration(deps.db, actor, user, body.tag_expiration_s);
  const organizations = await userOrganizations(deps.db, updated.id);
  return c.json(userView(updated, caller.caps, await tagExpirationSeconds(deps.db, updated.namespaceId), organizations));
}

/** `DELETE /api/v1/user/` (user:admin): the account and its namespace; the session ends. */
export async function deleteAccountHandler({ deps, c, caller, actor }: ApiRequest): Promise<Response> {
  await deleteAccount(deps.db, freshAccountAdmin({ deps, caller }), actor);
  if (caller.via === "session") await endSession(deps, c);
  return c.body(null, 204);
}

const convertBody = z.object({ adminUser: z.string(), adminPassword: z.string(), plan: z.string().optional() });

/**
 * `POST /api/v1/user/convert` (user:admin): the account becomes an organization administered by
 * `adminUser`, who is signed in instead (Quay answers as its sign-in does).
 */
export async function convertAccountHandler({ deps, c, caller, actor }: ApiRequest): Promise<Response> {
  const user = accountAdmin(caller);
  const body = await jsonBody(c, convertBody);
  let admin: User;
  try {
    admin = await convertToOrganization(deps, user, { username: body.adminUser, password: body.adminPassword }, actor);
  } catch (err) {
    // Quay's request_error: the reason and message ride along in the problem body.
    if (!(err instanceof DomainError)) throw err;
    const reason = (err.detail as { reason?: string } | undefined)?.reason;
    throw reason ? invalidRequest(err.message, { reason, message: err.message }) : err;
  }
  await startSession(deps, c, admin);
  return c.json({ success: true });
}

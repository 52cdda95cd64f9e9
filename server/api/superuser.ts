// Quay's superuser panel API: user management (`GET/POST /api/v1/superuser/users/`,
// `GET/PUT/DELETE /api/v1/superuser/users/{username}`) and organizations
// (`GET /api/v1/superuser/organizations/`, `PUT/DELETE …/{name}`). Superusers only, and a token
// needs `super:user` (sessions hold every scope, and must have signed in recently).
import { z } from "zod";
import { encryptPassword } from "../auth/encrypted-passwords.ts";
import { administerAccount, createAccountForUser, listAccounts, removeAccount } from "../domain/accounts/superusers.ts";
import { deleteOrganization, findOrganization, listOrganizations, type Organization, renameOrganization } from "../domain/accounts/organizations.ts";
import { findUserByName, type User } from "../domain/accounts/users.ts";
import { requireFreshLogin } from "./auth.ts";
import { avatar } from "./avatar.ts";
import { notFound, unauthorized } from "./errors.ts";
import { intParam, jsonBody, truthy } from "./input.ts";
import { decodePageToken, encodePageToken } from "./paging.ts";
import type { ApiRequest } from "./request.ts";

const createBody = z.object({ username: z.string(), email: z.string().optional() });
const organizationBody = z.object({ name: z.string().optional() });
const updateBody = z.object({
  password: z.string().optional(),
  email: z.string().optional(),
  enabled: z.boolean().optional(),
  superuser: z.boolean().optional(),
});

/** Quay's Unauthorized unless a superuser calls with superuser rights in scope (and, in a session, signed in recently). */
export function requireSuperuser({ deps, caller }: Pick<ApiRequest, "deps" | "caller">): void {
  const principal = caller.principal;
  if (principal.kind !== "user" || !principal.superuser || !caller.caps.superuser) {
    throw unauthorized(principal.kind === "anonymous");
  }
  requireFreshLogin(caller, deps.clock.now());
}

/** Quay's view of an account in the superuser panel. */
export function superuserUserView(user: User): Record<string, unknown> {
  return {
    kind: "user",
    name: user.username,
    username: user.username,
    email: user.email,
    verified: user.verified,
    avatar: avatar(user.username, user.email, "user"),
    super_user: user.superuser,
    global_readonly_super_user: false,
    enabled: user.enabled,
  };
}

async function target(r: ApiRequest, username: string): Promise<User> {
  const user = await findUserByName(r.deps.db, username);
  if (!user) throw notFound();
  return user;
}

/** Quay's cap on `limit`. */
const MAX_LIMIT = 100;

/**
 * Quay's superuser listings: everything without `limit`; with it (at most 100), a page from the
 * `next_page` token on, and a token for the next page when more follow.
 */
async function listPaged<T>(
  { deps, c }: ApiRequest,
  key: string,
  load: (page?: { startId: number; limit: number }) => Promise<T[]>,
  idOf: (item: T) => number,
  view: (item: T) => unknown,
): Promise<Response> {
  if (c.req.query("limit") === undefined) return c.json({ [key]: (await load()).map(view) });
  const limit = Math.min(Math.max(intParam(c, "limit", MAX_LIMIT, "Limit the number of results returned"), 1), MAX_LIMIT);
  const now = deps.clock.now();
  const startId = decodePageToken(c.req.query("next_page"), now) ?? 0;
  const items = await load({ startId, limit: limit + 1 });
  const body: Record<string, unknown> = { [key]: items.slice(0, limit).map(view) };
  if (items.length > limit) body.next_page = encodePageToken(idOf(items[limit]!), now);
  return c.json(body);
}

/** All accounts, with or without the disabled ones. */
export async function listUsersHandler(r: ApiRequest): Promise<Response> {
  requireSuperuser(r);
  const includeDisabled = truthy(r.c.req.query("disabled"), true);
  return listPaged(r, "users", (page) => listAccounts(r.deps.db, { includeDisabled, page }), (u) => u.id, superuserUserView);
}

export async function createUserHandler({ deps, c, caller, actor }: ApiRequest): Promise<Response> {
  requireSuperuser({ deps, caller });
  const body = await jsonBody(c, createBody);
  const { password } = await createAccountForUser(deps.db, body, actor);
  return c.json({
    username: body.username,
    email: body.email ?? null,
    password,
    encrypted_password: await encryptPassword(deps.db, password),
  });
}

export async function getUserHandler(r: ApiRequest, username: string): Promise<Response> {
  requireSuperuser(r);
  return r.c.json(superuserUserView(await target(r, username)));
}

/** Answers with the account as it was before the change, e-mail patched (as Quay does). */
export async function updateUserHandler(r: ApiRequest, username: string): Promise<Response> {
  requireSuperuser(r);
  const before = await target(r, username);
  const changes = await jsonBody(r.c, updateBody);
  await administerAccount(r.deps.db, before, changes, r.actor);
  const view = superuserUserView(before);
  if (changes.email !== undefined) view.email = changes.email;
  if (changes.password !== undefined) view.encrypted_password = await encryptPassword(r.deps.db, changes.password);
  return r.c.json(view);
}

export async function deleteUserHandler(r: ApiRequest, username: string): Promise<Response> {
  requireSuperuser(r);
  await removeAccount(r.deps.db, await target(r, username), r.actor);
  return r.c.body(null, 204);
}

/** Quay's view of an organization in the superuser panel. */
function superuserOrganizationView(org: Organization): Record<string, unknown> {
  return { name: org.name, email: org.email, avatar: avatar(org.name, org.email, "org") };
}

async function targetOrganization(r: ApiRequest, name: string): Promise<Organization> {
  const org = await findOrganization(r.deps.db, name);
  if (!org) throw notFound();
  return org;
}

export async function listOrganizationsHandler(r: ApiRequest): Promise<Response> {
  requireSuperuser(r);
  return listPaged(r, "organizations", (page) => listOrganizations(r.deps.db, page), (o) => o.namespaceId, superuserOrganizationView);
}

/** `{name}` renames the organization (its robots follow); the answer is the organization as it is now. */
export async function updateOrganizationHandler(r: ApiRequest, name: string): Promise<Response> {
  requireSuperuser(r);
  const org = await targetOrganization(r, name);
  const body = await jsonBody(r.c, organizationBody);
  const updated = body.name === undefined ? org : await renameOrganization(r.deps, r.actor, org, body.name);
  return r.c.json(superuserOrganizationView(updated));
}

export async function deleteOrganizationHandler(r: ApiRequest, name: string): Promise<Response> {
  requireSuperuser(r);
  await deleteOrganization(r.deps, r.actor, await targetOrganization(r, name));
  return r.c.body(null, 204);
}

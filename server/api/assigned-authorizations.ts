// Quay's assigned authorizations for their assignee: `GET /api/v1/user/assignedauthorization`
// lists what organization admins asked the caller to authorize, `DELETE …/{uuid}` declines one.
// Assigning happens on the web route `POST /oauth/authorize/assignuser` (web/oauth-pages.tsx);
// approving goes through `/oauth/authorize?…&assignment_uuid=`.
import type { Hono } from "hono";
import { type Assignment, declineAssignment, listAssignments } from "../domain/accounts/oauth-assignments.ts";
import { parseScopeList, SCOPE_DETAILS, SCOPE_TITLES, type Scope } from "../domain/accounts/oauth-tokens.ts";
import { accountAdmin } from "./app-tokens.ts";
import { avatar } from "./avatar.ts";
import { notFound } from "./errors.ts";
import type { ApiEnv, ApiHandler, ApiRoute } from "./request.ts";

/** Quay's scope view, for each scope named (in the order named). */
export function scopeViews(scopes: string) {
  return parseScopeList(scopes)
    .filter((name): name is Scope => Object.hasOwn(SCOPE_TITLES, name))
    .map((scope) => ({ title: SCOPE_TITLES[scope], scope, ...SCOPE_DETAILS[scope] }));
}

export function assignmentView({ uuid, redirectUri, scopes, responseType, application, org }: Assignment) {
  return {
    application: {
      name: application.name,
      clientId: application.clientId,
      description: application.description,
      url: application.applicationUri,
      avatar: avatar(application.name, application.avatarEmail || org.email, "app"),
      organization: { name: org.name, avatar: avatar(org.name, org.email, "org") },
    },
    uuid,
    redirectUri,
    scopes: scopeViews(scopes),
    responseType,
  };
}

const list: ApiHandler = async ({ deps, c, caller }) => {
  const assignments = await listAssignments(deps.db, accountAdmin(caller));
  return c.json({ authorizations: assignments.map(assignmentView) });
};

const decline: ApiHandler = async ({ deps, c, caller }) => {
  if (!(await declineAssignment(deps.db, accountAdmin(caller), c.req.param("uuid")!))) throw notFound();
  return c.body(null, 204);
};

export function mountAssignedAuthorizationRoutes(api: Hono<ApiEnv>, route: ApiRoute, notAllowed: () => never): void {
  api.get("/user/assignedauthorization", route(list));
  api.all("/user/assignedauthorization", notAllowed);
  api.delete("/user/assignedauthorization/:uuid", route(decline));
  api.all("/user/assignedauthorization/:uuid", notAllowed);
}

// The assignee's side of assigned authorizations in the browser (/settings/authorizations): the
// list with Approve (to the consent page with the assignment's uuid) and Decline (asked first).
// Same domain functions as `GET/DELETE /api/v1/user/assignedauthorization`.
import { Hono } from "hono";
import { type AssignmentRow, AuthorizationsPage, DeclineAuthorizationPage } from "../../views/pages/settings-authorizations.tsx";
import type { AppDeps } from "../deps.ts";
import { type Assignment, declineAssignment, findAssignment, listAssignments } from "../domain/accounts/oauth-assignments.ts";
import { parseScopeList, SCOPE_TITLES, type Scope } from "../domain/accounts/oauth-tokens.ts";
import { chrome, notFoundPage, page } from "./render.tsx";
import type { WebContext, WebEnv } from "./session.ts";

const LIST = "/settings/authorizations";

function row(a: Assignment): AssignmentRow {
  const approve = new URLSearchParams({
    client_id: a.application.clientId,
    redirect_uri: a.redirectUri,
    scope: a.scopes,
    response_type: a.responseType,
    assignment_uuid: a.uuid,
  });
  return {
    uuid: a.uuid,
    application: a.application.name,
    organization: a.org.name,
    description: a.application.description,
    scopes: parseScopeList(a.scopes).map((name) => ({ name, title: SCOPE_TITLES[name as Scope] ?? name })),
    approveHref: `/oauth/authorize?${approve}`,
  };
}

export function assignmentPages(deps: AppDeps): Hono<WebEnv> {
  const app = new Hono<WebEnv>();

  app.use(`${LIST}/*`, async (c, next) => (c.get("session") ? next() : notFoundPage(deps, c)));
  const me = (c: WebContext) => c.get("session")!.user;

  app.get(LIST, async (c) => {
    if (!c.get("session")) return c.redirect(`/signin?${new URLSearchParams({ next: LIST })}`, 303);
    const assignments = await listAssignments(deps.db, me(c));
    return page(c, <AuthorizationsPage chrome={await chrome(deps, c)} assignments={assignments.map(row)} />);
  });

  app.get(`${LIST}/:uuid/decline`, async (c) => {
    const assignment = await findAssignment(deps.db, me(c).id, c.req.param("uuid"));
    if (!assignment) return notFoundPage(deps, c);
    return page(c, <DeclineAuthorizationPage chrome={await chrome(deps, c)} assignment={row(assignment)} />);
  });

  app.post(`${LIST}/:uuid/decline`, async (c) => {
    if (!(await declineAssignment(deps.db, me(c), c.req.param("uuid")))) return notFoundPage(deps, c);
    return c.redirect(LIST, 303);
  });

  return app;
}

// OAuth applications of an organization (org:admin, Quay's shapes):
// `/api/v1/organization/{org}/applications[/{client_id}[/resetclientsecret]]`, and the public
// `GET /api/v1/app/{client_id}`.
import type { Hono } from "hono";
import { z } from "zod";
import {
  administeredOrganization,
  type ApplicationFields,
  applicationByClientId,
  createApplication,
  deleteApplication,
  findApplication,
  listApplications,
  type OAuthApplication,
  resetClientSecret,
  updateApplication,
} from "../domain/accounts/applications.ts";
import type { Organization } from "../domain/accounts/organizations.ts";
import { orgRole } from "../domain/accounts/teams.ts";
import { isAnonymous } from "./auth.ts";
import { notFound, unauthorized } from "./errors.ts";
import { jsonBody } from "./input.ts";
import { avatar } from "./avatar.ts";
import type { ApiEnv, ApiHandler, ApiRequest, ApiRoute } from "./request.ts";

/** Every field; the secret too, since only the organization's admins get here. */
export function applicationView(app: OAuthApplication) {
  return {
    name: app.name,
    description: app.description,
    application_uri: app.applicationUri,
    client_id: app.clientId,
    client_secret: app.clientSecret,
    redirect_uri: app.redirectUri,
    avatar_email: app.avatarEmail,
  };
}

/** The organization, after checking the caller's org:admin scope and admin role. */
async function organizationOf(r: ApiRequest): Promise<Organization> {
  if (r.caller.caps.namespace !== "admin") throw unauthorized(isAnonymous(r.caller));
  return administeredOrganization(r.deps.db, r.actor, r.c.req.param("org")!);
}

const newApp = z.object({
  name: z.string(),
  redirect_uri: z.string().optional(),
  application_uri: z.string().optional(),
  description: z.string().optional(),
  avatar_email: z.string().optional(),
});
const updatedApp = newApp.required({ redirect_uri: true, application_uri: true });

function fieldsOf(body: z.infer<typeof newApp>): ApplicationFields {
  return {
    name: body.name,
    redirectUri: body.redirect_uri ?? "",
    applicationUri: body.application_uri ?? "",
    description: body.description ?? "",
    avatarEmail: body.avatar_email ?? null,
  };
}

const list: ApiHandler = async (r) => {
  const org = await organizationOf(r);
  const apps = await listApplications(r.deps.db, org);
  return r.c.json({ applications: apps.map(applicationView) });
};

/** Quay answers a creation with 200. */
const create: ApiHandler = async (r) => {
  const org = await organizationOf(r);
  const body = await jsonBody(r.c, newApp);
  return r.c.json(applicationView(await createApplication(r.deps.db, r.actor, org, fieldsOf(body), body)));
};

const app = async (r: ApiRequest) => findApplication(r.deps.db, await organizationOf(r), r.c.req.param("client_id")!);

const get: ApiHandler = async (r) => r.c.json(applicationView(await app(r)));

const update: ApiHandler = async (r) => {
  const existing = await app(r);
  const body = await jsonBody(r.c, updatedApp);
  return r.c.json(applicationView(await updateApplication(r.deps.db, r.actor, existing, fieldsOf(body), body)));
};

const remove: ApiHandler = async (r) => {
  await deleteApplication(r.deps.db, r.actor, await app(r));
  return r.c.body(null, 204);
};

const reset: ApiHandler = async (r) => r.c.json(applicationView(await resetClientSecret(r.deps.db, r.actor, await app(r))));

/** `GET /api/v1/app/{client_id}`: what anyone may know of an application (its consent page shows it). */
const publicView: ApiHandler = async (r) => {
  const found = await applicationByClientId(r.deps.db, r.c.req.param("client_id")!);
  if (!found) throw notFound();
  const { application, org } = found;
  return r.c.json({
    name: application.name,
    description: application.description,
    uri: application.applicationUri,
    avatar: avatar(application.name, application.avatarEmail || org.email, "app"),
    organization: await organizationView(r, org),
  });
};

/** Quay's organization view without teams: the email and settings only for its admins. */
async function organizationView(r: ApiRequest, org: Organization) {
  const role = r.caller.principal.kind === "user" ? await orgRole(r.deps.db, r.caller.principal.userId, org.namespaceId) : null;
  const admin = role === "admin";
  const view: Record<string, unknown> = {
    name: org.name,
    email: admin ? org.email : "",
    avatar: avatar(org.name, org.email, "org"),
    is_admin: admin,
    is_member: role !== null,
  };
  if (admin) {
    Object.assign(view, {
      invoice_email: org.invoiceEmail,
      invoice_email_address: org.invoiceEmailAddress,
      tag_expiration_s: org.tagExpirationS,
      is_free_account: true,
    });
  }
  return view;
}

export function mountApplicationRoutes(api: Hono<ApiEnv>, route: ApiRoute, notAllowed: () => never): void {
  const base = "/organization/:org/applications";
  api.get(base, route(list));
  api.post(base, route(create));
  api.all(base, notAllowed);
  api.get(`${base}/:client_id`, route(get));
  api.put(`${base}/:client_id`, route(update));
  api.delete(`${base}/:client_id`, route(remove));
  api.all(`${base}/:client_id`, notAllowed);
  api.post(`${base}/:client_id/resetclientsecret`, route(reset));
  api.all(`${base}/:client_id/resetclientsecret`, notAllowed);
  api.get("/app/:client_id", route(publicView));
  api.all("/app/:client_id", notAllowed);
}

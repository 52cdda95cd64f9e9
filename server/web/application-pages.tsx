// An organization's OAuth applications in the UI (admins only; anyone else gets the site's 404):
// list and create, view and edit, reset the client secret and delete (each asked first), and
// assign a token to a user (who approves it under Settings, Authorized applications).
// The rules are domain/accounts/applications.ts's, as for the API.
import { Hono } from "hono";
import { z } from "zod";
import { ApplicationConfirmPage, ApplicationPage, ApplicationsPage, applicationsPath } from "../../views/pages/applications.tsx";
import { emptyForm, type FormState } from "../../views/pages/organization.tsx";
import type { AppDeps } from "../deps.ts";
import { clientIp } from "../client-ip.ts";
import {
  administeredOrganization,
  type ApplicationFields,
  createApplication,
  deleteApplication,
  findApplication,
  listApplications,
  type OAuthApplication,
  resetClientSecret,
  updateApplication,
} from "../domain/accounts/applications.ts";
import type { Organization } from "../domain/accounts/organizations.ts";
import { assignAuthorization } from "../domain/accounts/oauth-assignments.ts";
import { ALL_SCOPES, SCOPE_TITLES } from "../domain/accounts/oauth-tokens.ts";
import { DomainError } from "../domain/errors.ts";
import { baseUrl } from "../registry/deps.ts";
import { formToken } from "./csrf.ts";
import { chrome, notFoundPage, page } from "./render.tsx";
import type { WebContext, WebEnv } from "./session.ts";

const appForm = z.object({
  name: z.string().default(""),
  redirect_uri: z.string().default(""),
  application_uri: z.string().default(""),
  description: z.string().default(""),
  avatar_email: z.string().default(""),
});
type AppForm = z.infer<typeof appForm>;

const fieldsOf = (form: AppForm): ApplicationFields => ({
  name: form.name.trim(),
  redirectUri: form.redirect_uri.trim(),
  applicationUri: form.application_uri.trim(),
  description: form.description.trim(),
  avatarEmail: form.avatar_email.trim() || null,
});

/** The form's problems, each for its field. */
function problems(form: AppForm): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!form.name.trim()) errors.name = "Enter a name for the application";
  for (const key of ["redirect_uri", "application_uri"] as const) {
    const value = form[key].trim();
    if (value && !/^https?:\/\/[^\s/]+/.test(value)) errors[key] = "Enter a full http:// or https:// address";
  }
  return errors;
}

const ASSIGNABLE_SCOPES = ALL_SCOPES.map((name) => ({ name, title: SCOPE_TITLES[name] }));

const formOf = (app: OAuthApplication): FormState => ({
  values: {
    name: app.name,
    redirect_uri: app.redirectUri,
    application_uri: app.applicationUri,
    description: app.description,
    avatar_email: app.avatarEmail ?? "",
  },
  errors: {},
});

/** The organization in the path (`:org`) if the viewer administers it (else null: the caller answers 404). */
export async function organizationAdministeredBy(deps: AppDeps, c: WebContext): Promise<Organization | null> {
  try {
    return await administeredOrganization(deps.db, { principal: c.get("principal"), ip: clientIp(c, deps.config) }, c.req.param("org")!);
  } catch (err) {
    if (err instanceof DomainError && err.code === "FORBIDDEN") return null;
    throw err;
  }
}

export function applicationPages(deps: AppDeps): Hono<WebEnv> {
  const app = new Hono<WebEnv>();
  const actor = (c: WebContext) => ({ principal: c.get("principal"), ip: clientIp(c, deps.config) });
  const base = "/organization/:org/applications";

  const adminOrg = (c: WebContext) => organizationAdministeredBy(deps, c);

  async function appAt(c: WebContext): Promise<{ org: Organization; application: OAuthApplication } | null> {
    const org = await adminOrg(c);
    if (!org) return null;
    try {
      return { org, application: await findApplication(deps.db, org, c.req.param("client_id")!) };
    } catch (err) {
      if (err instanceof DomainError && err.code === "NOT_FOUND") return null;
      throw err;
    }
  }

  const listPage = async (c: WebContext, org: Organization, create = emptyForm(), status: 200 | 400 = 200) => {
    const apps = await listApplications(deps.db, org);
    const rows = apps.map((a) => ({ name: a.name, clientId: a.clientId, redirectUri: a.redirectUri }));
    return page(c, <ApplicationsPage chrome={await chrome(deps, c)} org={org} apps={rows} create={create} csrfToken={formToken(deps, c)} />, status);
  };

  const detailPage = async (
    c: WebContext,
    org: Organization,
    application: OAuthApplication,
    { form = formOf(application), assign = { form: emptyForm(), chosen: [] as string[] }, status = 200 as 200 | 400 } = {},
  ) => {
    const detail = { name: application.name, clientId: application.clientId, redirectUri: application.redirectUri, clientSecret: application.clientSecret };
    const saved = c.req.query("saved") !== undefined;
    const assignState = { ...assign, scopes: ASSIGNABLE_SCOPES, assigned: c.req.query("assigned") };
    return page(
      c,
      <ApplicationPage chrome={await chrome(deps, c)} org={org} app={detail} form={form} saved={saved} assign={assignState} csrfToken={formToken(deps, c)} />,
      status,
    );
  };

  app.get(base, async (c) => {
    const org = await adminOrg(c);
    return org ? listPage(c, org) : notFoundPage(deps, c);
  });

  app.post(base, async (c) => {
    const org = await adminOrg(c);
    if (!org) return notFoundPage(deps, c);
    const form = appForm.parse(await c.req.parseBody());
    const errors = problems(form);
    if (Object.keys(errors).length > 0) return listPage(c, org, { values: form, errors }, 400);
    const created = await createApplication(deps.db, actor(c), org, fieldsOf(form), { ...form });
    return c.redirect(`${applicationsPath(org.name)}/${created.clientId}`, 303);
  });

  app.get(`${base}/:client_id`, async (c) => {
    const found = await appAt(c);
    return found ? detailPage(c, found.org, found.application) : notFoundPage(deps, c);
  });

  app.post(`${base}/:client_id`, async (c) => {
    const found = await appAt(c);
    if (!found) return notFoundPage(deps, c);
    const form = appForm.parse(await c.req.parseBody());
    const errors = problems(form);
    if (Object.keys(errors).length > 0) return detailPage(c, found.org, found.application, { form: { values: form, errors }, status: 400 });
    await updateApplication(deps.db, actor(c), found.application, fieldsOf(form), { ...form });
    return c.redirect(`${applicationsPath(found.org.name)}/${found.application.clientId}?saved`, 303);
  });

  /** Quay's assigned token: the user approves it later (domain/accounts/oauth-assignments.ts). */
  app.post(`${base}/:client_id/assign`, async (c) => {
    const found = await appAt(c);
    if (!found) return notFoundPage(deps, c);
    const body = await c.req.formData();
    const username = String(body.get("username") ?? "").trim();
    const chosen = body.getAll("scope").filter((s): s is string => typeof s === "string");
    const refuse = (errors: Record<string, string>) =>
      detailPage(c, found.org, found.application, { assign: { form: { values: { username }, errors }, chosen }, status: 400 });
    if (username === "") return refuse({ username: "Enter the user's name" });
    if (chosen.length === 0) return refuse({ scope: "Choose at least one of these permissions" });
    const here = baseUrl(deps.config, c);
    const request = { clientId: found.application.clientId, username, redirectUri: `${here}/oauth/localapp`, scope: chosen.join(" "), responseType: "token" };
    try {
      await assignAuthorization(deps.db, actor(c), request, here);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      if (err.code === "NOT_FOUND") return refuse({ username: `There is no user named ${username}` });
      if (err.code === "INVALID_REQUEST") return refuse({ scope: err.message });
      throw err;
    }
    const path = `${applicationsPath(found.org.name)}/${found.application.clientId}`;
    return c.redirect(`${path}?${new URLSearchParams({ assigned: username })}`, 303);
  });

  for (const action of ["reset", "delete"] as const) {
    app.get(`${base}/:client_id/${action}`, async (c) => {
      const found = await appAt(c);
      if (!found) return notFoundPage(deps, c);
      const summary = { name: found.application.name, clientId: found.application.clientId, redirectUri: found.application.redirectUri };
      return page(c, <ApplicationConfirmPage chrome={await chrome(deps, c)} org={found.org} app={summary} action={action} csrfToken={formToken(deps, c)} />);
    });
    app.post(`${base}/:client_id/${action}`, async (c) => {
      const found = await appAt(c);
      if (!found) return notFoundPage(deps, c);
      const list = applicationsPath(found.org.name);
      if (action === "delete") {
        await deleteApplication(deps.db, actor(c), found.application);
        return c.redirect(list, 303);
      }
      await resetClientSecret(deps.db, actor(c), found.application);
      return c.redirect(`${list}/${found.application.clientId}`, 303);
    });
  }

  return app;
}

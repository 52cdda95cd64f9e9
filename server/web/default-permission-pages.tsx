// An organization's Default permissions tab (admins only; anyone else gets the site's 404): list,
// add, change a role, remove after a question. The rules are domain/accounts/default-permissions.ts's,
// as for the API's /organization/{org}/prototypes.
import { Hono } from "hono";
import {
  type DefaultPermissionForm,
  type DefaultPermissionRow,
  DefaultPermissionsPage,
  defaultsPath,
  DeleteDefaultPermissionPage,
  emptyDefaultPermissionForm,
} from "../../views/pages/organization-defaults.tsx";
import { clientIp } from "../client-ip.ts";
import type { AppDeps } from "../deps.ts";
import type { Role } from "../domain/access/permissions.ts";
import {
  createPrototype,
  deletePrototype,
  listPrototypes,
  type NewPrototype,
  type Prototype,
  updatePrototype,
} from "../domain/accounts/default-permissions.ts";
import type { Organization } from "../domain/accounts/organizations.ts";
import { findAccount, findTeam } from "../domain/accounts/teams.ts";
import { organizationAdministeredBy } from "./application-pages.tsx";
import { chrome, notFoundPage, page } from "./render.tsx";
import type { WebContext, WebEnv } from "./session.ts";

const ROLES: readonly string[] = ["read", "write", "admin"];
const roleOf = (raw: unknown): Role => (ROLES.includes(String(raw)) ? (String(raw) as Role) : "read");

const rowOf = (p: Prototype): DefaultPermissionRow => ({
  id: p.uuid,
  activatingUser: p.activatingUser?.account.username ?? null,
  delegate: p.delegate.kind === "team" ? p.delegate.team.name : p.delegate.user.account.username,
  delegateKind: p.delegate.kind === "team" ? "team" : p.delegate.user.account.kind,
  role: p.role,
});

export function defaultPermissionPages(deps: AppDeps): Hono<WebEnv> {
  const app = new Hono<WebEnv>();
  const actor = (c: WebContext) => ({ principal: c.get("principal"), ip: clientIp(c, deps.config) });
  const base = "/organization/:org/default-permissions";

  const adminOrg = (c: WebContext) => organizationAdministeredBy(deps, c);

  const listPage = async (c: WebContext, org: Organization, form: DefaultPermissionForm, notice?: string) =>
    page(
      c,
      <DefaultPermissionsPage
        chrome={await chrome(deps, c)}
        org={org.name}
        rows={(await listPrototypes(deps.db, org.namespaceId)).map(rowOf)}
        form={form}
        notice={notice}
      />,
      Object.keys(form.errors).length > 0 ? 400 : 200,
    );

  const found = async (org: Organization, id: string) => (await listPrototypes(deps.db, org.namespaceId)).find((p) => p.uuid === id);

  app.get(base, async (c) => {
    const org = await adminOrg(c);
    if (!org) return notFoundPage(deps, c);
    const notice = c.req.query("saved") !== undefined ? "Saved the default permission." : c.req.query("removed") !== undefined ? "Removed the default permission." : undefined;
    return listPage(c, org, emptyDefaultPermissionForm(), notice);
  });

  app.post(base, async (c) => {
    const org = await adminOrg(c);
    if (!org) return notFoundPage(deps, c);
    const body = await c.req.parseBody();
    const values = {
      activating_user: String(body.activating_user ?? "").trim(),
      kind: body.kind === "user" ? ("user" as const) : ("team" as const),
      name: String(body.name ?? "").trim(),
      role: String(body.role ?? "read"),
    };
    const errors: DefaultPermissionForm["errors"] = {};
    const activatingUser = values.activating_user ? await findAccount(deps.db, values.activating_user) : undefined;
    if (values.activating_user && !activatingUser) errors.activating_user = `No user named ${values.activating_user}`;
    let delegate: NewPrototype["delegate"] | undefined;
    if (values.kind === "team") {
      const team = await findTeam(deps.db, org.namespaceId, values.name);
      if (team) delegate = { kind: "team", team };
      else errors.name = values.name ? `No team ${values.name} in ${org.name}` : "Enter a team's name";
    } else {
      const user = await findAccount(deps.db, values.name);
      if (user) delegate = { kind: "user", user };
      else errors.name = values.name ? `No user or robot named ${values.name}` : "Enter a user's or robot's name";
    }
    if (!delegate || Object.keys(errors).length > 0) return listPage(c, org, { values, errors });
    await createPrototype(deps.db, actor(c), org, { role: roleOf(values.role), activatingUser: activatingUser ?? null, delegate });
    return c.redirect(`${defaultsPath(org.name)}?saved`, 303);
  });

  app.post(`${base}/:id`, async (c) => {
    const org = await adminOrg(c);
    if (!org) return notFoundPage(deps, c);
    const body = await c.req.parseBody();
    if (!(await updatePrototype(deps.db, actor(c), org, c.req.param("id")!, roleOf(body.role)))) return notFoundPage(deps, c);
    return c.redirect(`${defaultsPath(org.name)}?saved`, 303);
  });

  app.get(`${base}/:id/delete`, async (c) => {
    const org = await adminOrg(c);
    const prototype = org && (await found(org, c.req.param("id")!));
    if (!org || !prototype) return notFoundPage(deps, c);
    return page(c, <DeleteDefaultPermissionPage chrome={await chrome(deps, c)} org={org.name} row={rowOf(prototype)} />);
  });

  app.post(`${base}/:id/delete`, async (c) => {
    const org = await adminOrg(c);
    if (!org || !(await deletePrototype(deps.db, actor(c), org, c.req.param("id")!))) return notFoundPage(deps, c);
    return c.redirect(`${defaultsPath(org.name)}?removed`, 303);
  });

  return app;
}

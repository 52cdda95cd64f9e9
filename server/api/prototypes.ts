// Default permissions (Quay's §11, permission prototypes) of an organization: list, create,
// change the role of and delete them. All need the org:admin scope and an admin team; an unknown
// prototype id is 404.
import type { Context, Hono } from "hono";
import { z } from "zod";
import {
  createPrototype,
  deletePrototype,
  listPrototypes,
  type NewPrototype,
  type Prototype,
  type PrototypeAccount,
  updatePrototype,
} from "../domain/accounts/default-permissions.ts";
import { findAccount, findTeam } from "../domain/accounts/teams.ts";
import { invalidRequest, notFound } from "./errors.ts";
import { jsonBody } from "./input.ts";
import { accountAvatar, administeredOrganization, teamAvatar } from "./organizations.ts";
import type { ApiEnv, ApiHandler, ApiRequest } from "./request.ts";

type Json = Record<string, unknown>;
type Route = (handler: ApiHandler) => (c: Context<ApiEnv>) => Promise<Response>;

const role = z.enum(["read", "write", "admin"]);
const newPrototype = z.object({
  role,
  delegate: z.object({ name: z.string(), kind: z.enum(["user", "team"]) }),
  activating_user: z.object({ name: z.string() }).optional(),
});
const prototypeUpdate = z.object({ role });

const accountView = ({ account, orgMember }: PrototypeAccount): Json => ({
  name: account.username,
  is_robot: account.kind === "robot",
  kind: "user",
  is_org_member: orgMember,
  avatar: accountAvatar(account),
});

function prototypeView(p: Prototype): Json {
  return {
    activating_user: p.activatingUser && accountView(p.activatingUser),
    delegate: p.delegate.kind === "user"
      ? accountView(p.delegate.user)
      : { name: p.delegate.team.name, kind: "team", avatar: teamAvatar(p.delegate.team) },
    role: p.role,
    id: p.uuid,
  };
}

async function listHandler(r: ApiRequest): Promise<Response> {
  const org = await administeredOrganization(r);
  return r.c.json({ prototypes: (await listPrototypes(r.deps.db, org.namespaceId)).map(prototypeView) });
}

async function createHandler(r: ApiRequest): Promise<Response> {
  const org = await administeredOrganization(r);
  const body = await jsonBody(r.c, newPrototype);
  const activatingUser = body.activating_user ? await findAccount(r.deps.db, body.activating_user.name) : undefined;
  if (body.activating_user && !activatingUser) throw invalidRequest("Unknown activating user");
  let delegate: NewPrototype["delegate"] | undefined;
  if (body.delegate.kind === "user") {
    const user = await findAccount(r.deps.db, body.delegate.name);
    if (user) delegate = { kind: "user", user };
  } else {
    const team = await findTeam(r.deps.db, org.namespaceId, body.delegate.name);
    if (team) delegate = { kind: "team", team };
  }
  if (!delegate) throw invalidRequest("Missing delegate user or team");
  const created = await createPrototype(r.deps.db, r.actor, org, { role: body.role, activatingUser: activatingUser ?? null, delegate });
  return r.c.json(prototypeView(created));
}

async function updateHandler(r: ApiRequest): Promise<Response> {
  const org = await administeredOrganization(r);
  const body = await jsonBody(r.c, prototypeUpdate);
  const updated = await updatePrototype(r.deps.db, r.actor, org, r.c.req.param("id")!, body.role);
  if (!updated) throw notFound();
  return r.c.json(prototypeView(updated));
}

async function deleteHandler(r: ApiRequest): Promise<Response> {
  const org = await administeredOrganization(r);
  if (!(await deletePrototype(r.deps.db, r.actor, org, r.c.req.param("id")!))) throw notFound();
  return r.c.body(null, 204);
}

export function mountPrototypeRoutes(app: Hono<ApiEnv>, route: Route, notAllowed: () => never): void {
  const base = "/organization/:org/prototypes";
  app.get(base, route(listHandler));
  app.post(base, route(createHandler));
  app.all(base, notAllowed);
  app.put(`${base}/:id`, route(updateHandler));
  app.delete(`${base}/:id`, route(deleteHandler));
  app.all(`${base}/:id`, notAllowed);
}

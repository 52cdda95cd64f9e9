// Quay's proxy cache API (§28): an organization's upstream registry, viewed by its members, set
// and removed by its admins, and checked (login to the upstream) before it is saved.
import type { Hono } from "hono";
import { z } from "zod";
import { findOrganization } from "../domain/accounts/organizations.ts";
import { orgRole } from "../domain/accounts/teams.ts";
import {
  createProxyCacheConfig,
  deleteProxyCacheConfig,
  findProxyCacheConfig,
  type NewProxyCacheConfig,
} from "../domain/mirroring/proxy-cache-configs.ts";
import { validateUpstream } from "../domain/mirroring/proxy-validation.ts";
import { isAnonymous } from "./auth.ts";
import { unauthorized } from "./errors.ts";
import { jsonBody } from "./input.ts";
import { administeredOrganization } from "./organizations.ts";
import type { ApiEnv, ApiRequest, ApiRoute } from "./request.ts";

const configBody = z.object({
  upstream_registry: z.string(),
  upstream_registry_username: z.string().nullable().optional(),
  upstream_registry_password: z.string().nullable().optional(),
  expiration_s: z.number().int().nullable().optional(),
  insecure: z.boolean().nullable().optional(),
});

/** The body as typed; the domain normalises and checks it (as for the UI's form). */
async function readConfig(r: ApiRequest): Promise<NewProxyCacheConfig> {
  const body = await jsonBody(r.c, configBody);
  return {
    upstreamRegistry: body.upstream_registry,
    username: body.upstream_registry_username ?? null,
    password: body.upstream_registry_password ?? null,
    expirationS: body.expiration_s ?? undefined,
    insecure: body.insecure ?? false,
  };
}

async function getHandler(r: ApiRequest): Promise<Response> {
  const refuse = unauthorized(isAnonymous(r.caller));
  if (!r.caller.user) throw refuse;
  const org = await findOrganization(r.deps.db, r.c.req.param("org")!);
  if (!org || !(await orgRole(r.deps.db, r.caller.user.id, org.namespaceId))) throw refuse;
  const config = await findProxyCacheConfig(r.deps.db, org.namespaceId);
  return r.c.json(
    config
      ? { upstream_registry: config.upstreamRegistry, expiration_s: config.expirationS, insecure: config.insecure }
      : { upstream_registry: "", expiration_s: "", insecure: "" },
  );
}

async function createHandler(r: ApiRequest): Promise<Response> {
  const org = await administeredOrganization(r);
  await createProxyCacheConfig(r.deps.db, r.actor, org.namespaceId, await readConfig(r), r.deps.config.ssrfAllowedHosts);
  return r.c.json("Created", 201);
}

async function deleteHandler(r: ApiRequest): Promise<Response> {
  const org = await administeredOrganization(r);
  await deleteProxyCacheConfig(r.deps.db, r.actor, org.namespaceId);
  return r.c.json("Deleted", 201);
}

async function validateHandler(r: ApiRequest): Promise<Response> {
  await administeredOrganization(r);
  const outcome = await validateUpstream(await readConfig(r), r.deps.config.ssrfAllowedHosts, r.deps.clock);
  return r.c.json(outcome, 202);
}

export function mountProxyCacheRoutes(app: Hono<ApiEnv>, route: ApiRoute, notAllowed: () => never): void {
  app.get("/organization/:org/proxycache", route(getHandler));
  app.post("/organization/:org/proxycache", route(createHandler));
  app.delete("/organization/:org/proxycache", route(deleteHandler));
  app.all("/organization/:org/proxycache", notAllowed);
  app.post("/organization/:org/validateproxycache", route(validateHandler));
  app.all("/organization/:org/validateproxycache", notAllowed);
}

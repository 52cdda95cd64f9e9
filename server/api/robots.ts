// Robot accounts (Quay's §9): `/user/robots[...]` for the caller's own robots (user:admin) and
// `/organization/{org}/robots[...]` for an organization's (org:admin scope and an admin team;
// members may list them, without tokens or permissions). Unknown robots are Quay's data-model
// error: 400 `{message}`, not 404.
import type { Context, Hono } from "hono";
import { z } from "zod";
import type { ScopeCaps } from "../domain/access/scopes.ts";
import { DomainError } from "../domain/errors.ts";
import { findOrganization } from "../domain/accounts/organizations.ts";
import {
  createRobot,
  deleteRobot,
  deleteRobotFederation,
  getRobot,
  listRobots,
  NO_SUCH_ROBOT,
  type Robot,
  robotFederation,
  robotGrants,
  type RobotOwner,
  robotPermissions,
  robotRights,
  robotToken,
  regenerateRobotToken,
  setRobotFederation,
} from "../domain/accounts/robots.ts";
import { isAnonymous } from "./auth.ts";
import { avatar } from "./avatar.ts";
import { rfc2822 } from "./dates.ts";
import { PlainError, unauthorized } from "./errors.ts";
import { intParam, readJson, truthy, validate } from "./input.ts";
import type { ApiEnv, ApiHandler, ApiRequest } from "./request.ts";

type Json = Record<string, unknown>;
type Route = (handler: ApiHandler) => (c: Context<ApiEnv>) => Promise<Response>;

/** Whose robots a request is about, and whether the caller administers them. */
interface Scope {
  owner: RobotOwner;
  admin: boolean;
}
type Resolve = (r: ApiRequest) => Promise<Scope>;

const createBody = z.object({
  description: z.string().max(255).optional(),
  unstructured_metadata: z.record(z.string(), z.unknown()).optional(),
});
const federationBody = z.array(z.object({ issuer: z.string(), subject: z.string() }));

/** The caller's own namespace: needs user:admin. */
const userScope: Resolve = async ({ caller }) => {
  if (!caller.user || caller.caps.user !== "admin") throw unauthorized(isAnonymous(caller));
  return { owner: { id: caller.user.namespaceId, name: caller.user.username }, admin: true };
};

const orgAdminScope = (caps: ScopeCaps) => caps.namespace === "admin";
const userAdminScope = (caps: ScopeCaps) => caps.user === "admin";

/**
 * An organization the caller belongs to, holding the scope Quay asks for there (org:admin;
 * user:admin for a robot's permissions); `admin` from its teams. Only listing is for every member.
 */
const orgScope =
  (scopeAllows: (caps: ScopeCaps) => boolean, adminsOnly: boolean): Resolve =>
  async ({ deps, c, caller }) => {
    const refuse = unauthorized(isAnonymous(caller));
    if (!caller.user || !scopeAllows(caller.caps)) throw refuse;
    const org = await findOrganization(deps.db, c.req.param("org")!);
    if (!org) throw refuse;
    const rights = await robotRights(deps.db, caller.principal, { id: org.namespaceId, kind: "org" });
    if (rights === null || (adminsOnly && rights !== "admin")) throw refuse;
    return { owner: { id: org.namespaceId, name: org.name }, admin: rights === "admin" };
  };

const dateOrNull = (d: Date | null) => (d ? rfc2822(d) : null);

function robotView(robot: Robot, token: string | undefined, withMetadata: boolean): Json {
  const view: Json = {
    name: robot.name,
    created: rfc2822(robot.createdAt),
    last_accessed: dateOrNull(robot.lastAccessedAt),
    description: robot.description,
  };
  if (token !== undefined) view.token = token;
  if (withMetadata) view.unstructured_metadata = robot.metadata;
  return view;
}

/** Quay answers an unknown robot with a plain 400. */
async function knownRobot<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (err instanceof DomainError && err.code === "NOT_FOUND" && err.message === NO_SUCH_ROBOT) {
      throw new PlainError(400, { message: NO_SUCH_ROBOT });
    }
    throw err;
  }
}

const short = (r: ApiRequest) => r.c.req.param("short")!;

/** The endpoints over whose robots `resolve` finds (`list` for listing, `audit` for permissions). */
function handlers(resolve: Resolve, list: Resolve, audit: Resolve) {
  return {
    async list(r: ApiRequest) {
      const { owner, admin } = await list(r);
      const withToken = admin && truthy(r.c.req.query("token"), true);
      const withPermissions = admin && truthy(r.c.req.query("permissions"), false);
      const limit = r.c.req.query("limit") === undefined ? undefined : intParam(r.c, "limit", 0, "If specified, the number of robots to return.");
      const robots = await listRobots(r.deps.db, owner, limit);
      const grants = withPermissions ? await robotGrants(r.deps.db, robots.map((b) => b.id)) : undefined;
      const items = await Promise.all(
        robots.map(async (robot) => {
          const item = robotView(robot, withToken ? await robotToken(r.deps.db, robot) : undefined, false);
          const granted = grants?.get(robot.id);
          if (granted) {
            item.teams = granted.teams.map((name) => ({ name, avatar: avatar(name, null, "team") }));
            item.repositories = granted.repositories;
          }
          return item;
        }),
      );
      return r.c.json({ robots: items });
    },

    async get(r: ApiRequest) {
      const { owner } = await resolve(r);
      const robot = await knownRobot(getRobot(r.deps.db, owner, short(r)));
      return r.c.json(robotView(robot, await robotToken(r.deps.db, robot), true));
    },

    async create(r: ApiRequest) {
      const { owner } = await resolve(r);
      const text = await r.c.req.text();
      const body = text.trim() === "" ? {} : validate(createBody, await readJson(r.c));
      const input = { description: body.description, metadata: body.unstructured_metadata };
      const { robot, token } = await createRobot(r.deps.db, owner, short(r), input, r.actor);
      return r.c.json(robotView(robot, token, true), 201);
    },

    async remove(r: ApiRequest) {
      const { owner } = await resolve(r);
      await knownRobot(deleteRobot(r.deps.db, owner, short(r), r.actor));
      return r.c.body(null, 204);
    },

    async regenerate(r: ApiRequest) {
      const { owner } = await resolve(r);
      const { robot, token } = await knownRobot(regenerateRobotToken(r.deps.db, owner, short(r), r.actor));
      return r.c.json(robotView(robot, token, false));
    },

    async permissions(r: ApiRequest) {
      const { owner } = await audit(r);
      const robot = await knownRobot(getRobot(r.deps.db, owner, short(r)));
      const permissions = await robotPermissions(r.deps.db, robot);
      return r.c.json({
        permissions: permissions.map((p) => ({ repository: { name: p.repository, is_public: p.isPublic }, role: p.role })),
      });
    },

    async getFederation(r: ApiRequest) {
      const { owner } = await resolve(r);
      return r.c.json(await knownRobot(robotFederation(r.deps.db, owner, short(r))));
    },

    async setFederation(r: ApiRequest) {
      const { owner } = await resolve(r);
      const entries = validate(federationBody, await readJson(r.c));
      return r.c.json(await knownRobot(setRobotFederation(r.deps.db, owner, short(r), entries, r.actor)));
    },

    async deleteFederation(r: ApiRequest) {
      const { owner } = await resolve(r);
      await knownRobot(deleteRobotFederation(r.deps.db, owner, short(r), r.actor));
      return r.c.body(null, 204);
    },
  };
}

/** Mounts both families of robot routes on the API. */
export function mountRobotRoutes(app: Hono<ApiEnv>, route: Route, notAllowed: () => never): void {
  const families: [string, ReturnType<typeof handlers>][] = [
    ["/user/robots", handlers(userScope, userScope, userScope)],
    [
      "/organization/:org/robots",
      handlers(orgScope(orgAdminScope, true), orgScope(orgAdminScope, false), orgScope(userAdminScope, true)),
    ],
  ];
  for (const [base, h] of families) {
    app.get(base, route(h.list));
    app.all(base, notAllowed);
    app.get(`${base}/:short`, route(h.get));
    app.put(`${base}/:short`, route(h.create));
    app.delete(`${base}/:short`, route(h.remove));
    app.all(`${base}/:short`, notAllowed);
    app.post(`${base}/:short/regenerate`, route(h.regenerate));
    app.all(`${base}/:short/regenerate`, notAllowed);
    app.get(`${base}/:short/permissions`, route(h.permissions));
    app.all(`${base}/:short/permissions`, notAllowed);
    app.get(`${base}/:short/federation`, route(h.getFederation));
    app.post(`${base}/:short/federation`, route(h.setFederation));
    app.delete(`${base}/:short/federation`, route(h.deleteFederation));
    app.all(`${base}/:short/federation`, notAllowed);
  }
}

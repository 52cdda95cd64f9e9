// Robot accounts in the browser, for the signed-in user's own (`/settings/robots`) and an
// organization's (`/organization/<name>/robots`): the list with its create form, one robot's
// credentials (and the Mesos tarball), and regenerate/delete, each confirmed on a page first.
// Who may do what is the domain's `robotRights`; anyone else gets the site's 404.
import { Hono } from "hono";
import { RobotConfirmPage, RobotPage } from "../../views/pages/robot.tsx";
import { roleField, RobotsPage } from "../../views/pages/robots.tsx";
import type { AppDeps } from "../deps.ts";
import { DomainError } from "../domain/errors.ts";
import { findNamespace } from "../domain/accounts/namespaces.ts";
import {
  createRobot,
  deleteRobot,
  getRobot,
  listRobots,
  type Robot,
  type RobotOwner,
  regenerateRobotToken,
  robotGrants,
  robotRights,
  robotToken,
} from "../domain/accounts/robots.ts";
import { clientIp } from "../client-ip.ts";
import type { Role } from "../domain/access/permissions.ts";
import { namespaceRepositories, namespaceRolesOf, setRepositoryRole } from "../domain/repositories/repository-permissions.ts";
import { serviceName } from "../registry/deps.ts";
import { mesosTarball, robotCredentials } from "./robot-credentials.ts";
import { chrome, notFoundPage, page } from "./render.tsx";
import type { WebContext, WebEnv } from "./session.ts";

type OwnerKind = "user" | "org";

interface Place {
  owner: RobotOwner;
  kind: OwnerKind;
  basePath: string;
  canAdmin: boolean;
}

/** The role a permissions form asks for; null takes the robot's role away. */
const ROLES = new Map<string, Role | null>([["none", null], ["read", "read"], ["write", "write"], ["admin", "admin"]]);

/** Where each kind's robots live; an organization's path names it. */
const BASE: Record<OwnerKind, string> = { user: "/settings/robots", org: "/organization/:name/robots" };

const registryHost = (deps: AppDeps, c: WebContext) => serviceName(deps.config, new URL(c.req.url));

export function robotPages(deps: AppDeps): Hono<WebEnv> {
  const app = new Hono<WebEnv>();
  const actor = (c: WebContext) => ({ principal: c.get("principal"), ip: clientIp(c, deps.config) });

  /** The namespace (the viewer's own, or the organization in the path) and the viewer's rights on its robots; null: answer 404. */
  async function place(c: WebContext, kind: OwnerKind): Promise<Place | null> {
    const session = c.get("session");
    if (!session) return null;
    const ns = kind === "user" ? { id: session.user.namespaceId, name: session.user.username, kind } : await findNamespace(deps.db, c.req.param("name")!);
    if (!ns || ns.kind !== kind) return null;
    const rights = await robotRights(deps.db, c.get("principal"), ns);
    if (rights === null) return null;
    return { owner: { id: ns.id, name: ns.name }, kind, basePath: BASE[kind].replace(":name", ns.name), canAdmin: rights === "admin" };
  }

  /** The robot in the path, for administrators only. */
  async function robotAt(c: WebContext, kind: OwnerKind): Promise<{ at: Place; robot: Robot } | null> {
    const at = await place(c, kind);
    if (!at?.canAdmin) return null;
    try {
      return { at, robot: await getRobot(deps.db, at.owner, c.req.param("short")!) };
    } catch (err) {
      if (err instanceof DomainError && err.code === "NOT_FOUND") return null;
      throw err;
    }
  }

  type CreateForm = { values: Record<string, string>; errors: Record<string, string> };

  async function listPage(c: WebContext, at: Place, create?: CreateForm, status: 200 | 400 = 200) {
    const [robots, repositories] = await Promise.all([
      listRobots(deps.db, at.owner),
      create && at.canAdmin ? namespaceRepositories(deps.db, at.owner.id) : [],
    ]);
    return page(
      c,
      <RobotsPage
        chrome={await chrome(deps, c)}
        owner={{ name: at.owner.name, kind: at.kind }}
        basePath={at.basePath}
        robots={robots}
        canAdmin={at.canAdmin}
        now={deps.clock.now()}
        create={at.canAdmin && create ? { ...create, repositories } : undefined}
      />,
      status,
    );
  }

  // One's own robots are part of one's settings: signed-out visitors sign in first.
  app.use("/settings/robots/*", async (c, next) =>
    c.get("session") || c.req.method !== "GET" ? next() : c.redirect(`/signin?${new URLSearchParams({ next: c.req.path })}`, 303),
  );

  for (const kind of ["user", "org"] as const) {
    const base = BASE[kind];

    app.get(base, async (c) => {
      const at = await place(c, kind);
      if (!at) return notFoundPage(deps, c);
      return listPage(c, at, c.req.query("create") !== undefined ? { values: {}, errors: {} } : undefined);
    });

    app.post(base, async (c) => {
      const at = await place(c, kind);
      if (!at?.canAdmin) return notFoundPage(deps, c);
      const form = await c.req.parseBody();
      const repositories = await namespaceRepositories(deps.db, at.owner.id);
      const values: Record<string, string> = { short: String(form.short ?? "").trim(), description: String(form.description ?? "") };
      const roles: [number, Role][] = [];
      for (const { repositoryId } of repositories) {
        const chosen = String(form[roleField(repositoryId)] ?? "none");
        const role = ROLES.get(chosen);
        values[roleField(repositoryId)] = chosen;
        if (role) roles.push([repositoryId, role]);
      }
      if (values.short === "") return listPage(c, at, { values, errors: { short: "Enter a name for the robot" } }, 400);
      try {
        const { robot } = await createRobot(deps.db, at.owner, values.short!, { description: values.description }, actor(c));
        const grantee = { id: robot.id, username: robot.name, kind: "robot" as const, namespaceId: null, robotOwnerNamespaceId: at.owner.id };
        for (const [repositoryId, role] of roles) await setRepositoryRole(deps, repositoryId, grantee, role, actor(c));
      } catch (err) {
        if (!(err instanceof DomainError) || (err.code !== "INVALID_REQUEST" && err.code !== "CONFLICT")) throw err;
        const field = err.message.startsWith("Robot descriptions") ? "description" : "short";
        return listPage(c, at, { values, errors: { [field]: err.message } }, 400);
      }
      return c.redirect(`${at.basePath}/${values.short!}`, 303);
    });

    app.get(`${base}/:short`, async (c) => {
      const found = await robotAt(c, kind);
      if (!found) return notFoundPage(deps, c);
      const { at, robot } = found;
      const [token, permissions, grants] = await Promise.all([
        robotToken(deps.db, robot),
        namespaceRolesOf(deps.db, at.owner.id, robot),
        robotGrants(deps.db, [robot.id]),
      ]);
      return page(
        c,
        <RobotPage
          chrome={await chrome(deps, c)}
          robot={robot}
          basePath={at.basePath}
          robotPath={`${at.basePath}/${robot.shortName}`}
          credentials={robotCredentials(registryHost(deps, c), robot.name, token)}
          permissions={permissions}
          teams={grants.get(robot.id)!.teams}
          saved={c.req.query("saved")}
          regenerated={c.req.query("regenerated") !== undefined}
        />,
      );
    });

    app.get(`${base}/:short/docker.tar.gz`, async (c) => {
      const found = await robotAt(c, kind);
      if (!found) return notFoundPage(deps, c);
      const token = await robotToken(deps.db, found.robot);
      const archive = mesosTarball(registryHost(deps, c), found.robot.name, token, deps.clock.now());
      return c.body(new Uint8Array(archive), 200, {
        "Content-Type": "application/gzip",
        "Content-Disposition": 'attachment; filename="docker.tar.gz"',
      });
    });

    for (const action of ["regenerate", "delete"] as const) {
      app.get(`${base}/:short/${action}`, async (c) => {
        const found = await robotAt(c, kind);
        if (!found) return notFoundPage(deps, c);
        const robotPath = `${found.at.basePath}/${found.robot.shortName}`;
        return page(c, <RobotConfirmPage chrome={await chrome(deps, c)} robot={found.robot} robotPath={robotPath} action={action} />);
      });
    }

    app.post(`${base}/:short/permissions`, async (c) => {
      const found = await robotAt(c, kind);
      if (!found) return notFoundPage(deps, c);
      const { at, robot } = found;
      const form = await c.req.parseBody();
      const role = ROLES.get(String(form.role));
      const current = (await namespaceRolesOf(deps.db, at.owner.id, robot)).find((r) => String(r.repositoryId) === form.repository);
      if (!current || role === undefined) return notFoundPage(deps, c);
      if (current.role !== role) {
        const grantee = { id: robot.id, username: robot.name, kind: "robot" as const, namespaceId: null, robotOwnerNamespaceId: at.owner.id };
        await setRepositoryRole(deps, current.repositoryId, grantee, role, actor(c));
      }
      const query = new URLSearchParams({ saved: current.name });
      return c.redirect(`${at.basePath}/${robot.shortName}?${query}#permissions`, 303);
    });

    app.post(`${base}/:short/regenerate`, async (c) => {
      const found = await robotAt(c, kind);
      if (!found) return notFoundPage(deps, c);
      await regenerateRobotToken(deps.db, found.at.owner, found.robot.shortName, actor(c));
      return c.redirect(`${found.at.basePath}/${found.robot.shortName}?regenerated=1`, 303);
    });

    app.post(`${base}/:short/delete`, async (c) => {
      const found = await robotAt(c, kind);
      if (!found) return notFoundPage(deps, c);
      await deleteRobot(deps.db, found.at.owner, found.robot.shortName, actor(c));
      return c.redirect(found.at.basePath, 303);
    });
  }

  return app;
}

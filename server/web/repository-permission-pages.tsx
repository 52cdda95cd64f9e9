// A repository's permissions page, for its admins (404 for anyone else): list, change a role,
// add one (users and robots by name, an organization's teams), remove one after a question.
// The rules are the domain's, the same the API's /repository/{repo}/permissions use.
import { Hono } from "hono";
import {
  type AddPermissionForm,
  type PermissionRow,
  RemovePermissionPage,
  RepositoryPermissionsPage,
} from "../../views/pages/repository-permissions.tsx";
import { clientIp } from "../client-ip.ts";
import type { AppDeps } from "../deps.ts";
import type { Role } from "../domain/access/permissions.ts";
import { findNamespace } from "../domain/accounts/namespaces.ts";
import { organizationMembers } from "../domain/accounts/organizations.ts";
import { listRobots } from "../domain/accounts/robots.ts";
import { findAccount, findTeam, listTeams } from "../domain/accounts/teams.ts";
import { DomainError } from "../domain/errors.ts";
import { repoPath } from "../domain/names.ts";
import type { Repository } from "../domain/repositories/repositories.ts";
import { setRepositoryRole, setTeamRepositoryRole, teamGrantsOn, userGrantsOn } from "../domain/repositories/repository-permissions.ts";
import { chrome, notFoundPage, page } from "./render.tsx";
import { administeredRepository } from "./repository-create-pages.tsx";
import type { WebContext, WebEnv } from "./session.ts";

const ROLES: readonly string[] = ["read", "write", "admin"];
const kindOf = (raw: unknown): "user" | "team" => (raw === "team" ? "team" : "user");

export function repositoryPermissionPages(deps: AppDeps): Hono<WebEnv> {
  const app = new Hono<WebEnv>();
  const actor = (c: WebContext) => ({ principal: c.get("principal"), ip: clientIp(c, deps.config) });
  const permissionsPath = (repo: Repository) => `/repository-permissions/${repoPath(repo)}`;

  async function rows(repo: Repository): Promise<PermissionRow[]> {
    const users = await userGrantsOn(deps.db, repo);
    const teams = await teamGrantsOn(deps.db, repo.id);
    return [
      ...users.map((u) => ({ kind: u.robot ? ("robot" as const) : ("user" as const), name: u.username, role: u.role })),
      ...teams.map((t) => ({ kind: "team" as const, name: t.name, role: t.role })),
    ];
  }

  /** Who may be given a role: the namespace's robots, and in an organization its members and teams. */
  async function suggestions(repo: Repository): Promise<string[]> {
    const robots = (await listRobots(deps.db, { id: repo.namespaceId, name: repo.namespace })).map((r) => r.name);
    if ((await findNamespace(deps.db, repo.namespace))?.kind !== "org") return robots;
    const members = (await organizationMembers(deps.db, repo.namespaceId)).map((m) => m.account.username);
    const teams = (await listTeams(deps.db, repo.namespaceId)).map((t) => t.name);
    return [...new Set([...members, ...robots, ...teams])];
  }

  const listPage = async (c: WebContext, repo: Repository, form: AddPermissionForm, notice?: string) =>
    page(
      c,
      <RepositoryPermissionsPage
        chrome={await chrome(deps, c)}
        path={repoPath(repo)}
        rows={await rows(repo)}
        isOrg={(await findNamespace(deps.db, repo.namespace))?.kind === "org"}
        form={form}
        suggestions={await suggestions(repo)}
        notice={notice}
      />,
      form.error ? 400 : 200,
    );
  const emptyForm: AddPermissionForm = { values: { kind: "user", name: "", role: "read" } };

  /** Gives (a role) or takes away (null) a grant; a refusal's message, in the domain's words. */
  async function change(c: WebContext, repo: Repository, kind: "user" | "team", name: string, role: Role | null): Promise<string | undefined> {
    try {
      if (kind === "team") {
        const team = await findTeam(deps.db, repo.namespaceId, name);
        if (!team) return `No team ${name} in ${repo.namespace}`;
        await setTeamRepositoryRole(deps, repo, team, role, actor(c));
      } else {
        const account = await findAccount(deps.db, name);
        if (!account) return `No user or robot named ${name}`;
        await setRepositoryRole(deps, repo.id, account, role, actor(c));
      }
    } catch (err) {
      if (err instanceof DomainError && err.code === "INVALID_REQUEST") return err.message;
      throw err;
    }
    return undefined;
  }

  app.get("/repository-permissions/:namespace/:name{.+}", async (c) => {
    const repo = await administeredRepository(deps, c);
    if (!repo) return notFoundPage(deps, c);
    const saved = c.req.query("saved");
    const removed = c.req.query("removed");
    const notice = saved ? `Saved the role of ${saved}.` : removed ? `Removed the role of ${removed}.` : undefined;
    return listPage(c, repo, emptyForm, notice);
  });

  app.post("/repository-permissions/:namespace/:name{.+}", async (c) => {
    const repo = await administeredRepository(deps, c);
    if (!repo) return notFoundPage(deps, c);
    const body = await c.req.parseBody();
    const values = { kind: kindOf(body.kind), name: String(body.name ?? "").trim(), role: String(body.role ?? "") };
    if (values.name === "") return listPage(c, repo, { values, error: "Enter a name" });
    const role = ROLES.includes(values.role) ? (values.role as Role) : "read";
    const error = await change(c, repo, values.kind, values.name, role);
    if (error) return listPage(c, repo, { values, error });
    return c.redirect(`${permissionsPath(repo)}?${new URLSearchParams({ saved: values.name })}`, 303);
  });

  app.get("/repository-permission-remove/:namespace/:name{.+}", async (c) => {
    const repo = await administeredRepository(deps, c);
    if (!repo) return notFoundPage(deps, c);
    const row = { kind: kindOf(c.req.query("kind")), name: c.req.query("name") ?? "" };
    return page(c, <RemovePermissionPage chrome={await chrome(deps, c)} path={repoPath(repo)} row={row} />);
  });

  app.post("/repository-permission-remove/:namespace/:name{.+}", async (c) => {
    const repo = await administeredRepository(deps, c);
    if (!repo) return notFoundPage(deps, c);
    const kind = kindOf(c.req.query("kind"));
    const name = c.req.query("name") ?? "";
    const error = await change(c, repo, kind, name, null);
    if (error) return listPage(c, repo, { values: { kind, name, role: "read" }, error });
    return c.redirect(`${permissionsPath(repo)}?${new URLSearchParams({ removed: name })}`, 303);
  });

  return app;
}

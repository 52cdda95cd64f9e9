// Creating a repository from the browser, and its admins' changes from its page: description,
// visibility, delete (typed confirmation). The rules are the domain's, the same the API's
// POST/PUT/DELETE /api/v1/repository use (createRepository, canCreateIn, setDescription,
// setVisibility, deleteRepository). Routes sit outside /repository/… because repository names
// may hold slashes, so no suffix there could be told apart from a name.
import { Hono } from "hono";
import { type NewRepositoryForm, NewRepositoryPage } from "../../views/pages/repository-new.tsx";
import { Layout, Section } from "../../views/layout.tsx";
import { DeleteRepositoryCard } from "../../views/partials/repository-admin.tsx";
import { clientIp } from "../client-ip.ts";
import type { AppDeps } from "../deps.ts";
import { canCreateIn, type Role, roleAtLeast, roleOn } from "../domain/access/permissions.ts";
import { findNamespace } from "../domain/accounts/namespaces.ts";
import { userOrganizations } from "../domain/accounts/organizations.ts";
import { DomainError } from "../domain/errors.ts";
import { repoPath } from "../domain/names.ts";
import {
  createRepository,
  deleteRepository,
  findRepository,
  type Repository,
  setDescription,
  setVisibility,
} from "../domain/repositories/repositories.ts";
import { chrome, notFoundPage, page } from "./render.tsx";
import type { WebContext, WebEnv } from "./session.ts";

/** A text box's value as typed: browsers send its line breaks as CRLF, stored here as LF (as the API's JSON brings them). */
const textAreaValue = (raw: unknown) => String(raw ?? "").replace(/\r\n?/g, "\n");

const visibilityOf = (raw: unknown): "public" | "private" => (raw === "public" ? "public" : "private");

/** The repository in the path when the signed-in viewer holds at least `role` on it; anyone else sees a 404. */
async function repositoryHeldAt(deps: AppDeps, c: WebContext, role: Role): Promise<Repository | undefined> {
  const repo = await findRepository(deps.db, { namespace: c.req.param("namespace")!, name: c.req.param("name")! });
  if (!repo || repo.state === "MARKED_FOR_DELETION" || !c.get("session")) return undefined;
  return roleAtLeast(await roleOn(deps.db, c.get("principal"), repo), role) ? repo : undefined;
}

/** The repository in the path when the viewer is its admin; anyone else sees a 404. */
export const administeredRepository = (deps: AppDeps, c: WebContext) => repositoryHeldAt(deps, c, "admin");

export function repositoryCreatePages(deps: AppDeps): Hono<WebEnv> {
  const app = new Hono<WebEnv>();
  const actor = (c: WebContext) => ({ principal: c.get("principal"), ip: clientIp(c, deps.config) });

  /** The viewer's own namespace, then each organization where canCreateIn lets them create. */
  async function creatableNamespaces(c: WebContext): Promise<string[]> {
    const session = c.get("session")!;
    const names = [session.user.username];
    for (const org of await userOrganizations(deps.db, session.user.id)) {
      const ns = await findNamespace(deps.db, org.name);
      if (ns && (await canCreateIn(deps.db, c.get("principal"), ns))) names.push(ns.name);
    }
    return names;
  }

  const newPage = async (c: WebContext, form: NewRepositoryForm, status: 200 | 400 = 200) =>
    page(c, <NewRepositoryPage chrome={await chrome(deps, c)} namespaces={await creatableNamespaces(c)} form={form} />, status);

  app.get("/repositories/new", async (c) => {
    const session = c.get("session");
    if (!session) return c.redirect(`/signin?${new URLSearchParams({ next: c.req.path + new URL(c.req.url).search })}`, 302);
    const namespace = c.req.query("namespace") ?? session.user.username;
    return newPage(c, { values: { namespace, name: "", description: "", visibility: "private" }, errors: {} });
  });

  app.post("/repositories/new", async (c) => {
    if (!c.get("session")) return notFoundPage(deps, c);
    const body = await c.req.parseBody();
    const values = {
      namespace: String(body.namespace ?? ""),
      name: String(body.name ?? "").trim(),
      description: textAreaValue(body.description),
      visibility: visibilityOf(body.visibility),
    };
    if (values.name === "") return newPage(c, { values, errors: { name: "Enter a name for the repository" } }, 400);
    try {
      await createRepository(deps.db, actor(c), values);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      if (err.code === "NAME_INVALID") {
        const { reason } = err.detail as { reason: string };
        return newPage(c, { values, errors: { name: `Invalid repository name: ${reason}` } }, 400);
      }
      if (err.code === "CONFLICT") return newPage(c, { values, errors: { name: `${repoPath(values)} already exists` } }, 400);
      if (err.code === "FORBIDDEN") return newPage(c, { values, errors: { namespace: err.message } }, 400);
      throw err;
    }
    return c.redirect(`/repository/${repoPath(values)}`, 303);
  });

  const administered = (c: WebContext) => administeredRepository(deps, c);

  // Writers may change the description, as Quay's PUT /repository (and this API) let them.
  app.post("/repository-description/:namespace/:name{.+}", async (c) => {
    const repo = await repositoryHeldAt(deps, c, "write");
    if (!repo) return notFoundPage(deps, c);
    const body = await c.req.parseBody();
    await setDescription(deps, actor(c), repo, textAreaValue(body.description));
    return c.redirect(`/repository/${repoPath(repo)}?tab=settings&saved=description`, 303);
  });

  app.post("/repository-visibility/:namespace/:name{.+}", async (c) => {
    const repo = await administered(c);
    if (!repo) return notFoundPage(deps, c);
    const body = await c.req.parseBody();
    await setVisibility(deps, actor(c), repo, visibilityOf(body.visibility));
    return c.redirect(`/repository/${repoPath(repo)}?tab=settings&saved=visibility`, 303);
  });

  const deletePage = async (c: WebContext, repo: Repository, error?: string) =>
    page(
      c,
      <Layout chrome={await chrome(deps, c)} title={`Delete ${repoPath(repo)}`}>
        <Section>
          <DeleteRepositoryCard repo={repo} csrfToken={c.get("session")?.csrfToken ?? null} error={error} />
        </Section>
      </Layout>,
      error ? 400 : 200,
    );

  app.get("/repository-delete/:namespace/:name{.+}", async (c) => {
    const repo = await administered(c);
    return repo ? deletePage(c, repo) : notFoundPage(deps, c);
  });

  app.post("/repository-delete/:namespace/:name{.+}", async (c) => {
    const repo = await administered(c);
    if (!repo) return notFoundPage(deps, c);
    const body = await c.req.parseBody();
    if (String(body.confirm ?? "").trim() !== repoPath(repo)) {
      return deletePage(c, repo, `Type ${repoPath(repo)} to delete it`);
    }
    await deleteRepository(deps, actor(c), repo);
    return c.redirect("/repositories", 303);
  });

  return app;
}

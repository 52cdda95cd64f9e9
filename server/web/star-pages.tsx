// Starring a repository from its page (POST /star/<namespace>/<name>, field star=true|false):
// htmx gets the new button, a plain form post goes back to the repository page.
import { Hono } from "hono";
import { StarToggle } from "../../views/partials/star-toggle.tsx";
import type { AppDeps } from "../deps.ts";
import { starRepository, unstarRepository } from "../domain/repositories/stars.ts";
import { formToken } from "./csrf.ts";
import { fragment, notFoundPage } from "./render.tsx";
import type { WebEnv } from "./session.ts";

export function starPages(deps: AppDeps): Hono<WebEnv> {
  const app = new Hono<WebEnv>();

  app.post("/star/:namespace/:name{.+}", async (c) => {
    const principal = c.get("principal");
    const ref = { namespace: c.req.param("namespace"), name: c.req.param("name") };
    if (principal.kind !== "user") return c.redirect(`/signin?${new URLSearchParams({ next: `/repository/${ref.namespace}/${ref.name}` })}`, 303);
    const star = (await c.req.parseBody()).star === "true";
    const repo = await (star ? starRepository : unstarRepository)(deps.db, principal, ref);
    if (!repo) return notFoundPage(deps, c);
    if (c.req.header("hx-request") === "true") {
      return fragment(c, <StarToggle repo={repo} starred={star} csrfToken={formToken(deps, c)} />);
    }
    return c.redirect(`/repository/${repo.namespace}/${repo.name}`, 303);
  });

  return app;
}

// The tag comparison page, `/repository-tagdiff/{namespace}/{name}?from=&to=` (a prefix of its
// own: names hold slashes). Readers of the repository see it; anyone else gets the 404 a missing
// repository gets. The comparison is the domain's (`tag-diff.ts`), the same the API answers.
import { Hono } from "hono";
import { type TagDiffForm, TagDiffPage } from "../../views/pages/tag-diff.tsx";
import type { AppDeps } from "../deps.ts";
import { roleOn } from "../domain/access/permissions.ts";
import { liveTag, tagNamesPage } from "../domain/content/tags.ts";
import { repoPath } from "../domain/names.ts";
import { findRepository } from "../domain/repositories/repositories.ts";
import { tagDiff } from "../domain/scanning/tag-diff.ts";
import { chrome, notFoundPage, page } from "./render.tsx";
import type { WebEnv } from "./session.ts";

/** Tag names offered while typing (a repository with more is typed by hand). */
const SUGGESTED_TAGS = 1000;

export function tagDiffPages(deps: AppDeps): Hono<WebEnv> {
  const app = new Hono<WebEnv>();

  app.get("/repository-tagdiff/:namespace/:name{.+}", async (c) => {
    const repo = await findRepository(deps.db, { namespace: c.req.param("namespace"), name: c.req.param("name") });
    if (!repo || repo.state === "MARKED_FOR_DELETION" || (await roleOn(deps.db, c.get("principal"), repo)) === null) return notFoundPage(deps, c);
    const form: TagDiffForm = { from: (c.req.query("from") ?? "").trim(), to: (c.req.query("to") ?? "").trim(), errors: {} };
    const asked = c.req.query("from") !== undefined || c.req.query("to") !== undefined;
    if (asked) {
      for (const field of ["from", "to"] as const) {
        const name = form[field];
        if (name === "") form.errors[field] = "Enter a tag";
        else if (!(await liveTag(deps.db, repo.id, name, deps.clock.now()))) form.errors[field] = `No tag named ${name}`;
      }
    }
    const compare = asked && !form.errors.from && !form.errors.to;
    const diff = compare ? await tagDiff(deps, repo, form.from, form.to) : null;
    const tagNames = await tagNamesPage(deps, repo.id, { limit: SUGGESTED_TAGS });
    return page(
      c,
      <TagDiffPage chrome={await chrome(deps, c)} path={repoPath(repo)} tagNames={tagNames} form={form} diff={diff} />,
      form.errors.from || form.errors.to ? 400 : 200,
    );
  });

  return app;
}

// The tag page (/repository-tag/{repo}?tag=) and the tag history's actions. Readers see the tag
// and its history; writers change it through the same domain functions as Quay's tag API, every
// destructive change asked first on a page of its own. 404 for anyone who may not read the
// repository, and for writes by anyone who may not write.
import { Hono } from "hono";
import { type TagForms, TagConfirmPage, TagPage } from "../../views/pages/tag.tsx";
import { TAG_HISTORY_ID, TagHistory, type TagHistoryData } from "../../views/partials/tag-history.tsx";
import { clientIp } from "../client-ip.ts";
import type { AppDeps } from "../deps.ts";
import { roleAtLeast, roleOn } from "../domain/access/permissions.ts";
import { tagExpirationSeconds } from "../domain/accounts/namespaces.ts";
import { changeTagExpiration, deleteTag, permanentlyDeleteTag, restoreTag, tagManifest } from "../domain/content/tag-changes.ts";
import { looksLikeDigest } from "../domain/content/digests.ts";
import { findManifest } from "../domain/content/manifests.ts";
import { countTagViews, inTimeMachine, listTagHistory, listTagViews, tagEndedAt } from "../domain/content/tags.ts";
import { DomainError } from "../domain/errors.ts";
import { repoPath } from "../domain/names.ts";
import { findRepository, type Repository } from "../domain/repositories/repositories.ts";
import { chrome, fragment, notFoundPage, page, wantsFragment } from "./render.tsx";
import type { WebContext, WebEnv } from "./session.ts";

const HISTORY_PAGE_SIZE = 20;

/** Notices after a change, by the `done` query the change redirects with. */
const NOTICES: Record<string, (tag: string) => string> = {
  added: (tag) => `Added tag ${tag}.`,
  moved: (tag) => `Moved ${tag}.`,
  expiration: (tag) => `Saved the expiration of ${tag}.`,
  deleted: (tag) => `Deleted ${tag}.`,
  restored: (tag) => `Restored ${tag}.`,
  purged: (tag) => `Permanently deleted that history of ${tag}.`,
};

/**
 * A page of the tag history for the Tag history tab (or one tag's, on its page): the rows with
 * what a writer may do to each, judged by the domain's time-machine rule.
 */
export async function loadTagHistory(
  deps: AppDeps,
  repo: Repository,
  pageNumber: number,
  options: { tag?: string; href?: (page: number) => string } = {},
): Promise<TagHistoryData> {
  const now = deps.clock.now();
  const path = repoPath(repo);
  const href = options.href ?? ((n: number) => `/repository/${path}?tab=history&page=${n}`);
  const windowSeconds = await tagExpirationSeconds(deps.db, repo.namespaceId);
  const total = await countTagViews(deps.db, repo.id, { onlyActive: false, name: options.tag }, now);
  const pageCount = Math.max(1, Math.ceil(total / HISTORY_PAGE_SIZE));
  const current = Math.min(Math.max(1, pageNumber), pageCount);
  const offset = (current - 1) * HISTORY_PAGE_SIZE;
  const entries = await listTagHistory(deps.db, repo.id, { name: options.tag, offset, limit: HISTORY_PAGE_SIZE }, now);
  const rows = entries.map((e) => {
    const end = tagEndedAt(e, now);
    const restorable = end !== null && inTimeMachine(e, now, windowSeconds);
    const elsewhere = e.liveDigest !== null && e.liveDigest !== e.manifestDigest;
    return {
      tag: e.name,
      digest: e.manifestDigest,
      start: e.lifetimeStart,
      end,
      endedBy: end === null ? null : e.movedAway ? ("moved" as const) : e.lifetimeEnd === null || end.getTime() === e.expiresAt?.getTime() ? ("expired" as const) : ("deleted" as const),
      reversion: e.reversion,
      restore: restorable && e.liveDigest === null,
      revert: restorable && elsewhere,
      permanentlyDelete: restorable && e.liveDigest !== e.manifestDigest,
    };
  });
  const pager =
    total > HISTORY_PAGE_SIZE
      ? {
          first: offset + 1,
          last: offset + rows.length,
          total,
          prevHref: current > 1 ? href(current - 1) : null,
          nextHref: current < pageCount ? href(current + 1) : null,
          target: TAG_HISTORY_ID,
        }
      : null;
  return { repoPath: path, rows, pager, now, windowSeconds };
}

export function tagPages(deps: AppDeps): Hono<WebEnv> {
  const app = new Hono<WebEnv>();
  const actor = (c: WebContext) => ({ principal: c.get("principal"), ip: clientIp(c, deps.config) });

  /** The repository in the path and whether the viewer may write to it; undefined when they may not read it. */
  async function viewed(c: WebContext): Promise<{ repo: Repository; canWrite: boolean } | undefined> {
    const repo = await findRepository(deps.db, { namespace: c.req.param("namespace")!, name: c.req.param("name")! });
    if (!repo || repo.state === "MARKED_FOR_DELETION") return undefined;
    const role = await roleOn(deps.db, c.get("principal"), repo);
    if (role === null) return undefined;
    return { repo, canWrite: Boolean(c.get("session")) && roleAtLeast(role, "write") && repo.state === "NORMAL" };
  }
  /** The repository for a change: writers only. */
  const written = async (c: WebContext) => {
    const found = await viewed(c);
    return found?.canWrite ? found.repo : undefined;
  };
  const tagOf = (c: WebContext) => c.req.query("tag") ?? "";
  const tagPath = (repo: Repository, tag: string, done?: string) =>
    `/repository-tag/${repoPath(repo)}?${new URLSearchParams(done ? { tag, done } : { tag })}`;

  async function liveFacts(repo: Repository, tag: string) {
    const [row] = await listTagViews(deps.db, repo.id, { onlyActive: true, name: tag, offset: 0, limit: 1 }, deps.clock.now());
    return row && { digest: row.manifestDigest, size: row.isIndex ? null : row.size, since: row.lifetimeStart, expiresAt: row.expiresAt };
  }

  async function tagPage(c: WebContext, repo: Repository, canWrite: boolean, extra: { forms?: TagForms; problem?: string } = {}) {
    const tag = tagOf(c);
    const pageNumber = Number(c.req.query("page") ?? "1") || 1;
    const history = await loadTagHistory(deps, repo, pageNumber, {
      tag,
      href: (n) => `/repository-tag/${repoPath(repo)}?${new URLSearchParams({ tag, page: String(n) })}`,
    });
    const viewer = { canWrite, csrfToken: c.get("session")?.csrfToken ?? null };
    if (wantsFragment(c, TAG_HISTORY_ID)) return fragment(c, <TagHistory {...history} {...viewer} />);
    const live = (await liveFacts(repo, tag)) ?? null;
    if (!live && history.rows.length === 0) return notFoundPage(deps, c);
    const done = c.req.query("done");
    return page(
      c,
      <TagPage
        chrome={await chrome(deps, c)}
        repoPath={repoPath(repo)}
        tag={tag}
        live={live}
        canWrite={canWrite}
        forms={extra.forms ?? {}}
        notice={done && NOTICES[done] ? NOTICES[done](tag) : undefined}
        problem={extra.problem}
        history={{ ...history, ...viewer }}
      />,
      extra.forms || extra.problem ? 400 : 200,
    );
  }

  /** Runs a change; a refusal of the domain's comes back as its message. */
  async function attempt(change: () => Promise<unknown>): Promise<string | undefined> {
    try {
      await change();
      return undefined;
    } catch (err) {
      if (err instanceof DomainError && ["NOT_FOUND", "INVALID_REQUEST", "TAG_INVALID", "CONFLICT"].includes(err.code)) return err.message;
      throw err;
    }
  }

  app.get("/repository-tag/:namespace/:name{.+}", async (c) => {
    const found = await viewed(c);
    if (!found || tagOf(c) === "") return notFoundPage(deps, c);
    c.header("Vary", "HX-Request, HX-Target");
    return tagPage(c, found.repo, found.canWrite);
  });

  app.post("/repository-tag-add/:namespace/:name{.+}", async (c) => {
    const repo = await written(c);
    if (!repo) return notFoundPage(deps, c);
    const tag = tagOf(c);
    const value = String((await c.req.parseBody()).new_tag ?? "").trim();
    const live = await liveFacts(repo, tag);
    if (!live) return notFoundPage(deps, c);
    // A name already on another manifest would move: that is asked first, as any move is.
    const existing = value === "" ? undefined : await liveFacts(repo, value);
    if (existing && existing.digest !== live.digest) {
      return c.redirect(`/repository-tag-move/${repoPath(repo)}?${new URLSearchParams({ tag: value, digest: live.digest })}`, 303);
    }
    const error = value === "" ? "Enter a tag name" : await attempt(() => tagManifest(deps, actor(c), repo, value, live.digest));
    if (error) return tagPage(c, repo, true, { forms: { newTag: { value, error } } });
    return c.redirect(tagPath(repo, value, "added"), 303);
  });

  /** The manifest a move asks for, checked before the question: one the repository serves, not the current one. */
  async function moveTarget(c: WebContext, repo: Repository): Promise<{ from: string; to: string } | { error: string } | undefined> {
    const live = await liveFacts(repo, tagOf(c));
    if (!live) return undefined;
    const to = (c.req.query("digest") ?? "").trim();
    if (to === "") return { error: "Enter a manifest digest" };
    if (to === live.digest) return { error: "The tag already points to this manifest" };
    if (!looksLikeDigest(to) || !(await findManifest(deps.db, repo.id, { digest: to }, deps.clock.now()))) return { error: "No manifest with this digest in the repository" };
    return { from: live.digest, to };
  }

  app.get("/repository-tag-move/:namespace/:name{.+}", async (c) => {
    const repo = await written(c);
    if (!repo) return notFoundPage(deps, c);
    const target = await moveTarget(c, repo);
    if (!target) return notFoundPage(deps, c);
    if ("error" in target) return tagPage(c, repo, true, { forms: { moveTo: { value: c.req.query("digest") ?? "", error: target.error } } });
    return page(c, <TagConfirmPage chrome={await chrome(deps, c)} repoPath={repoPath(repo)} tag={tagOf(c)} kind="move" {...target} />);
  });

  app.post("/repository-tag-move/:namespace/:name{.+}", async (c) => {
    const repo = await written(c);
    if (!repo) return notFoundPage(deps, c);
    const tag = tagOf(c);
    const error = await attempt(() => tagManifest(deps, actor(c), repo, tag, c.req.query("digest") ?? ""));
    if (error) return tagPage(c, repo, true, { forms: { moveTo: { value: c.req.query("digest") ?? "", error } } });
    return c.redirect(tagPath(repo, tag, "moved"), 303);
  });

  app.post("/repository-tag-expiration/:namespace/:name{.+}", async (c) => {
    const repo = await written(c);
    if (!repo) return notFoundPage(deps, c);
    const tag = tagOf(c);
    const value = String((await c.req.parseBody()).expires_at ?? "").trim();
    // The field's `YYYY-MM-DDTHH:MM[:SS]`, read as UTC as the label says.
    const requested = value === "" ? null : new Date(`${value}Z`);
    let error: string | undefined;
    if (requested && (Number.isNaN(requested.getTime()) || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value))) error = "Enter a date and time";
    else if (requested && requested <= deps.clock.now()) error = "Choose a time in the future";
    else error = await attempt(() => changeTagExpiration(deps, actor(c), repo, tag, requested));
    if (error) return tagPage(c, repo, true, { forms: { expiresAt: { value, error } } });
    return c.redirect(tagPath(repo, tag, "expiration"), 303);
  });

  /** GET asks (the confirmation page), POST does: delete, revert and permanent delete. */
  function confirmed(kind: "delete" | "revert" | "purge", done: string, change: (c: WebContext, repo: Repository, tag: string, digest: string) => Promise<unknown>) {
    app.get(`/repository-tag-${kind}/:namespace/:name{.+}`, async (c) => {
      const repo = await written(c);
      if (!repo) return notFoundPage(deps, c);
      const tag = tagOf(c);
      const digest = c.req.query("digest") ?? "";
      const live = await liveFacts(repo, tag);
      if (kind !== "purge" && !live) return notFoundPage(deps, c);
      const [from, to] = kind === "purge" ? [digest, undefined] : [live!.digest, kind === "revert" ? digest : undefined];
      return page(c, <TagConfirmPage chrome={await chrome(deps, c)} repoPath={repoPath(repo)} tag={tag} kind={kind} from={from} to={to} />);
    });
    app.post(`/repository-tag-${kind}/:namespace/:name{.+}`, async (c) => {
      const repo = await written(c);
      if (!repo) return notFoundPage(deps, c);
      const tag = tagOf(c);
      const problem = await attempt(() => change(c, repo, tag, c.req.query("digest") ?? ""));
      if (problem) return tagPage(c, repo, true, { problem });
      return c.redirect(tagPath(repo, tag, done), 303);
    });
  }
  confirmed("delete", "deleted", (c, repo, tag) => deleteTag(deps, actor(c), repo, tag));
  confirmed("revert", "restored", (c, repo, tag, digest) => restoreTag(deps, actor(c), repo, tag, digest));
  confirmed("purge", "purged", (c, repo, tag, digest) => permanentlyDeleteTag(deps, actor(c), repo, tag, { alive: false, manifestDigest: digest }));

  app.post("/repository-tag-restore/:namespace/:name{.+}", async (c) => {
    const repo = await written(c);
    if (!repo) return notFoundPage(deps, c);
    const tag = tagOf(c);
    const problem = await attempt(() => restoreTag(deps, actor(c), repo, tag, c.req.query("digest") ?? ""));
    if (problem) return tagPage(c, repo, true, { problem });
    return c.redirect(tagPath(repo, tag, "restored"), 303);
  });

  return app;
}

// One repository, as Quay shows it: a header (name, visibility, star) over tabs chosen by `?tab=`:
// Information (description, how to pull, storage used), Tags, Tag history, Usage logs and
// Settings, each shown only to those it is for.
import type { Child } from "hono/jsx";
import { humanSize } from "../format.ts";
import { type Chrome, Layout, Section } from "../layout.tsx";
import { Commands } from "../partials/empty-state.tsx";
import { FilterBox } from "../partials/filter-box.tsx";
import { Markdown } from "../partials/markdown.tsx";
import { StarToggle } from "../partials/star-toggle.tsx";
import { tagDiffHref } from "./tag-diff.tsx";
import { TAG_TABLE_ID, TAGS_TAB_ID, TagTable, type TagTableProps, tagsTabHref } from "../partials/tag-table.tsx";
import { Tabs } from "../partials/tabs.tsx";
import { VisibilityLabel } from "../partials/visibility-label.tsx";
import { Breadcrumb } from "../partials/breadcrumb.tsx";
import { MirrorBanner } from "./repository-mirror.tsx";

export type RepositoryTab = "info" | "tags" | "history" | "logs" | "settings";

const TAB_LABELS: Record<RepositoryTab, string> = {
  info: "Information",
  tags: "Tags",
  history: "Tag history",
  logs: "Usage logs",
  settings: "Settings",
};

export interface RepositoryFrameProps {
  chrome: Chrome;
  repo: { namespace: string; name: string; visibility: "public" | "private" };
  /** Whether the signed-in viewer starred it; null when signed out (no star button). */
  starred: boolean | null;
  tab: RepositoryTab;
  /** The tabs this viewer sees, in order. */
  tabs: RepositoryTab[];
  /** static/copy-text.js, for the copy buttons. */
  copyScript: string;
  /** A mirror repository's upstream (null: not configured yet); undefined: not a mirror. */
  mirrorOf?: string | null;
  children?: Child;
}

export const repositoryTabHref = (repo: { namespace: string; name: string }, tab: RepositoryTab) =>
  `/repository/${repo.namespace}/${repo.name}${tab === "info" ? "" : `?tab=${tab}`}`;

export function RepositoryFrame({ chrome, repo, starred, tab, tabs, copyScript, mirrorOf, children }: RepositoryFrameProps) {
  return (
    <Layout chrome={chrome} title={`${repo.namespace}/${repo.name} · ${TAB_LABELS[tab]}`}>
      <Section>
        <Breadcrumb trail={[{ href: "/repositories", label: "Repositories" }]} />
        <div class="qs-page-header">
          <h1 class="pf-v6-c-title pf-m-2xl">
            {repo.namespace}/{repo.name}
          </h1>
          <VisibilityLabel visibility={repo.visibility} />
          {starred !== null && chrome.csrfToken && <StarToggle repo={repo} starred={starred} csrfToken={chrome.csrfToken} />}
        </div>
        {mirrorOf !== undefined && <MirrorBanner source={mirrorOf} />}
        <Tabs label="Repository" tabs={tabs.map((t) => ({ label: TAB_LABELS[t], href: repositoryTabHref(repo, t), current: t === tab }))} />
        <div data-testid={`tab-${tab}`}>{children}</div>
        <div id="copy-status" class="pf-v6-screen-reader" aria-live="polite"></div>
      </Section>
      <script src={copyScript} defer></script>
    </Layout>
  );
}

export interface InfoTabProps {
  repo: { namespace: string; name: string; description: string };
  /** host[:port] registry clients use. */
  registryHost: string;
  /** The tag to pull (domain's pullTagName); null when there is none yet. */
  pullTag: string | null;
  /** Unique blob bytes its manifests hold. */
  storageBytes: number;
}

/** How to pull the image, or, while the repository is empty, how to push one into it. */
function GetStarted({ registryHost, repo, pullTag }: Pick<InfoTabProps, "registryHost" | "repo" | "pullTag">) {
  const imageRef = `${registryHost}/${repo.namespace}/${repo.name}`;
  if (pullTag !== null) {
    return (
      <>
        <h2 class="pf-v6-c-title pf-m-md qs-gap-above">Pull this image</h2>
        <div data-testid="pull-command">
          <Commands lines={[`podman pull ${imageRef}:${pullTag}`, `docker pull ${imageRef}:${pullTag}`]} />
        </div>
      </>
    );
  }
  return (
    <>
      <h2 class="pf-v6-c-title pf-m-md qs-gap-above">Push an image</h2>
      <p>This repository is empty. Sign in to the registry, tag a local image with this repository's name and push it:</p>
      <div data-testid="push-commands">
        <Commands lines={[`podman login ${registryHost}`, `podman tag <image> ${imageRef}:latest`, `podman push ${imageRef}:latest`]} />
      </div>
    </>
  );
}

export function InfoTab({ repo, registryHost, pullTag, storageBytes }: InfoTabProps) {
  return (
    <>
      <h2 class="pf-v6-c-title pf-m-md">Description</h2>
      {repo.description ? (
        <Markdown text={repo.description} testId="description" />
      ) : (
        <p class="qs-muted" data-testid="description">
          No description.
        </p>
      )}
      <GetStarted registryHost={registryHost} repo={repo} pullTag={pullTag} />
      <h2 class="pf-v6-c-title pf-m-md qs-gap-above">Storage used</h2>
      <p data-testid="storage-used">{humanSize(storageBytes)}</p>
    </>
  );
}

/**
 * The view toggle: compact rows, or rows with each tag's labels beneath; either starts from the
 * first page. htmx swaps only the table as the filter changes, so the toggle takes the filter
 * from the box when clicked rather than from the page as it was drawn.
 */
function ViewToggle({ tags }: { tags: TagTableProps }) {
  const views = [
    { view: "compact", label: "Compact" },
    { view: "expanded", label: "Expanded" },
  ] as const;
  return (
    <div class="pf-v6-c-toggle-group pf-m-compact" role="group" aria-label="Tag view">
      {views.map(({ view, label }) => {
        const href = tagsTabHref(tags.pageHref, { filter: tags.state.filter, view });
        const selected = tags.state.view === view;
        return (
          <div class="pf-v6-c-toggle-group__item">
            <a
              class={`pf-v6-c-toggle-group__button${selected ? " pf-m-selected" : ""}`}
              href={href}
              hx-get={tagsTabHref(tags.pageHref, { filter: "", view })}
              hx-include={`#${TAGS_TAB_ID} input[name="filter"]`}
              hx-target={`#${TAGS_TAB_ID}`}
              hx-swap="outerHTML"
              hx-push-url="true"
              aria-current={selected ? "true" : undefined}
              data-testid={`view-${view}`}
            >
              <span class="pf-v6-c-toggle-group__text">{label}</span>
            </a>
          </div>
        );
      })}
    </div>
  );
}

/** The Tags tab: filter and view toggle over the table (swapped whole when the view changes). */
export function TagsTab({ tags }: { tags: TagTableProps }) {
  const params: Record<string, string> = { tab: "tags" };
  if (tags.state.view === "expanded") params.view = "expanded";
  return (
    <div id={TAGS_TAB_ID}>
      <div class="pf-v6-c-toolbar">
        <div class="pf-v6-c-toolbar__content">
          <div class="pf-v6-c-toolbar__content-section">
            <FilterBox action={tags.pageHref} params={params} value={tags.state.filter} target={TAG_TABLE_ID} label="Filter tags" placeholder="Filter by tag name" />
            <div class="pf-v6-c-toolbar__item">
              <ViewToggle tags={tags} />
            </div>
            <div class="pf-v6-c-toolbar__item">
              <a class="pf-v6-c-button pf-m-link" href={tagDiffHref(tags.repoPath)} data-testid="compare-tags">
                <span class="pf-v6-c-button__text">Compare tags</span>
              </a>
            </div>
          </div>
        </div>
      </div>
      <TagTable {...tags} />
    </div>
  );
}

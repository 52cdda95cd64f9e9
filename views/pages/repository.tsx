// One repository: what it is, how to pull it, and its tags.
import { type Chrome, Layout, Section } from "../layout.tsx";
import { Commands } from "../partials/empty-state.tsx";
import { FilterBox } from "../partials/filter-box.tsx";
import { Markdown } from "../partials/markdown.tsx";
import { RepositoryAdmin, type SavedSetting } from "../partials/repository-admin.tsx";
import { StarToggle } from "../partials/star-toggle.tsx";
import { TAG_TABLE_ID, TagTable, type TagTableProps } from "../partials/tag-table.tsx";
import { VisibilityLabel } from "../partials/visibility-label.tsx";

export interface RepositoryPageProps {
  chrome: Chrome;
  repo: { namespace: string; name: string; description: string; visibility: "public" | "private" };
  /** host[:port] registry clients use. */
  registryHost: string;
  /** The tag to pull (domain's pullTagName); null when there is none yet. */
  pullTag: string | null;
  tags: TagTableProps;
  /** Whether the signed-in viewer starred it; null when signed out (no star button). */
  starred: boolean | null;
  /** Whether the viewer is its admin (shown all the Settings forms). */
  admin?: boolean;
  /** Whether the viewer may write to it (shown the description form). */
  writer?: boolean;
  /** The setting the admin just saved, acknowledged in the Settings card. */
  saved?: SavedSetting;
}

/** How to pull the image, or, while the repository is empty, how to push one into it. */
function GetStarted({ registryHost, repo, pullTag }: Pick<RepositoryPageProps, "registryHost" | "repo" | "pullTag">) {
  const imageRef = `${registryHost}/${repo.namespace}/${repo.name}`;
  if (pullTag !== null) {
    return (
      <>
        <h2 class="pf-v6-c-title pf-m-md qs-gap-above">Pull this image</h2>
        <div data-testid="pull-command">
          <Commands lines={[`podman pull ${imageRef}:${pullTag}`]} />
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

export function RepositoryPage({ chrome, repo, registryHost, pullTag, tags, starred, admin = false, writer = false, saved }: RepositoryPageProps) {
  return (
    <Layout chrome={chrome} title={`${repo.namespace}/${repo.name}`}>
      <Section>
        <nav class="pf-v6-c-breadcrumb qs-gap-below" aria-label="breadcrumb">
          <ol class="pf-v6-c-breadcrumb__list" role="list">
            <li class="pf-v6-c-breadcrumb__item">
              <a href="/repositories" class="pf-v6-c-breadcrumb__link">
                Repositories
              </a>
            </li>
          </ol>
        </nav>
        <div class="qs-page-header">
          <h1 class="pf-v6-c-title pf-m-2xl">
            {repo.namespace}/{repo.name}
          </h1>
          <VisibilityLabel visibility={repo.visibility} />
          {starred !== null && chrome.csrfToken && <StarToggle repo={repo} starred={starred} csrfToken={chrome.csrfToken} />}
        </div>
        {repo.description ? (
          <Markdown text={repo.description} testId="description" />
        ) : (
          <p class="qs-muted" data-testid="description">
            No description.
          </p>
        )}
        <GetStarted registryHost={registryHost} repo={repo} pullTag={pullTag} />
      </Section>
      <Section>
        <h2 class="pf-v6-c-title pf-m-xl">Tags</h2>
        <div class="pf-v6-c-toolbar">
          <div class="pf-v6-c-toolbar__content">
            <div class="pf-v6-c-toolbar__content-section">
              <FilterBox action={tags.pageHref} value={tags.filter} target={TAG_TABLE_ID} label="Filter tags" placeholder="Filter by tag name" />
            </div>
          </div>
        </div>
        <TagTable {...tags} />
      </Section>
      {(admin || writer) && chrome.csrfToken && (
        <Section>
          <RepositoryAdmin repo={repo} csrfToken={chrome.csrfToken} saved={saved} admin={admin} />
        </Section>
      )}
    </Layout>
  );
}

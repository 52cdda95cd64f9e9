// One repository: what it is, how to pull it, and its tags.
import { type Chrome, Layout, Section } from "../layout.tsx";
import { Commands } from "../partials/empty-state.tsx";
import { FilterBox } from "../partials/filter-box.tsx";
import { TAG_TABLE_ID, TagTable, type TagTableProps } from "../partials/tag-table.tsx";
import { VisibilityLabel } from "../partials/visibility-label.tsx";

export interface RepositoryPageProps {
  chrome: Chrome;
  repo: { namespace: string; name: string; description: string; visibility: "public" | "private" };
  pullCommand: string;
  tags: TagTableProps;
}

export function RepositoryPage({ chrome, repo, pullCommand, tags }: RepositoryPageProps) {
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
        </div>
        <p class={repo.description ? "" : "qs-muted"} data-testid="description">
          {repo.description || "No description."}
        </p>
        <h2 class="pf-v6-c-title pf-m-md qs-gap-above">Pull this image</h2>
        <div data-testid="pull-command">
          <Commands lines={[pullCommand]} />
        </div>
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
    </Layout>
  );
}

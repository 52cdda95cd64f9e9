// The repository list: what the viewer can see, with a filter box and paging.
import { type Chrome, Layout, Section } from "../layout.tsx";
import { FilterToolbar } from "../partials/filter-box.tsx";
import { REPO_TABLE_ID, RepoTable, type RepoTableProps } from "../partials/repo-table.tsx";

/** `organizations`: the ones the signed-in viewer is in, linked above the list. */
export function RepositoriesPage({ chrome, table, organizations = [] }: { chrome: Chrome; table: RepoTableProps; organizations?: string[] }) {
  return (
    <Layout chrome={chrome} title="Repositories">
      <Section>
        <div class="qs-page-header">
          <h1 class="pf-v6-c-title pf-m-2xl">Repositories</h1>
          {chrome.user && (
            <a class="pf-v6-c-button pf-m-primary" href="/repositories/new" data-testid="create-repository">
              <span class="pf-v6-c-button__text">Create repository</span>
            </a>
          )}
          {chrome.user && (
            <a class="pf-v6-c-button pf-m-secondary" href="/organizations/new" data-testid="create-organization">
              <span class="pf-v6-c-button__text">Create organization</span>
            </a>
          )}
        </div>
        {organizations.length > 0 && (
          <nav class="qs-gap-below" aria-label="Your organizations" data-testid="your-organizations">
            Your organizations:{" "}
            {organizations.map((name, i) => (
              <>
                {i > 0 && ", "}
                <a href={`/organization/${name}`}>{name}</a>
              </>
            ))}
          </nav>
        )}
        {/* With no rows, the empty state below carries the one "Sign in" call to action. */}
        {!chrome.user && table.rows.length > 0 && (
          <p class="qs-muted qs-gap-below">
            Showing public repositories. <a href="/signin">Sign in</a> to see yours.
          </p>
        )}
        <FilterToolbar action="/repositories" value={table.filter} target={REPO_TABLE_ID} label="Filter repositories" placeholder="Filter by name" />
        <RepoTable {...table} />
      </Section>
    </Layout>
  );
}

// Explore: every public repository, with the filter box and paging of the other lists.
import { type Chrome, Layout, Section } from "../layout.tsx";
import { EmptyState, NoMatches } from "../partials/empty-state.tsx";
import { FilterToolbar } from "../partials/filter-box.tsx";
import { REPO_TABLE_ID, RepoTable, type RepoTableProps } from "../partials/repo-table.tsx";

export function ExploreEmpty({ filter }: { filter: string }) {
  if (filter) {
    return (
      <NoMatches title="No public repositories match" clearHref="/explore">
        No public repository has “{filter}” in its name.
      </NoMatches>
    );
  }
  return <EmptyState title="No public repositories yet">When someone makes a repository public, it is listed here.</EmptyState>;
}

export function ExplorePage({ chrome, table }: { chrome: Chrome; table: RepoTableProps }) {
  return (
    <Layout chrome={chrome} title="Explore">
      <Section>
        <h1 class="pf-v6-c-title pf-m-2xl">Explore</h1>
        <p class="qs-muted qs-gap-below">Public repositories on this registry, which anyone may pull.</p>
        <FilterToolbar action="/explore" value={table.filter} target={REPO_TABLE_ID} label="Filter public repositories" placeholder="Filter by name" />
        <RepoTable {...table} />
      </Section>
    </Layout>
  );
}

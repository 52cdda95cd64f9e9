// The search results page (`/search?q=`): the repositories found, paged, and the users and
// organizations whose names start with the text.
import { type Chrome, Layout, Section } from "../layout.tsx";
import { NoMatches } from "../partials/empty-state.tsx";
import { RepoTable, type RepoTableProps } from "../partials/repo-table.tsx";
import { namespaceHref, type NamespaceItem } from "../partials/search-box.tsx";

export interface SearchPageProps {
  chrome: Chrome;
  query: string;
  table: RepoTableProps;
  namespaces: NamespaceItem[];
}

/** The search form of the landing and results pages: a labelled box and its button. */
export function SearchForm({ value, label }: { value: string; label: string }) {
  return (
    <form class="qs-landing-search" method="get" action="/search" role="search">
      <input class="pf-v6-c-form-control" type="search" name="q" value={value} aria-label={label} placeholder="Repository, user or organization" />
      <button class="pf-v6-c-button pf-m-primary" type="submit">
        <span class="pf-v6-c-button__text">Search</span>
      </button>
    </form>
  );
}

function NothingFound({ query }: { query: string }) {
  return (
    <NoMatches title={query ? "No repositories match" : "Search for repositories"} clearHref="/explore" clearLabel="Explore public repositories">
      {query ? `Nothing you can see has “${query}” in its name or description.` : "Type part of a repository's name or description."}
    </NoMatches>
  );
}

export function SearchPage({ chrome, query, table, namespaces }: SearchPageProps) {
  return (
    <Layout chrome={chrome} title={query ? `Search: ${query}` : "Search"}>
      <Section>
        <h1 class="pf-v6-c-title pf-m-2xl">{query ? `Results for “${query}”` : "Search"}</h1>
        <SearchForm value={query} label="Search repositories, users and organizations" />
        {namespaces.length > 0 && (
          <nav class="qs-gap-below" aria-label="Users and organizations found" data-testid="found-namespaces">
            Users and organizations:{" "}
            {namespaces.map((ns, i) => (
              <>
                {i > 0 && ", "}
                <a href={namespaceHref(ns)}>{ns.name}</a> <span class="qs-muted">({ns.kind === "org" ? "organization" : "user"})</span>
              </>
            ))}
          </nav>
        )}
        <h2 class="pf-v6-c-title pf-m-xl qs-gap-below">Repositories</h2>
        <RepoTable {...table} empty={<NothingFound query={query} />} />
      </Section>
    </Layout>
  );
}

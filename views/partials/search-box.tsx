// The masthead's search box and the suggestions it shows as one types. Without JavaScript it is
// a GET form to /search; with htmx, typing fetches the suggestions partial from the same URL
// (debounced) into the box below it, which shows only while focus is within the form (app.css).

export const SUGGESTIONS_ID = "search-suggestions";

export function SearchBox({ value = "" }: { value?: string }) {
  return (
    <form class="qs-search" method="get" action="/search" role="search">
      <div class="pf-v6-c-text-input-group">
        <div class="pf-v6-c-text-input-group__main">
          <span class="pf-v6-c-text-input-group__text">
            <input
              class="pf-v6-c-text-input-group__text-input"
              type="search"
              name="q"
              value={value}
              placeholder="Search"
              aria-label="Search repositories, users and organizations"
              aria-controls={SUGGESTIONS_ID}
              autocomplete="off"
              data-testid="header-search"
              hx-get="/search"
              hx-trigger="input changed delay:250ms, search"
              hx-target={`#${SUGGESTIONS_ID}`}
              hx-swap="innerHTML"
              hx-sync="this:replace"
            />
          </span>
        </div>
      </div>
      <div id={SUGGESTIONS_ID} class="qs-search-suggestions"></div>
    </form>
  );
}

/** A user or organization found. */
export interface NamespaceItem {
  name: string;
  kind: "user" | "org";
}

export interface SuggestionsProps {
  query: string;
  repositories: { namespace: string; name: string }[];
  namespaces: NamespaceItem[];
}

/** Where a namespace's page is: an organization's or a user's. */
export const namespaceHref = (ns: NamespaceItem) =>
  `/${ns.kind === "org" ? "organization" : "user"}/${ns.name}`;

/** The suggestions partial: empty for an empty query (the box then hides). */
export function SearchSuggestions({ query, repositories, namespaces }: SuggestionsProps) {
  if (!query) return <></>;
  const allHref = `/search?${new URLSearchParams({ q: query })}`;
  return (
    <div class="pf-v6-c-menu" data-testid={SUGGESTIONS_ID}>
      <div class="pf-v6-c-menu__content">
        {repositories.length === 0 && namespaces.length === 0 && (
          <p class="qs-search-none">No repositories, users or organizations match “{query}”.</p>
        )}
        {repositories.length > 0 && (
          <section class="pf-v6-c-menu__group">
            <p class="pf-v6-c-menu__group-title" id="suggested-repositories">
              Repositories
            </p>
            <ul class="pf-v6-c-menu__list" aria-labelledby="suggested-repositories">
              {repositories.map((repo) => (
                <SuggestionItem href={`/repository/${repo.namespace}/${repo.name}`} text={`${repo.namespace}/${repo.name}`} />
              ))}
            </ul>
          </section>
        )}
        {namespaces.length > 0 && (
          <section class="pf-v6-c-menu__group">
            <p class="pf-v6-c-menu__group-title" id="suggested-namespaces">
              Users and organizations
            </p>
            <ul class="pf-v6-c-menu__list" aria-labelledby="suggested-namespaces">
              {namespaces.map((ns) => (
                <SuggestionItem href={namespaceHref(ns)} text={ns.name} note={ns.kind === "org" ? "organization" : "user"} />
              ))}
            </ul>
          </section>
        )}
        <ul class="pf-v6-c-menu__list">
          <SuggestionItem href={allHref} text={`All results for “${query}”`} />
        </ul>
      </div>
    </div>
  );
}

function SuggestionItem({ href, text, note }: { href: string; text: string; note?: string }) {
  return (
    <li class="pf-v6-c-menu__list-item">
      <a class="pf-v6-c-menu__item" href={href} data-testid="search-suggestion">
        <span class="pf-v6-c-menu__item-main">
          <span class="pf-v6-c-menu__item-text">{text}</span>
        </span>
        {note && <span class="pf-v6-c-menu__item-description">{note}</span>}
      </a>
    </li>
  );
}

// Previous/next paging under a table, with the range shown and the total ("26 - 35 of 40") at
// every width. Plain links that work without JavaScript; with htmx they swap only the table and
// update the address bar. Each control keeps its id across pages, so htmx puts keyboard focus back
// on it after the swap; an unavailable one stays focusable (aria-disabled) for the same reason.
import type { Child } from "hono/jsx";

export interface PagerProps {
  /** 1-based position of the first and last row shown. */
  first: number;
  last: number;
  /** Rows in the whole (filtered) list. */
  total: number;
  prevHref: string | null;
  nextHref: string | null;
  /** id of the element the links replace when htmx is present. */
  target: string;
}

function PageLink({ href, label, target, direction }: { href: string | null; label: string; target: string; direction: "prev" | "next" }) {
  const path =
    direction === "prev"
      ? "m6.41 10 7.29-7.29.02-.02c.38-.4.37-1.03-.02-1.41-.4-.38-1.03-.37-1.41.02L4.64 8.95a1.49 1.49 0 0 0 0 2.12l7.65 7.65c.19.19.44.29.71.29.27 0 .52-.11.71-.29a.996.996 0 0 0 0-1.41l-7.29-7.29Z"
      : "M14.35 8.94 6.71 1.29l-.02-.02c-.4-.38-1.03-.37-1.41.02-.38.4-.37 1.03.02 1.41l7.29 7.29-7.29 7.29a1.003 1.003 0 0 0 1.42 1.42l7.65-7.65c.59-.59.59-1.54 0-2.12Z";
  const icon = (
    <span class="pf-v6-c-button__icon">
      <svg class="pf-v6-svg" fill="currentColor" viewBox="0 0 20 20" aria-hidden="true" role="img" width="1em" height="1em">
        <path d={path} />
      </svg>
    </span>
  );
  const id = `${target}-${direction}`;
  return (
    <div class={`pf-v6-c-pagination__nav-control pf-m-${direction}`}>
      {href ? (
        <a
          id={id}
          class="pf-v6-c-button pf-m-plain"
          href={href}
          aria-label={label}
          rel={direction}
          hx-get={href}
          hx-target={`#${target}`}
          hx-swap="outerHTML"
          hx-push-url="true"
        >
          {icon}
        </a>
      ) : (
        <button id={id} class="pf-v6-c-button pf-m-plain pf-m-aria-disabled" type="button" aria-disabled="true" aria-label={label}>
          {icon}
        </button>
      )}
    </div>
  );
}

export function Pager(props: PagerProps) {
  return (
    <CursorPager
      {...props}
      summary={
        <>
          <b>
            {props.first} - {props.last}
          </b>{" "}
          of <b>{props.total}</b>
        </>
      }
    />
  );
}

/**
 * The same controls for a list paged by position rather than number (keyset paging), where the
 * range is not known: `summary` says what is shown instead.
 */
export interface CursorPagerProps {
  summary: Child;
  prevHref: string | null;
  nextHref: string | null;
  target: string;
  /** What the first link does, when it is not "previous page" (a list that pages forward only goes back to its start). */
  prevLabel?: string;
}

export function CursorPager(props: CursorPagerProps) {
  return (
    <div class="pf-v6-c-pagination pf-m-bottom qs-table-footer">
      {/* Not PatternFly's __total-items, which it hides from 768 px up in favour of a per-page menu. */}
      <div data-testid="pager-range">{props.summary}</div>
      <nav class="pf-v6-c-pagination__nav" aria-label="Pagination">
        <PageLink href={props.prevHref} label={props.prevLabel ?? "Go to previous page"} target={props.target} direction="prev" />
        <PageLink href={props.nextHref} label="Go to next page" target={props.target} direction="next" />
      </nav>
    </div>
  );
}

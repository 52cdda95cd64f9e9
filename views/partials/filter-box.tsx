// A filter input over a table. Without JavaScript it is a GET form; with htmx it fetches the
// table partial whenever the text changes (typing, pasting, autofill) and swaps it in, keeping
// the address bar in step.
import type { Child } from "hono/jsx";

export interface FilterBoxProps {
  /** The page URL the filter applies to (the same URL serves the partial to htmx). */
  action: string;
  value: string;
  /** id of the table container htmx replaces. */
  target: string;
  label: string;
  placeholder: string;
  /** Other query parameters the list keeps (a tab, a view), sent with the filter. */
  params?: Record<string, string>;
}

/** A toolbar holding the filter box and, after it, any other `items` (PatternFly toolbar items). */
export function FilterToolbar({ items, ...props }: FilterBoxProps & { items?: Child }) {
  return (
    <div class="pf-v6-c-toolbar">
      <div class="pf-v6-c-toolbar__content">
        <div class="pf-v6-c-toolbar__content-section">
          <FilterBox {...props} />
          {items}
        </div>
      </div>
    </div>
  );
}

export function FilterBox(props: FilterBoxProps) {
  const params = Object.entries(props.params ?? {});
  // A GET form replaces the action's query with its fields, so kept parameters travel as fields.
  const url = params.length > 0 ? `${props.action}?${new URLSearchParams(params)}` : props.action;
  return (
    <form method="get" action={props.action} role="search" class="pf-v6-c-toolbar__item qs-filter">
      {params.map(([name, value]) => (
        <input type="hidden" name={name} value={value} />
      ))}
      <FilterInput
        value={props.value}
        placeholder={props.placeholder}
        label={props.label}
        htmx={{ "hx-get": url, "hx-trigger": "input changed delay:300ms, search", "hx-target": `#${props.target}`, "hx-swap": "outerHTML", "hx-push-url": "true" }}
      />
    </form>
  );
}

/** The search field itself (`filter=`), for a form of one's own; `htmx` attributes go on the input. */
export function FilterInput(props: { value: string; placeholder: string; label: string; htmx?: Record<string, string> }) {
  return (
    <div class="pf-v6-c-text-input-group">
      <div class="pf-v6-c-text-input-group__main">
        <span class="pf-v6-c-text-input-group__text">
          <input
            class="pf-v6-c-text-input-group__text-input"
            type="search"
            name="filter"
            value={props.value}
            placeholder={props.placeholder}
            aria-label={props.label}
            autocomplete="off"
            {...props.htmx}
          />
        </span>
      </div>
    </div>
  );
}

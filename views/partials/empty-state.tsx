// PatternFly's empty state: what is missing and what to do next.
import type { Child } from "hono/jsx";

function CubesIcon() {
  return (
    <svg class="pf-v6-svg" fill="currentColor" viewBox="0 0 512 512" aria-hidden="true" role="img" width="1em" height="1em">
      <path d="M488.6 250.2L392 214V105.5c0-15-9.3-28.4-23.4-33.7l-100-37.5c-8.1-3.1-17.1-3.1-25.3 0l-100 37.5c-14.1 5.3-23.4 18.7-23.4 33.7V214l-96.6 36.2C9.3 255.5 0 268.9 0 283.9V394c0 13.6 7.7 26.1 19.9 32.2l100 50c10.1 5.1 22.1 5.1 32.2 0l103.9-52 103.9 52c10.1 5.1 22.1 5.1 32.2 0l100-50c12.2-6.1 19.9-18.6 19.9-32.2V283.9c0-15-9.3-28.4-23.4-33.7zM358 214.8l-85 31.9v-68.2l85-37v73.3zM154 104.1l102-38.2 102 38.2v.6l-102 41.4-102-41.4v-.6zm84 291.1l-85 42.5v-79.1l85-38.8v75.4zm0-112l-102 41.4-102-41.4v-.6l102-38.2 102 38.2v.6zm240 112l-85 42.5v-79.1l85-38.8v75.4zm0-112l-102 41.4-102-41.4v-.6l102-38.2 102 38.2v.6z" />
    </svg>
  );
}

export interface EmptyStateProps {
  title: string;
  /** h1 when the empty state is the whole page (a problem page), else h2 under the page's h1. */
  headingLevel?: 1 | 2;
  children?: Child;
  actions?: Child;
}

export function EmptyState({ title, headingLevel = 2, children, actions }: EmptyStateProps) {
  const Heading = headingLevel === 1 ? "h1" : "h2";
  return (
    <div class="pf-v6-c-empty-state" data-testid="empty-state">
      <div class="pf-v6-c-empty-state__content">
        <div class="pf-v6-c-empty-state__header">
          <div class="pf-v6-c-empty-state__icon">
            <CubesIcon />
          </div>
          <div class="pf-v6-c-empty-state__title">
            <Heading class="pf-v6-c-empty-state__title-text">{title}</Heading>
          </div>
        </div>
        {children && <div class="pf-v6-c-empty-state__body">{children}</div>}
        {actions && (
          <div class="pf-v6-c-empty-state__footer">
            <div class="pf-v6-c-empty-state__actions">{actions}</div>
          </div>
        )}
      </div>
    </div>
  );
}

/** Shell commands shown as copyable lines. */
export function Commands({ lines }: { lines: string[] }) {
  return (
    <div class="qs-commands">
      {lines.map((line) => (
        <code class="qs-command">{line}</code>
      ))}
    </div>
  );
}

/** A list left empty by what was typed, with the way back to the whole list. */
export function NoMatches({ title, clearHref, clearLabel = "Clear filter", children }: { title: string; clearHref: string; clearLabel?: string; children?: Child }) {
  return (
    <EmptyState
      title={title}
      actions={
        <a class="pf-v6-c-button pf-m-link" href={clearHref}>
          <span class="pf-v6-c-button__text">{clearLabel}</span>
        </a>
      }
    >
      {children}
    </EmptyState>
  );
}

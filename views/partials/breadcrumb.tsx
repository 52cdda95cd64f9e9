// The trail of links above a page's title (PatternFly breadcrumb), from the widest page down.
import type { Child } from "hono/jsx";

export interface Crumb {
  href: string;
  label: Child;
}

export function Breadcrumb({ trail }: { trail: Crumb[] }) {
  return (
    <nav class="pf-v6-c-breadcrumb qs-gap-below" aria-label="breadcrumb">
      <ol class="pf-v6-c-breadcrumb__list" role="list">
        {trail.map((crumb) => (
          <li class="pf-v6-c-breadcrumb__item">
            <a href={crumb.href} class="pf-v6-c-breadcrumb__link">
              {crumb.label}
            </a>
          </li>
        ))}
      </ol>
    </nav>
  );
}

// A titled card holding one part of a page (a form, a danger zone), labelled by its heading.
import type { Child } from "hono/jsx";

export function SectionCard({ id, title, children }: { id: string; title: string; children?: Child }) {
  return (
    <div class="pf-v6-c-card qs-gap-below" aria-labelledby={`${id}-title`} role="region" data-testid={id}>
      <div class="pf-v6-c-card__title">
        <h2 class="pf-v6-c-title pf-m-lg" id={`${id}-title`}>
          {title}
        </h2>
      </div>
      <div class="pf-v6-c-card__body">{children}</div>
    </div>
  );
}

// One term and its value in PatternFly's description list (`<dl class="pf-v6-c-description-list">`).
import type { Child } from "hono/jsx";

export function DescriptionItem({ term, children, testid }: { term: string; children?: Child; testid?: string }) {
  return (
    <div class="pf-v6-c-description-list__group" data-testid={testid}>
      <dt class="pf-v6-c-description-list__term">
        <span class="pf-v6-c-description-list__text">{term}</span>
      </dt>
      <dd class="pf-v6-c-description-list__description">
        <div class="pf-v6-c-description-list__text">{children}</div>
      </dd>
    </div>
  );
}

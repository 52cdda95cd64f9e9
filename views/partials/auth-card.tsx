// The centred card that holds the sign-in, sign-up and first-run forms.
import type { Child } from "hono/jsx";

export function AuthCard({ title, intro, footer, children }: { title: string; intro?: Child; footer?: Child; children?: Child }) {
  return (
    <div class="qs-narrow">
      <div class="pf-v6-c-card">
        <div class="pf-v6-c-card__title">
          <h1 class="pf-v6-c-card__title-text pf-v6-c-title pf-m-2xl">{title}</h1>
        </div>
        <div class="pf-v6-c-card__body">
          {intro && <p class="qs-gap-below">{intro}</p>}
          {children}
        </div>
        {footer && <div class="pf-v6-c-card__footer">{footer}</div>}
      </div>
    </div>
  );
}

// The card that asks before a destructive action: what happens, then a form whose submit button
// does it and a Cancel link. Fields (say, a name to type) go inside the form; without any, the
// button takes the focus.
import type { Child } from "hono/jsx";
import { CsrfField } from "./form-field.tsx";

export interface ConfirmCardProps {
  title: string;
  /** What the action does, read out with the dialog. */
  text: Child;
  action: string;
  submit: string;
  cancelHref: string;
  csrfToken: string | null;
  /** h1 when the card is the page's main content, else h2 under the page's h1. */
  headingLevel?: 1 | 2;
  fields?: Child;
}

export function ConfirmCard({ title, text, action, submit, cancelHref, csrfToken, headingLevel = 1, fields }: ConfirmCardProps) {
  const Heading = headingLevel === 1 ? "h1" : "h2";
  return (
    <div class="pf-v6-c-card qs-narrow" role="alertdialog" aria-labelledby="confirm-title" aria-describedby="confirm-text">
      <div class="pf-v6-c-card__title">
        <Heading class="pf-v6-c-title pf-m-xl" id="confirm-title">
          {title}
        </Heading>
      </div>
      <div class="pf-v6-c-card__body">
        <p id="confirm-text">{text}</p>
        <form class="pf-v6-c-form qs-gap-above" method="post" action={action} novalidate>
          {csrfToken && <CsrfField token={csrfToken} />}
          {fields}
          <div class="qs-page-header">
            <button class="pf-v6-c-button pf-m-danger" type="submit" autofocus={!fields} data-testid="confirm">
              <span class="pf-v6-c-button__text">{submit}</span>
            </button>
            <a class="pf-v6-c-button pf-m-link" href={cancelHref}>
              <span class="pf-v6-c-button__text">Cancel</span>
            </a>
          </div>
        </form>
      </div>
    </div>
  );
}

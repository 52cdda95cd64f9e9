// The star button of a repository page: a form that stars or unstars (htmx swaps the button in
// place; without JavaScript the form posts and the page comes back).
import { CsrfField } from "./form-field.tsx";

export interface StarToggleProps {
  repo: { namespace: string; name: string };
  starred: boolean;
  csrfToken: string;
}

export const starPath = (repo: { namespace: string; name: string }) => `/star/${repo.namespace}/${repo.name}`;

export function StarToggle({ repo, starred, csrfToken }: StarToggleProps) {
  return (
    <form method="post" action={starPath(repo)} hx-post={starPath(repo)} hx-swap="outerHTML" data-testid="star-toggle">
      <CsrfField token={csrfToken} />
      <input type="hidden" name="star" value={starred ? "false" : "true"} />
      <button class={`pf-v6-c-button ${starred ? "pf-m-primary" : "pf-m-secondary"}`} type="submit" aria-pressed={starred ? "true" : "false"}>
        <span class="pf-v6-c-button__text">{starred ? "★ Starred" : "☆ Star"}</span>
      </button>
    </form>
  );
}

// The OAuth scopes to pick from, as checkboxes (name `scope`), with the refusal under them: the
// "Generate token" page and an application's "Assign a token" form.
import { FormError } from "./form-field.tsx";

export interface ScopeChecklistProps {
  /** Scopes offered, with what each allows. */
  scopes: { name: string; title: string }[];
  chosen: string[];
  legend: string;
  error?: string;
}

export function ScopeChecklist({ scopes, chosen, legend, error }: ScopeChecklistProps) {
  return (
    <fieldset class="pf-v6-c-form__fieldset" aria-describedby={error ? "scopes-error" : undefined}>
      <legend class="pf-v6-c-form__label">
        <span class="pf-v6-c-form__label-text">{legend}</span>
      </legend>
      {scopes.map((s) => (
        <div class="pf-v6-c-check">
          <input
            class="pf-v6-c-check__input"
            type="checkbox"
            id={`scope-${s.name}`}
            name="scope"
            value={s.name}
            checked={chosen.includes(s.name)}
            aria-invalid={error ? "true" : undefined}
          />
          <label class="pf-v6-c-check__label" for={`scope-${s.name}`}>
            {s.title} <code>{s.name}</code>
          </label>
        </div>
      ))}
      {error && (
        <div id="scopes-error">
          <FormError message={error} />
        </div>
      )}
    </fieldset>
  );
}

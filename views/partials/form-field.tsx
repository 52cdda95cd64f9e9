// Form pieces: a labelled input whose error sits right under it, and the hidden CSRF field.
import type { Child } from "hono/jsx";

/** PatternFly's exclamation-circle, which marks errors (the text stays in the regular colour). */
function ErrorIcon() {
  return (
    <svg class="pf-v6-svg" fill="currentColor" viewBox="0 0 512 512" aria-hidden="true" role="img" width="1em" height="1em">
      <path d="M504 256c0 136.997-111.043 248-248 248S8 392.997 8 256C8 119.083 119.043 8 256 8s248 111.083 248 248zm-248 50c-25.405 0-46 20.595-46 46s20.595 46 46 46 46-20.595 46-46-20.595-46-46-46zm-43.673-165.346l7.418 136c.347 6.364 5.609 11.346 11.982 11.346h48.546c6.373 0 11.635-4.982 11.982-11.346l7.418-136c.375-6.874-5.098-12.654-11.982-12.654h-63.383c-6.884 0-12.356 5.78-11.981 12.654z" />
    </svg>
  );
}

/** The icon before an error message under a field or form. */
function HelperErrorIcon() {
  return (
    <span class="pf-v6-c-helper-text__item-icon">
      <ErrorIcon />
    </span>
  );
}

/** The field to focus: the first one in error, else the first one (the page's only autofocus). */
export function focusedField(fields: readonly string[], errors: Record<string, string>): string {
  return fields.find((name) => errors[name]) ?? fields[0]!;
}

export function CsrfField({ token }: { token: string }) {
  return <input type="hidden" name="_csrf" value={token} />;
}

export interface TextFieldProps {
  name: string;
  label: string;
  type?: "text" | "password" | "email" | "datetime-local";
  value?: string;
  error?: string;
  hint?: string;
  required?: boolean;
  autocomplete?: string;
  autofocus?: boolean;
  /** The id of a `<datalist>` of suggestions. */
  list?: string;
}

/** The hint or error under a field, which its control names in `aria-describedby` (`<id>-helper`). */
export function FieldMessage({ id, hint, error }: { id: string; hint?: string; error?: string }) {
  const message = error ?? hint;
  if (!message) return null;
  return (
    <div class="pf-v6-c-form__helper-text" aria-live="polite">
      <div class="pf-v6-c-helper-text">
        <div class={`pf-v6-c-helper-text__item${error ? " pf-m-error" : ""}`} id={`${id}-helper`}>
          {error && <HelperErrorIcon />}
          <span class="pf-v6-c-helper-text__item-text">{message}</span>
        </div>
      </div>
    </div>
  );
}

export function TextField(props: TextFieldProps) {
  const id = `field-${props.name}`;
  const message = props.error ?? props.hint;
  return (
    <div class="pf-v6-c-form__group">
      <div class="pf-v6-c-form__group-label">
        <label class="pf-v6-c-form__label" for={id}>
          <span class="pf-v6-c-form__label-text">{props.label}</span>
          {props.required && (
            <span class="pf-v6-c-form__label-required" aria-hidden="true">
              {" *"}
            </span>
          )}
        </label>
      </div>
      <div class="pf-v6-c-form__group-control">
        <span class={`pf-v6-c-form-control${props.required ? " pf-m-required" : ""}${props.error ? " pf-m-error" : ""}`}>
          <input
            id={id}
            name={props.name}
            type={props.type ?? "text"}
            value={props.type === "password" ? undefined : props.value}
            required={props.required}
            autocomplete={props.autocomplete}
            autofocus={props.autofocus}
            list={props.list}
            aria-invalid={props.error ? "true" : undefined}
            aria-describedby={message ? `${id}-helper` : undefined}
          />
          {props.error && (
            <span class="pf-v6-c-form-control__utilities">
              <span class="pf-v6-c-form-control__icon pf-m-status">
                <ErrorIcon />
              </span>
            </span>
          )}
        </span>
        <FieldMessage id={id} hint={props.hint} error={props.error} />
      </div>
    </div>
  );
}

export function SubmitButton({ label }: { label: string }) {
  return (
    <div class="pf-v6-c-form__group pf-m-action">
      <div class="pf-v6-c-form__actions">
        <button class="pf-v6-c-button pf-m-primary pf-m-block" type="submit">
          <span class="pf-v6-c-button__text">{label}</span>
        </button>
      </div>
    </div>
  );
}

/** A problem that belongs to no single field (e.g. someone else finished setup first). */
export function FormError({ message }: { message: string }) {
  return (
    <div class="pf-v6-c-form__helper-text" aria-live="polite">
      <div class="pf-v6-c-helper-text">
        <div class="pf-v6-c-helper-text__item pf-m-error" role="alert">
          <HelperErrorIcon />
          <span class="pf-v6-c-helper-text__item-text">{message}</span>
        </div>
      </div>
    </div>
  );
}

/** A form's row of buttons: its submit button (primary unless said otherwise) and, optionally, a Cancel link. */
export function FormActions({ submit, style = "primary", cancelHref }: { submit: string; style?: "primary" | "secondary" | "danger"; cancelHref?: string }) {
  return (
    <div class="pf-v6-c-form__group pf-m-action">
      <div class="pf-v6-c-form__actions">
        <button class={`pf-v6-c-button pf-m-${style}`} type="submit">
          <span class="pf-v6-c-button__text">{submit}</span>
        </button>
        {cancelHref && (
          <a class="pf-v6-c-button pf-m-link" href={cancelHref}>
            <span class="pf-v6-c-button__text">Cancel</span>
          </a>
        )}
      </div>
    </div>
  );
}

export interface SelectFieldProps {
  name: string;
  label: string;
  options: { value: string; label: string }[];
  value: string;
  hint?: string;
  error?: string;
}

/**
 * A labelled control (a drop-down, a text box) with a hint or error under it; `control` gets the
 * attributes that tie it to its label and message.
 */
function LabelledControl({ name, label, hint, error, control }: {
  name: string;
  label: string;
  hint?: string;
  error?: string;
  control: (attrs: { id: string; name: string; "aria-invalid"?: "true"; "aria-describedby"?: string }) => Child;
}) {
  const id = `field-${name}`;
  const message = error ?? hint;
  return (
    <div class="pf-v6-c-form__group">
      <div class="pf-v6-c-form__group-label">
        <label class="pf-v6-c-form__label" for={id}>
          <span class="pf-v6-c-form__label-text">{label}</span>
        </label>
      </div>
      <div class="pf-v6-c-form__group-control">
        <span class={`pf-v6-c-form-control${error ? " pf-m-error" : ""}`}>
          {control({ id, name, "aria-invalid": error ? "true" : undefined, "aria-describedby": message ? `${id}-helper` : undefined })}
        </span>
        <FieldMessage id={id} hint={hint} error={error} />
      </div>
    </div>
  );
}

/** A labelled drop-down with an optional hint (or error) under it. */
export function SelectField({ name, label, options, value, hint, error }: SelectFieldProps) {
  return (
    <LabelledControl
      name={name}
      label={label}
      hint={hint}
      error={error}
      control={(attrs) => (
        <select {...attrs}>
          {options.map((o) => (
            <option value={o.value} selected={o.value === value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    />
  );
}

/**
 * A labelled multi-line text box (a description) with an optional hint under it. HTML drops one
 * newline right after <textarea>, so one is written there to keep a value's own leading newline.
 */
export function TextAreaField({ name, label, value, hint }: { name: string; label: string; value: string; hint?: string }) {
  return <LabelledControl name={name} label={label} hint={hint} control={(attrs) => <textarea {...attrs} rows={6}>{`\n${value}`}</textarea>} />;
}

/** A labelled checkbox (sent as `name=1` when checked) with an optional hint under it. */
export function CheckField({ name, label, checked, hint }: { name: string; label: string; checked: boolean; hint?: string }) {
  const id = `field-${name}`;
  return (
    <div class="pf-v6-c-form__group">
      <div class="pf-v6-c-form__group-control">
        <div class="pf-v6-c-check">
          <input class="pf-v6-c-check__input" type="checkbox" id={id} name={name} value="1" checked={checked} aria-describedby={hint ? `${id}-helper` : undefined} />
          <label class="pf-v6-c-check__label" for={id}>
            {label}
          </label>
        </div>
        <FieldMessage id={id} hint={hint} />
      </div>
    </div>
  );
}

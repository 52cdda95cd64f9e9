// The new-account form shared by first-run setup and open sign-up.
import { CsrfField, focusedField, FormError, SubmitButton, TextField } from "./form-field.tsx";

export interface AccountFormProps {
  action: string;
  submitLabel: string;
  csrfToken: string;
  values: { username: string; email: string };
  errors: Record<string, string>;
}

const FIELDS = ["username", "email", "password"] as const;

export function AccountForm({ action, submitLabel, csrfToken, values, errors }: AccountFormProps) {
  const focus = focusedField(FIELDS, errors);
  return (
    <form class="pf-v6-c-form" method="post" action={action} novalidate>
      <CsrfField token={csrfToken} />
      {errors.form && <FormError message={errors.form} />}
      <TextField name="username" label="Username" value={values.username} error={errors.username} required autocomplete="username" autofocus={focus === "username"} />
      <TextField name="email" label="Email" type="email" value={values.email} error={errors.email} autocomplete="email" autofocus={focus === "email"} />
      <TextField name="password" label="Password" type="password" error={errors.password} hint="At least 8 characters, no spaces" required autocomplete="new-password" autofocus={focus === "password"} />
      <SubmitButton label={submitLabel} />
    </form>
  );
}

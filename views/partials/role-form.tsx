// One role (read, write or admin) changed on its own table row: a labelled select and its Save
// button, posting `role` (and any hidden fields naming whose role it is) to `action`.
import { CsrfField } from "./form-field.tsx";

export const ROLE_CHOICES = [
  { value: "read", label: "Read" },
  { value: "write", label: "Write" },
  { value: "admin", label: "Admin" },
];

export interface RoleRowFormProps {
  action: string;
  csrfToken: string | null;
  role: string;
  /** Who holds the role, read out with the select and the button. */
  subject: string;
  hidden?: Record<string, string>;
}

export function RoleRowForm({ action, csrfToken, role, subject, hidden = {} }: RoleRowFormProps) {
  return (
    <form method="post" action={action} class="qs-role-form">
      {csrfToken && <CsrfField token={csrfToken} />}
      {Object.entries(hidden).map(([name, value]) => <input type="hidden" name={name} value={value} />)}
      <span class="pf-v6-c-form-control">
        <select name="role" aria-label={`Role of ${subject}`}>
          {ROLE_CHOICES.map((o) => (
            <option value={o.value} selected={role === o.value}>
              {o.label}
            </option>
          ))}
        </select>
      </span>
      <button class="pf-v6-c-button pf-m-secondary pf-m-small" type="submit" aria-label={`Save the role of ${subject}`}>
        <span class="pf-v6-c-button__text">Save</span>
      </button>
    </form>
  );
}

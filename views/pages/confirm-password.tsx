// "Confirm your password": asked before a sensitive change (e-mail, deleting the account or an
// organization) when the session signed in too long ago (server/web/fresh-login.tsx). The form
// posts the change again, its fields carried along, with the password.
import { type Chrome, Layout, Section } from "../layout.tsx";
import { AuthCard } from "../partials/auth-card.tsx";
import { CsrfField, FormActions, TextField } from "../partials/form-field.tsx";

export interface ConfirmPasswordPageProps {
  chrome: Chrome;
  /** Where the change posts to, and its fields. */
  action: string;
  fields: Record<string, string>;
  cancelHref: string;
  error?: string;
}

export function ConfirmPasswordPage({ chrome, action, fields, cancelHref, error }: ConfirmPasswordPageProps) {
  return (
    <Layout chrome={chrome} title="Confirm your password">
      <Section>
        <AuthCard title="Confirm your password" intro="You signed in a while ago. Enter your password to go on with this change.">
          <form class="pf-v6-c-form" method="post" action={action} novalidate data-testid="confirm-password">
            {chrome.csrfToken && <CsrfField token={chrome.csrfToken} />}
            {Object.entries(fields).map(([name, value]) => (
              <input type="hidden" name={name} value={value} />
            ))}
            <TextField name="fresh_password" label="Password" type="password" required error={error} autocomplete="current-password" autofocus />
            <FormActions submit="Confirm" cancelHref={cancelHref} />
          </form>
        </AuthCard>
      </Section>
    </Layout>
  );
}

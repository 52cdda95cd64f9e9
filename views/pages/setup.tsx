// First run: no account exists yet; the first one becomes the administrator.
import { type Chrome, Layout, Section } from "../layout.tsx";
import { AuthCard } from "../partials/auth-card.tsx";
import { CsrfField, FormError, SubmitButton, TextField } from "../partials/form-field.tsx";

export interface SetupPageProps {
  chrome: Chrome;
  csrfToken: string;
  values: { username: string; email: string };
  errors: Record<string, string>;
}

export function SetupPage({ chrome, csrfToken, values, errors }: SetupPageProps) {
  return (
    <Layout chrome={chrome} title="Set up" bare>
      <Section>
        <AuthCard
          title="Welcome to Quayside"
          intro="Create the first account. It becomes the administrator (superuser) of this registry."
        >
          <form class="pf-v6-c-form" method="post" action="/setup" novalidate>
            <CsrfField token={csrfToken} />
            {errors.form && <FormError message={errors.form} />}
            <TextField name="username" label="Username" value={values.username} error={errors.username} required autocomplete="username" autofocus />
            <TextField name="email" label="Email" type="email" value={values.email} error={errors.email} autocomplete="email" />
            <TextField name="password" label="Password" type="password" error={errors.password} hint="At least 8 characters" required autocomplete="new-password" />
            <SubmitButton label="Create administrator" />
          </form>
        </AuthCard>
      </Section>
    </Layout>
  );
}


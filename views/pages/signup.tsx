// Open sign-up (only when the instance allows it).
import { type Chrome, Layout, Section } from "../layout.tsx";
import { AuthCard } from "../partials/auth-card.tsx";
import { CsrfField, SubmitButton, TextField } from "../partials/form-field.tsx";

export interface SignUpPageProps {
  chrome: Chrome;
  csrfToken: string;
  values: { username: string; email: string };
  errors: Record<string, string>;
}

export function SignUpPage({ chrome, csrfToken, values, errors }: SignUpPageProps) {
  return (
    <Layout chrome={chrome} title="Create account">
      <Section>
        <AuthCard
          title="Create a Quayside account"
          footer={
            <p>
              Already have an account? <a href="/signin">Sign in</a>.
            </p>
          }
        >
          <form class="pf-v6-c-form" method="post" action="/signup" novalidate>
            <CsrfField token={csrfToken} />
            <TextField name="username" label="Username" value={values.username} error={errors.username} required autocomplete="username" autofocus />
            <TextField name="email" label="Email" type="email" value={values.email} error={errors.email} autocomplete="email" />
            <TextField name="password" label="Password" type="password" error={errors.password} hint="At least 8 characters" required autocomplete="new-password" />
            <SubmitButton label="Create account" />
          </form>
        </AuthCard>
      </Section>
    </Layout>
  );
}

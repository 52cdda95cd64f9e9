// Open sign-up (only when the instance allows it).
import { type Chrome, Layout, Section } from "../layout.tsx";
import { AuthCard } from "../partials/auth-card.tsx";
import { AccountForm } from "../partials/account-form.tsx";

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
          <AccountForm action="/signup" submitLabel="Create account" csrfToken={csrfToken} values={values} errors={errors} />
        </AuthCard>
      </Section>
    </Layout>
  );
}

// First run: no account exists yet; the first one becomes the administrator.
import { type Chrome, Layout, Section } from "../layout.tsx";
import { AuthCard } from "../partials/auth-card.tsx";
import { AccountForm } from "../partials/account-form.tsx";

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
          <AccountForm action="/setup" submitLabel="Create administrator" csrfToken={csrfToken} values={values} errors={errors} />
        </AuthCard>
      </Section>
    </Layout>
  );
}


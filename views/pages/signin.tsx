// Password sign-in.
import { type Chrome, Layout, Section } from "../layout.tsx";
import { AuthCard } from "../partials/auth-card.tsx";
import { CsrfField, focusedField, SubmitButton, TextField } from "../partials/form-field.tsx";

export interface SignInPageProps {
  chrome: Chrome;
  csrfToken: string;
  username: string;
  /** Where to go after signing in (a local path). */
  next: string | null;
  errors: Record<string, string>;
}

export function SignInPage({ chrome, csrfToken, username, next, errors }: SignInPageProps) {
  const focus = focusedField(["username", "password"], errors);
  return (
    <Layout chrome={chrome} title="Sign in">
      <Section>
        <AuthCard
          title="Sign in to Quayside"
          footer={
            chrome.openSignup && (
              <p>
                Need an account? <a href="/signup">Create one</a>.
              </p>
            )
          }
        >
          <form class="pf-v6-c-form" method="post" action="/signin" novalidate>
            <CsrfField token={csrfToken} />
            {next && <input type="hidden" name="next" value={next} />}
            <TextField name="username" label="Username" value={username} error={errors.username} required autocomplete="username" autofocus={focus === "username"} />
            <TextField name="password" label="Password" type="password" error={errors.password} required autocomplete="current-password" autofocus={focus === "password"} />
            <SubmitButton label="Sign in" />
          </form>
        </AuthCard>
      </Section>
    </Layout>
  );
}

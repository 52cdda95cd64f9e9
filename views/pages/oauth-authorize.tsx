// The consent page of an OAuth application asking for a token (GET /oauth/authorize): who asks,
// for which scopes, and the buttons to allow or deny.
import { type Chrome, Layout, Section } from "../layout.tsx";
import { AuthCard } from "../partials/auth-card.tsx";
import { CsrfField } from "../partials/form-field.tsx";

export interface OAuthAuthorizePageProps {
  chrome: Chrome;
  csrfToken: string;
  application: { name: string; description: string; organization: string };
  /** Each scope asked for, with what it allows. */
  scopes: { name: string; title: string }[];
  /** The request's parameters, sent back with the answer. */
  params: Record<string, string>;
}

export function OAuthAuthorizePage({ chrome, csrfToken, application, scopes, params }: OAuthAuthorizePageProps) {
  const hidden = Object.entries(params).map(([name, value]) => <input type="hidden" name={name} value={value} />);
  return (
    <Layout chrome={chrome} title={`Authorize ${application.name}`}>
      <Section>
        <AuthCard title={`Authorize ${application.name}`} intro={`${application.name} (of ${application.organization}) asks to act as you with these permissions:`}>
          {application.description && <p class="qs-gap-below">{application.description}</p>}
          <ul class="pf-v6-c-list qs-gap-below" data-testid="requested-scopes">
            {scopes.map((s) => (
              <li>
                <strong>{s.title}</strong> <code>{s.name}</code>
              </li>
            ))}
          </ul>
          <div class="pf-v6-c-form__actions">
            <form method="post" action="/oauth/authorizeapp">
              <CsrfField token={csrfToken} />
              {hidden}
              <button class="pf-v6-c-button pf-m-primary" type="submit">
                <span class="pf-v6-c-button__text">Authorize application</span>
              </button>
            </form>
            <form method="post" action="/oauth/denyapp">
              <CsrfField token={csrfToken} />
              {hidden}
              <button class="pf-v6-c-button pf-m-secondary" type="submit">
                <span class="pf-v6-c-button__text">Deny</span>
              </button>
            </form>
          </div>
        </AuthCard>
      </Section>
    </Layout>
  );
}

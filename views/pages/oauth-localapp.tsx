// Where a token granted to this registry's own redirect URI (`/oauth/localapp`) lands: the token
// travels in the address's fragment, which never reaches the server, so a small script
// (static/oauth-localapp.js) shows it here and drops it from the address bar.
import { type Chrome, Layout, Section } from "../layout.tsx";
import { AuthCard } from "../partials/auth-card.tsx";

export function OAuthLocalAppPage({ chrome, script }: { chrome: Chrome; script: string }) {
  return (
    <Layout chrome={chrome} title="Access token">
      <Section>
        <AuthCard title="Access token" intro="The application's token for you (copy it now: it will not be shown again).">
          <label class="pf-v6-c-form__label" for="local-token">
            <span class="pf-v6-c-form__label-text">Access token</span>
          </label>
          <span class="pf-v6-c-form-control pf-m-readonly">
            <input id="local-token" type="text" readonly value="" data-testid="local-token" />
          </span>
          <p class="qs-gap-above">
            Send it as <code>Authorization: Bearer &lt;token&gt;</code> to <code>/api/v1</code>.
          </p>
        </AuthCard>
        <script src={script} defer></script>
      </Section>
    </Layout>
  );
}

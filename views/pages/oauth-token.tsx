// "Generate token" in the user's settings: choose scopes, get an OAuth access token for the API
// (shown once: only its hash is kept).
import type { Chrome } from "../layout.tsx";
import { CsrfField } from "../partials/form-field.tsx";
import { ScopeChecklist } from "../partials/scope-checklist.tsx";
import { SettingsLayout } from "./settings.tsx";

export interface OAuthTokenPageProps {
  chrome: Chrome;
  csrfToken: string;
  /** Scopes the user may choose, with what each allows. */
  scopes: { name: string; title: string }[];
  chosen: string[];
  error?: string;
  /** The new token, right after generating it. */
  token?: string;
}

export function OAuthTokenPage({ chrome, csrfToken, scopes, chosen, error, token }: OAuthTokenPageProps) {
  return (
    <SettingsLayout chrome={chrome} tab="api-token" title="API tokens">
      <h2 class="pf-v6-c-title pf-m-xl qs-gap-below">Generate API token</h2>
      {token && (
        <div class="pf-v6-c-alert pf-m-success qs-gap-below" data-testid="new-token">
          <p class="pf-v6-c-alert__title">
            <span class="pf-v6-screen-reader">Success alert:</span>Your new token (copy it now: it will not be shown again)
          </p>
          <div class="pf-v6-c-alert__description">
            <label class="pf-v6-c-form__label" for="new-token-value">
              <span class="pf-v6-c-form__label-text">Access token</span>
            </label>
            <span class="pf-v6-c-form-control pf-m-readonly">
              <input id="new-token-value" type="text" readonly value={token} />
            </span>
            <p class="qs-gap-above">
              Send it as <code>Authorization: Bearer &lt;token&gt;</code> to <code>/api/v1</code>, or log in to the registry as{" "}
              <code>$oauthtoken</code> with it as the password.
            </p>
          </div>
        </div>
      )}
      <form class="pf-v6-c-form" method="post" action="/settings/api-token" novalidate>
        <CsrfField token={csrfToken} />
        <ScopeChecklist scopes={scopes} chosen={chosen} legend="Permissions the token holds" error={error} />
        <div class="pf-v6-c-form__group pf-m-action">
          <div class="pf-v6-c-form__actions">
            <button class="pf-v6-c-button pf-m-primary" type="submit">
              <span class="pf-v6-c-button__text">Generate token</span>
            </button>
          </div>
        </div>
      </form>
    </SettingsLayout>
  );
}

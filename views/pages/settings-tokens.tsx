// Application tokens in the user's settings: the list with its create form, one token (its code
// and how to log in with it), and the page that asks before revoking one.
import type { Chrome } from "../layout.tsx";
import { Cell, DataTable, TimeAgo } from "../partials/data-table.tsx";
import { EmptyState } from "../partials/empty-state.tsx";
import { ConfirmCard } from "../partials/confirm-card.tsx";
import { CsrfField, FormActions, TextField } from "../partials/form-field.tsx";
import { SectionCard } from "../partials/section-card.tsx";
import { type FormState, SettingsLayout } from "./settings.tsx";

export interface TokenRow {
  uuid: string;
  title: string;
  createdAt: Date;
  lastAccessedAt: Date | null;
  expiresAt: Date | null;
}

export interface TokensPageProps {
  chrome: Chrome;
  tokens: TokenRow[];
  now: Date;
  /** The create form, when open. */
  create?: FormState;
}

function CreateTokenForm({ create, csrfToken }: { create: FormState; csrfToken: string }) {
  return (
    <SectionCard id="create-token" title="Create application token">
      <form class="pf-v6-c-form" method="post" action="/settings/tokens" novalidate>
        <CsrfField token={csrfToken} />
        <TextField
          name="title"
          label="Title"
          required
          value={create.values.title}
          error={create.errors.title}
          hint="What the token is for, e.g. the machine or pipeline that uses it"
          autocomplete="off"
          autofocus
        />
        <FormActions submit="Create token" cancelHref="/settings/tokens" />
      </form>
    </SectionCard>
  );
}

const When = ({ date, now, none }: { date: Date | null; now: Date; none: string }) => (date ? <TimeAgo date={date} now={now} /> : <>{none}</>);

export function TokensPage({ chrome, tokens, now, create }: TokensPageProps) {
  const createButton = !create && (
    <a class="pf-v6-c-button pf-m-primary" href="/settings/tokens?create=1" data-testid="create-token-button">
      <span class="pf-v6-c-button__text">Create application token</span>
    </a>
  );
  return (
    <SettingsLayout chrome={chrome} tab="tokens" title="Application tokens">
      <p class="qs-muted qs-gap-below">
        An application token stands in for your password when a tool logs in to the registry (podman, skopeo, docker
        login), so the password itself never sits in a script. Revoke one and only that tool loses access.
      </p>
      {create && chrome.csrfToken && <CreateTokenForm create={create} csrfToken={chrome.csrfToken} />}
      {tokens.length > 0 && createButton && <div class="qs-gap-below">{createButton}</div>}
      <DataTable
        id="token-table"
        label="Application tokens"
        columns={["Title", "Created", "Last used", "Expires", "Actions"]}
        rows={tokens}
        pager={null}
        empty={
          <EmptyState title="No application tokens yet" actions={createButton || undefined}>
            Create one for each tool that logs in to the registry as you.
          </EmptyState>
        }
        row={(token) => (
          <tr class="pf-v6-c-table__tr" data-testid="token-row">
            <Cell label="Title">
              <a href={`/settings/tokens/${token.uuid}`}>{token.title}</a>
            </Cell>
            <Cell label="Created">
              <TimeAgo date={token.createdAt} now={now} />
            </Cell>
            <Cell label="Last used">
              <When date={token.lastAccessedAt} now={now} none="Never" />
            </Cell>
            <Cell label="Expires">
              <When date={token.expiresAt} now={now} none="Never" />
            </Cell>
            <Cell label="Actions">
              <a class="pf-v6-c-button pf-m-link pf-m-inline pf-m-danger" href={`/settings/tokens/${token.uuid}/revoke`} aria-label={`Revoke ${token.title}`}>
                <span class="pf-v6-c-button__text">Revoke</span>
              </a>
            </Cell>
          </tr>
        )}
      />
    </SettingsLayout>
  );
}

export interface TokenPageProps {
  chrome: Chrome;
  token: TokenRow & { code: string };
  username: string;
  registryHost: string;
  /** Just created: say so. */
  created: boolean;
}

export function TokenPage({ chrome, token, username, registryHost, created }: TokenPageProps) {
  return (
    <SettingsLayout chrome={chrome} tab="tokens" title={token.title}>
      <SectionCard id="token" title={token.title}>
        {created && (
          <div class="pf-v6-c-alert pf-m-inline pf-m-success pf-m-plain qs-gap-below" role="status">
            <p class="pf-v6-c-alert__title">Token created. Use it as the password, with your user name or $app.</p>
          </div>
        )}
        <h3 class="pf-v6-c-title pf-m-md">Token</h3>
        <pre class="qs-command qs-gap-below" data-testid="token-code" tabindex={0} aria-label="Token">
          {token.code}
        </pre>
        <h3 class="pf-v6-c-title pf-m-md">Log in with it</h3>
        <pre class="qs-command qs-gap-below" tabindex={0} aria-label="Login command">
          {`podman login -u ${username} ${registryHost}`}
        </pre>
        <div class="qs-page-header">
          <a class="pf-v6-c-button pf-m-secondary" href="/settings/tokens">
            <span class="pf-v6-c-button__text">Back to tokens</span>
          </a>
          <a class="pf-v6-c-button pf-m-danger" href={`/settings/tokens/${token.uuid}/revoke`}>
            <span class="pf-v6-c-button__text">Revoke token…</span>
          </a>
        </div>
      </SectionCard>
    </SettingsLayout>
  );
}

/** Asks before revoking a token. */
export function RevokeTokenPage({ chrome, token }: { chrome: Chrome; token: TokenRow }) {
  return (
    <SettingsLayout chrome={chrome} tab="tokens" title={`Revoke ${token.title}?`}>
      <ConfirmCard
        title={`Revoke “${token.title}”?`}
        headingLevel={2}
        text="Anything logging in with this token is refused from now on, including logins already made with it."
        action={`/settings/tokens/${token.uuid}/revoke`}
        submit="Revoke token"
        cancelHref="/settings/tokens"
        csrfToken={chrome.csrfToken}
      />
    </SettingsLayout>
  );
}

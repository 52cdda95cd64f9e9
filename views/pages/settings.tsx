// The signed-in user's settings: tabs (account, robot accounts, application tokens) and the
// account tab with its e-mail and password forms, and deleting the account (after typing one's
// name).
import type { Child } from "hono/jsx";
import { type Chrome, Layout, Section } from "../layout.tsx";
import { CsrfField, FormError, TextField } from "../partials/form-field.tsx";

export type SettingsTab = "account" | "robots" | "tokens" | "api-token";

const TABS: { tab: SettingsTab; label: string; href: string }[] = [
  { tab: "account", label: "Account", href: "/settings" },
  { tab: "robots", label: "Robot accounts", href: "/settings/robots" },
  { tab: "tokens", label: "Application tokens", href: "/settings/tokens" },
  { tab: "api-token", label: "API tokens", href: "/settings/api-token" },
];

/** The frame of every settings page: heading, tabs, the tab's content. */
export function SettingsLayout({ chrome, tab, title, children }: { chrome: Chrome; tab: SettingsTab; title: string; children?: Child }) {
  return (
    <Layout chrome={chrome} title={`${title} · Settings`}>
      <Section>
        <div class="qs-page-header">
          <h1 class="pf-v6-c-title pf-m-2xl">Settings</h1>
        </div>
        <nav class="pf-v6-c-tabs qs-gap-below" aria-label="Settings">
          <ul class="pf-v6-c-tabs__list" role="list">
            {TABS.map((t) => (
              <li class={`pf-v6-c-tabs__item${t.tab === tab ? " pf-m-current" : ""}`}>
                <a class="pf-v6-c-tabs__link" href={t.href} aria-current={t.tab === tab ? "page" : undefined}>
                  <span class="pf-v6-c-tabs__item-text">{t.label}</span>
                </a>
              </li>
            ))}
          </ul>
        </nav>
        {children}
      </Section>
    </Layout>
  );
}

/** A card holding one settings form. */
export function SettingsCard({ id, title, children }: { id: string; title: string; children?: Child }) {
  return (
    <div class="pf-v6-c-card qs-gap-below" aria-labelledby={`${id}-title`} role="region">
      <div class="pf-v6-c-card__title">
        <h2 class="pf-v6-c-title pf-m-lg" id={`${id}-title`}>
          {title}
        </h2>
      </div>
      <div class="pf-v6-c-card__body">{children}</div>
    </div>
  );
}

/** A success message after a saved form. */
function Saved({ message }: { message: string }) {
  return (
    <div class="pf-v6-c-alert pf-m-inline pf-m-success pf-m-plain qs-gap-below" role="status">
      <p class="pf-v6-c-alert__title">{message}</p>
    </div>
  );
}

export interface FormState {
  values: Record<string, string>;
  errors: Record<string, string>;
}

export interface AccountSettingsProps {
  chrome: Chrome;
  email: string;
  emailForm?: FormState;
  passwordForm?: FormState;
  /** Which form was just saved. */
  saved?: "email" | "password";
}

function SubmitRow({ label }: { label: string }) {
  return (
    <div class="pf-v6-c-form__group pf-m-action">
      <div class="pf-v6-c-form__actions">
        <button class="pf-v6-c-button pf-m-primary" type="submit">
          <span class="pf-v6-c-button__text">{label}</span>
        </button>
      </div>
    </div>
  );
}

export function AccountSettingsPage({ chrome, email, emailForm, passwordForm, saved }: AccountSettingsProps) {
  const csrf = chrome.csrfToken ?? "";
  const passwordErrors = passwordForm?.errors ?? {};
  const focusPassword = ["current", "password", "confirm"].find((f) => passwordErrors[f]);
  return (
    <SettingsLayout chrome={chrome} tab="account" title="Account">
      <SettingsCard id="email" title="E-mail address">
        {saved === "email" && <Saved message="Your e-mail address was saved." />}
        <form class="pf-v6-c-form" method="post" action="/settings/email" novalidate>
          <CsrfField token={csrf} />
          <TextField
            name="email"
            label="E-mail address"
            type="email"
            required
            value={emailForm?.values.email ?? email}
            error={emailForm?.errors.email}
            autocomplete="email"
            autofocus={Boolean(emailForm?.errors.email)}
          />
          <SubmitRow label="Save e-mail address" />
        </form>
      </SettingsCard>
      <SettingsCard id="password" title="Change password">
        {saved === "password" && <Saved message="Your password was changed. Your other sessions have been signed out." />}
        <p class="qs-muted qs-gap-below">Changing it signs you out everywhere else and ends registry logins made with the old one.</p>
        <form class="pf-v6-c-form" method="post" action="/settings/password" novalidate>
          <CsrfField token={csrf} />
          <TextField name="current" label="Current password" type="password" required error={passwordErrors.current} autocomplete="current-password" autofocus={focusPassword === "current"} />
          <TextField
            name="password"
            label="New password"
            type="password"
            required
            error={passwordErrors.password}
            hint="At least 8 characters, no spaces"
            autocomplete="new-password"
            autofocus={focusPassword === "password"}
          />
          <TextField name="confirm" label="New password again" type="password" required error={passwordErrors.confirm} autocomplete="new-password" autofocus={focusPassword === "confirm"} />
          {passwordErrors.form && <FormError message={passwordErrors.form} />}
          <SubmitRow label="Change password" />
        </form>
      </SettingsCard>
      <SettingsCard id="delete" title="Delete account">
        <p class="qs-gap-below">Deletes your account, your repositories and everything in them. This cannot be undone.</p>
        <a class="pf-v6-c-button pf-m-danger" href="/settings/delete" data-testid="delete-account">
          <span class="pf-v6-c-button__text">Delete account…</span>
        </a>
      </SettingsCard>
    </SettingsLayout>
  );
}

/** Asks before deleting the account: the user types their name. */
export function DeleteAccountPage({ chrome, username, error }: { chrome: Chrome; username: string; error?: string }) {
  return (
    <SettingsLayout chrome={chrome} tab="account" title="Delete account?">
      <div class="pf-v6-c-card qs-narrow" role="alertdialog" aria-labelledby="confirm-title" aria-describedby="confirm-text">
        <div class="pf-v6-c-card__title">
          <h2 class="pf-v6-c-title pf-m-xl" id="confirm-title">
            Delete your account?
          </h2>
        </div>
        <div class="pf-v6-c-card__body">
          <p id="confirm-text" class="qs-gap-below">
            Your account, your repositories and everything in them, your robot accounts and tokens are deleted. This cannot be
            undone.
          </p>
          <form class="pf-v6-c-form" method="post" action="/settings/delete" novalidate>
            {chrome.csrfToken && <CsrfField token={chrome.csrfToken} />}
            <TextField name="confirm" label={`Type ${username} to confirm`} required error={error} autocomplete="off" autofocus />
            <div class="qs-page-header">
              <button class="pf-v6-c-button pf-m-danger" type="submit" data-testid="confirm">
                <span class="pf-v6-c-button__text">Delete my account</span>
              </button>
              <a class="pf-v6-c-button pf-m-link" href="/settings">
                <span class="pf-v6-c-button__text">Cancel</span>
              </a>
            </div>
          </form>
        </div>
      </div>
    </SettingsLayout>
  );
}

// The signed-in user's settings: tabs (account, robot accounts, tokens, applications, usage logs) and the
// account tab with its e-mail and password forms, and deleting the account (after typing one's
// name).
import type { Child } from "hono/jsx";
import { type Chrome, Layout, Section } from "../layout.tsx";
import { ConfirmCard } from "../partials/confirm-card.tsx";
import { CsrfField, FormActions, FormError, SelectField, TextField } from "../partials/form-field.tsx";
import { SectionCard } from "../partials/section-card.tsx";
import { Tabs } from "../partials/tabs.tsx";
import { UsageLogs, type UsageLogsProps } from "../partials/usage-logs.tsx";
import { TIME_MACHINE_OPTIONS } from "./organization.tsx";

export type SettingsTab = "account" | "robots" | "tokens" | "api-token" | "authorizations" | "logs";

const TABS: { tab: SettingsTab; label: string; href: string }[] = [
  { tab: "account", label: "Account", href: "/settings" },
  { tab: "robots", label: "Robot accounts", href: "/settings/robots" },
  { tab: "tokens", label: "Application tokens", href: "/settings/tokens" },
  { tab: "api-token", label: "API tokens", href: "/settings/api-token" },
  { tab: "authorizations", label: "Authorized applications", href: "/settings/authorizations" },
  { tab: "logs", label: "Usage logs", href: "/settings/logs" },
];

/** The frame of every settings page: heading, tabs, the tab's content. */
export function SettingsLayout({ chrome, tab, title, children }: { chrome: Chrome; tab: SettingsTab; title: string; children?: Child }) {
  return (
    <Layout chrome={chrome} title={`${title} · Settings`}>
      <Section>
        <div class="qs-page-header">
          <h1 class="pf-v6-c-title pf-m-2xl">Settings</h1>
        </div>
        <Tabs label="Settings" tabs={TABS.map((t) => ({ label: t.label, href: t.href, current: t.tab === tab }))} />
        {children}
      </Section>
    </Layout>
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
  /** The account's time-machine window, in seconds. */
  tagExpirationS: number;
  timeMachineError?: string;
  emailForm?: FormState;
  passwordForm?: FormState;
  /** Which form was just saved. */
  saved?: "email" | "password" | "time-machine";
}

export function AccountSettingsPage({ chrome, email, tagExpirationS, timeMachineError, emailForm, passwordForm, saved }: AccountSettingsProps) {
  const csrf = chrome.csrfToken ?? "";
  const passwordErrors = passwordForm?.errors ?? {};
  const focusPassword = ["current", "password", "confirm"].find((f) => passwordErrors[f]);
  return (
    <SettingsLayout chrome={chrome} tab="account" title="Account">
      <SectionCard id="email" title="E-mail address">
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
          <FormActions submit="Save e-mail address" />
        </form>
      </SectionCard>
      <SectionCard id="password" title="Change password">
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
          <FormActions submit="Change password" />
        </form>
      </SectionCard>
      <SectionCard id="time-machine" title="Time machine">
        {saved === "time-machine" && <Saved message="The time machine setting was saved." />}
        <form class="pf-v6-c-form" method="post" action="/settings/time-machine" novalidate>
          <CsrfField token={csrf} />
          <SelectField
            name="tag_expiration_s"
            label="Keep deleted and moved tags restorable for"
            options={TIME_MACHINE_OPTIONS.map((o) => ({ value: String(o.seconds), label: o.label }))}
            value={String(tagExpirationS)}
            hint="Applies to the repositories in your own namespace."
            error={timeMachineError}
          />
          <FormActions submit="Save time machine" />
        </form>
      </SectionCard>
      <SectionCard id="delete" title="Delete account">
        <p class="qs-gap-below">Deletes your account, your repositories and everything in them. This cannot be undone.</p>
        <a class="pf-v6-c-button pf-m-danger" href="/settings/delete" data-testid="delete-account">
          <span class="pf-v6-c-button__text">Delete account…</span>
        </a>
      </SectionCard>
    </SettingsLayout>
  );
}

/** Asks before deleting the account: the user types their name. */
export function DeleteAccountPage({ chrome, username, error }: { chrome: Chrome; username: string; error?: string }) {
  return (
    <SettingsLayout chrome={chrome} tab="account" title="Delete account?">
      <ConfirmCard
        title="Delete your account?"
        headingLevel={2}
        text="Your account, your repositories and everything in them, your robot accounts and tokens are deleted. This cannot be undone."
        action="/settings/delete"
        submit="Delete my account"
        cancelHref="/settings"
        csrfToken={chrome.csrfToken}
        fields={<TextField name="confirm" label={`Type ${username} to confirm`} required error={error} autocomplete="off" autofocus />}
      />
    </SettingsLayout>
  );
}

/** The usage logs of the user's own namespace (Quay's user logs). */
export function UserLogsPage({ chrome, logs }: { chrome: Chrome; logs: UsageLogsProps }) {
  return (
    <SettingsLayout chrome={chrome} tab="logs" title="Usage logs">
      <UsageLogs {...logs} />
    </SettingsLayout>
  );
}

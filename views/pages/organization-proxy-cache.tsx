// An organization's Proxy cache tab: the upstream registry it proxies (whether credentials are
// set, never them), or an empty state; for admins of an organization that proxies nothing, the
// form that configures one, whose Validate button signs in to the upstream and shows the outcome
// in place (htmx; without it, the page comes back with it), and Remove after a question.
import type { Chrome } from "../layout.tsx";
import { ConfirmCard } from "../partials/confirm-card.tsx";
import { DescriptionItem } from "../partials/description-list.tsx";
import { EmptyState } from "../partials/empty-state.tsx";
import { CsrfField, focusedField, FormError, TextField } from "../partials/form-field.tsx";
import { Notice } from "../partials/notice.tsx";
import { SectionCard } from "../partials/section-card.tsx";
import { OrganizationFrame, type OrganizationViewer } from "./organization.tsx";

export const proxyCachePath = (org: string) => `/organization/${org}/proxy-cache`;
export const PROXY_VALIDATION_ID = "proxy-validation";

export interface ProxyCacheFacts {
  upstreamRegistry: string;
  hasCredentials: boolean;
  expirationS: number;
  insecure: boolean;
}

/** What Validate found: Quay's "Valid" / "Anonymous", or the refusal's message. */
export type ProxyValidation = { ok: true; outcome: "Valid" | "Anonymous" } | { ok: false; message: string };

export const PROXY_FIELDS = ["upstream_registry", "upstream_registry_username", "upstream_registry_password", "expiration_s"] as const;

export interface ProxyCacheForm {
  values: { upstream_registry: string; upstream_registry_username: string; expiration_s: string; insecure: boolean };
  errors: Partial<Record<(typeof PROXY_FIELDS)[number] | "form", string>>;
  validation?: ProxyValidation;
}

export const emptyProxyCacheForm = (defaultExpirationS: number): ProxyCacheForm => ({
  values: { upstream_registry: "", upstream_registry_username: "", expiration_s: String(defaultExpirationS), insecure: false },
  errors: {},
});

export interface ProxyCachePageProps {
  chrome: Chrome;
  org: string;
  viewer: OrganizationViewer;
  config: ProxyCacheFacts | undefined;
  /** Admins of an organization without a configuration. */
  form?: ProxyCacheForm;
  notice?: string;
}

const VALIDATION_TEXT = {
  Valid: "Signed in to the upstream registry with these credentials.",
  Anonymous: "No credentials: the upstream registry will be pulled from anonymously.",
};

/** The live region Validate's outcome is written into (swapped alone by htmx). */
export function ProxyValidationResult({ validation }: { validation?: ProxyValidation }) {
  return (
    <div id={PROXY_VALIDATION_ID} role="status" aria-live="polite" data-testid={PROXY_VALIDATION_ID}>
      {validation && (
        <div class={`pf-v6-c-alert pf-m-inline qs-gap-below ${validation.ok ? "pf-m-success" : "pf-m-danger"}`}>
          <p class="pf-v6-c-alert__title">{validation.ok ? validation.outcome : validation.message}</p>
          {validation.ok && <div class="pf-v6-c-alert__description">{VALIDATION_TEXT[validation.outcome]}</div>}
        </div>
      )}
    </div>
  );
}

function durationText(seconds: number): string {
  const units: [number, string][] = [[86_400, "day"], [3_600, "hour"], [60, "minute"]];
  const [size, unit] = units.find(([size]) => seconds % size === 0) ?? [1, "second"];
  const n = seconds / size;
  return `${n} ${unit}${n === 1 ? "" : "s"}`;
}

function CurrentConfig({ org, config, admin }: { org: string; config: ProxyCacheFacts; admin: boolean }) {
  return (
    <SectionCard id="proxy-cache-config" title="Proxy cache configuration">
      <p class="qs-gap-below">
        Pulls of <code>{`${org}/<image>:<tag>`}</code> are fetched from the upstream registry and cached here.
      </p>
      <dl class="pf-v6-c-description-list pf-m-horizontal qs-gap-below" data-testid="proxy-cache-facts">
        <DescriptionItem term="Upstream registry">{config.upstreamRegistry}</DescriptionItem>
        <DescriptionItem term="Credentials">{config.hasCredentials ? "Set" : "None (anonymous pulls)"}</DescriptionItem>
        <DescriptionItem term="Expiration">{`${durationText(config.expirationS)} after a tag was last fetched or checked`}</DescriptionItem>
        <DescriptionItem term="Insecure">{config.insecure ? "Yes (plain http to the upstream)" : "No (https)"}</DescriptionItem>
      </dl>
      {admin && (
        <a class="pf-v6-c-button pf-m-danger" href={`${proxyCachePath(org)}/remove`} data-testid="remove-proxy-cache">
          <span class="pf-v6-c-button__text">Remove proxy cache configuration</span>
        </a>
      )}
    </SectionCard>
  );
}

function ConfigureForm({ org, form, csrfToken }: { org: string; form: ProxyCacheForm; csrfToken: string | null }) {
  const validate = `${proxyCachePath(org)}/validate`;
  const focus = focusedField(PROXY_FIELDS, form.errors);
  const hasErrors = Object.keys(form.errors).length > 0;
  const field = (name: "upstream_registry" | "upstream_registry_username" | "expiration_s", label: string, hint: string, required = false) => (
    <TextField
      name={name}
      label={label}
      required={required}
      value={form.values[name]}
      error={form.errors[name]}
      hint={hint}
      autocomplete="off"
      autofocus={hasErrors && focus === name}
    />
  );
  return (
    <SectionCard id="configure-proxy-cache" title="Configure proxy cache">
      <form class="pf-v6-c-form" method="post" action={proxyCachePath(org)} novalidate>
        {csrfToken && <CsrfField token={csrfToken} />}
        {field("upstream_registry", "Upstream registry", "Host, optional port and namespace, e.g. docker.io or quay.io/some-org", true)}
        {field("upstream_registry_username", "Upstream username", "Empty for anonymous pulls")}
        <TextField name="upstream_registry_password" label="Upstream password" type="password" error={form.errors.upstream_registry_password} autocomplete="new-password" />
        {field("expiration_s", "Expiration (seconds)", "How long a cached tag lives after it was last fetched or checked upstream (at least 60)")}
        <div class="pf-v6-c-form__group">
          <div class="pf-v6-c-form__group-control">
            <div class="pf-v6-c-check">
              <input class="pf-v6-c-check__input" type="checkbox" id="field-insecure" name="insecure" value="1" checked={form.values.insecure} />
              <label class="pf-v6-c-check__label" for="field-insecure">
                Insecure: plain http to the upstream registry
              </label>
            </div>
          </div>
        </div>
        {form.errors.form && <FormError message={form.errors.form} />}
        <ProxyValidationResult validation={form.validation} />
        <div class="pf-v6-c-form__group pf-m-action">
          <div class="pf-v6-c-form__actions">
            <button class="pf-v6-c-button pf-m-primary" type="submit">
              <span class="pf-v6-c-button__text">Save</span>
            </button>
            {/* htmx swaps only the outcome (the typed password stays); without it, formaction posts the form there. */}
            <button
              class="pf-v6-c-button pf-m-secondary"
              type="submit"
              formaction={validate}
              hx-post={validate}
              hx-target={`#${PROXY_VALIDATION_ID}`}
              hx-swap="outerHTML"
              data-testid="validate-proxy-cache"
            >
              <span class="pf-v6-c-button__text">Validate</span>
            </button>
          </div>
        </div>
      </form>
    </SectionCard>
  );
}

export function ProxyCachePage({ chrome, org, viewer, config, form, notice }: ProxyCachePageProps) {
  return (
    <OrganizationFrame chrome={chrome} org={{ name: org }} viewer={viewer} tab="proxy-cache">
      {notice && <Notice text={notice} testid="proxy-cache-notice" />}
      {config ? (
        <CurrentConfig org={org} config={config} admin={viewer.admin} />
      ) : (
        <EmptyState title="Not a proxy cache">
          {viewer.admin
            ? `Configure an upstream registry below and pulls through ${org} fetch its images and cache them here.`
            : `${org} proxies no upstream registry.`}
        </EmptyState>
      )}
      {!config && form && <ConfigureForm org={org} form={form} csrfToken={chrome.csrfToken} />}
    </OrganizationFrame>
  );
}

export function RemoveProxyCachePage({ chrome, org, config }: { chrome: Chrome; org: string; config: ProxyCacheFacts }) {
  return (
    <OrganizationFrame chrome={chrome} org={{ name: org }} viewer={{ member: true, admin: true }} tab="proxy-cache">
      <ConfirmCard
        title={`Remove the proxy cache configuration of ${org}?`}
        text={`Pulls through ${org} will no longer fetch from ${config.upstreamRegistry}; the repositories cached so far stay in ${org}.`}
        action={`${proxyCachePath(org)}/remove`}
        submit="Remove proxy cache configuration"
        cancelHref={proxyCachePath(org)}
        csrfToken={chrome.csrfToken}
        headingLevel={2}
      />
    </OrganizationFrame>
  );
}

// An organization's Proxy cache tab (members read it; admins configure, validate and remove). The
// rules and their words are domain/mirroring's, as for the API's /organization/{org}/proxycache
// and validateproxycache; a refusal is shown at the field it is about.
import { Hono } from "hono";
import {
  emptyProxyCacheForm,
  type ProxyCacheFacts,
  type ProxyCacheForm,
  ProxyCachePage,
  proxyCachePath,
  PROXY_VALIDATION_ID,
  type ProxyValidation,
  ProxyValidationResult,
  RemoveProxyCachePage,
} from "../../views/pages/organization-proxy-cache.tsx";
import { clientIp } from "../client-ip.ts";
import type { AppDeps } from "../deps.ts";
import type { Organization } from "../domain/accounts/organizations.ts";
import { DomainError } from "../domain/errors.ts";
import {
  createProxyCacheConfig,
  DEFAULT_EXPIRATION_S,
  deleteProxyCacheConfig,
  findProxyCacheConfig,
  type NewProxyCacheConfig,
  proxyCacheFieldOf,
} from "../domain/mirroring/proxy-cache-configs.ts";
import { validateUpstream } from "../domain/mirroring/proxy-validation.ts";
import { adminPlace as adminPlaceOf, memberPlace as memberPlaceOf, type Place } from "./organization-place.ts";
import { chrome, fragment, notFoundPage, page, wantsFragment } from "./render.tsx";
import type { WebContext, WebEnv } from "./session.ts";

/** The form's fields as typed, and what they mean to the domain (or the field that is no number). */
async function readForm(c: WebContext): Promise<{ form: ProxyCacheForm; input?: NewProxyCacheConfig }> {
  const body = await c.req.parseBody();
  const text = (name: string) => String(body[name] ?? "");
  const values = {
    upstream_registry: text("upstream_registry").trim(),
    upstream_registry_username: text("upstream_registry_username"),
    expiration_s: text("expiration_s").trim(),
    insecure: body.insecure !== undefined,
  };
  const form: ProxyCacheForm = { values, errors: {} };
  if (values.expiration_s !== "" && !/^\d+$/.test(values.expiration_s)) {
    form.errors.expiration_s = "Enter the expiration in whole seconds";
    return { form };
  }
  const password = text("upstream_registry_password");
  return {
    form,
    input: {
      upstreamRegistry: values.upstream_registry,
      username: values.upstream_registry_username || null,
      password: password || null,
      expirationS: values.expiration_s === "" ? undefined : Number(values.expiration_s),
      insecure: values.insecure,
    },
  };
}

/** A refusal the form shows; anything else is a real error. */
function refusalOf(err: unknown): DomainError {
  if (err instanceof DomainError && err.code === "INVALID_REQUEST") return err;
  throw err;
}

export function proxyCachePages(deps: AppDeps): Hono<WebEnv> {
  const app = new Hono<WebEnv>();
  const actor = (c: WebContext) => ({ principal: c.get("principal"), ip: clientIp(c, deps.config) });
  const base = "/organization/:name/proxy-cache";

  const memberPlace = (c: WebContext) => memberPlaceOf(deps, c);
  const adminPlace = (c: WebContext) => adminPlaceOf(deps, c);

  const factsOf = async (org: Organization): Promise<ProxyCacheFacts | undefined> => {
    const config = await findProxyCacheConfig(deps.db, org.namespaceId);
    return (
      config && {
        upstreamRegistry: config.upstreamRegistry,
        hasCredentials: config.usernameSealed !== null,
        expirationS: config.expirationS,
        insecure: config.insecure,
      }
    );
  };

  const tabPage = async (c: WebContext, at: Place, form?: ProxyCacheForm, notice?: string) => {
    const config = await factsOf(at.org);
    const shownForm = at.admin && !config ? (form ?? emptyProxyCacheForm(DEFAULT_EXPIRATION_S)) : undefined;
    const status = form && Object.keys(form.errors).length > 0 ? 400 : 200;
    return page(
      c,
      <ProxyCachePage chrome={await chrome(deps, c)} org={at.org.name} viewer={{ member: true, admin: at.admin }} config={config} form={shownForm} notice={notice} />,
      status,
    );
  };

  app.get(base, async (c) => {
    const at = await memberPlace(c);
    if (!at) return notFoundPage(deps, c);
    const notice = c.req.query("saved") !== undefined ? "Saved the proxy cache configuration." : c.req.query("removed") !== undefined ? "Removed the proxy cache configuration." : undefined;
    return tabPage(c, at, undefined, notice);
  });

  app.post(base, async (c) => {
    const at = await adminPlace(c);
    if (!at) return notFoundPage(deps, c);
    const { form, input } = await readForm(c);
    if (!input) return tabPage(c, at, form);
    try {
      await createProxyCacheConfig(deps.db, actor(c), at.org.namespaceId, input, deps.config.ssrfAllowedHosts);
    } catch (err) {
      const refusal = refusalOf(err);
      form.errors[proxyCacheFieldOf(refusal) ?? "form"] = refusal.message;
      return tabPage(c, at, form);
    }
    return c.redirect(`${proxyCachePath(at.org.name)}?saved`, 303);
  });

  app.post(`${base}/validate`, async (c) => {
    const at = await adminPlace(c);
    if (!at) return notFoundPage(deps, c);
    const { form, input } = await readForm(c);
    let validation: ProxyValidation;
    if (!input) validation = { ok: false, message: form.errors.expiration_s! };
    else {
      try {
        validation = { ok: true, outcome: await validateUpstream(input, deps.config.ssrfAllowedHosts, deps.clock) };
      } catch (err) {
        validation = { ok: false, message: refusalOf(err).message };
      }
    }
    // The outcome is no error of the form's: htmx swaps it in place (its 200), or the page shows it.
    if (wantsFragment(c, PROXY_VALIDATION_ID)) return fragment(c, <ProxyValidationResult validation={validation} />);
    return tabPage(c, at, { ...form, errors: {}, validation });
  });

  app.get(`${base}/remove`, async (c) => {
    const at = await adminPlace(c);
    const config = at && (await factsOf(at.org));
    if (!at || !config) return notFoundPage(deps, c);
    return page(c, <RemoveProxyCachePage chrome={await chrome(deps, c)} org={at.org.name} config={config} />);
  });

  app.post(`${base}/remove`, async (c) => {
    const at = await adminPlace(c);
    if (!at) return notFoundPage(deps, c);
    try {
      await deleteProxyCacheConfig(deps.db, actor(c), at.org.namespaceId);
    } catch (err) {
      if (err instanceof DomainError && err.code === "NOT_FOUND") return notFoundPage(deps, c);
      throw err;
    }
    return c.redirect(`${proxyCachePath(at.org.name)}?removed`, 303);
  });

  return app;
}

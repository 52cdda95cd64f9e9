// What the registry door needs from the rest of the process.
import type { Context } from "hono";
import { clientUsedHttps } from "../client-ip.ts";
import type { Config } from "../config.ts";
import type { RegistryTokens } from "../auth/registry-tokens.ts";
import type { PrincipalState } from "../domain/accounts/principal-state.ts";
import type { Services } from "../domain/services.ts";

export interface RegistryDeps extends Services {
  config: Config;
  tokens: RegistryTokens;
  /** Whether callers' accounts and tokens still stand (checked on every request). */
  principals: PrincipalState;
}

/** The name clients know this registry by: the public URL's host, else the Host they used. */
export function serviceName(config: Config, requestUrl: URL): string {
  return config.publicUrl ? new URL(config.publicUrl).host : requestUrl.host;
}

/** scheme://host for links and the token realm (https behind a trusted TLS proxy too). */
export function baseUrl(config: Config, c: Context): string {
  if (config.publicUrl) return config.publicUrl;
  return `${clientUsedHttps(c, config) ? "https:" : "http:"}//${new URL(c.req.url).host}`;
}

// What makes an OAuth request well-formed, shared by the consent flow (oauth-authorization.ts)
// and assignments (oauth-assignments.ts): the redirect URIs an application may use, the scope
// list and the response types.
import type { OAuthApplication } from "./applications.ts";
import { ALL_SCOPES, parseScopeList, type Scope } from "./oauth-tokens.ts";

export type ResponseType = "token" | "code";

export const isResponseType = (text: string): text is ResponseType => text === "token" || text === "code";

/**
 * A redirect URI the application may use: the instance's own `/oauth/localapp`, or one with the
 * scheme and host of the application's redirect URI and a path at or under its path.
 */
export function redirectUriAllowed(application: OAuthApplication, redirectUri: string, publicUrl: string): boolean {
  let wanted: URL;
  try {
    wanted = new URL(redirectUri);
  } catch {
    return false;
  }
  if (redirectUri === `${publicUrl}/oauth/localapp`) return true;
  let registered: URL;
  try {
    registered = new URL(application.redirectUri);
  } catch {
    return false;
  }
  if (wanted.protocol !== registered.protocol || wanted.host !== registered.host) return false;
  const base = registered.pathname.replace(/\/+$/, "");
  return wanted.pathname === registered.pathname || wanted.pathname.startsWith(`${base}/`);
}

/** Every scope named must be known; space or comma separated. */
export function parseRequestedScopes(text: string): Scope[] | null {
  const names = parseScopeList(text);
  if (names.length === 0 || names.some((n) => !(ALL_SCOPES as readonly string[]).includes(n))) return null;
  return [...new Set(names)] as Scope[];
}

// Who is acting: an anonymous caller or a signed-in user, plus where the request came from
// (for the usage log).
import type { ScopeCaps } from "./scopes.ts";

export interface UserPrincipal {
  kind: "user";
  userId: number;
  username: string;
  namespaceId: number;
  superuser: boolean;
  /**
   * The account's auth generation when its credential was checked (`users.auth_generation`):
   * a principal whose account has moved on since is no longer current (`principal-state.ts`).
   */
  generation?: number;
  /** Set when an OAuth token authenticated the caller: which one, and what its scopes allow. */
  viaToken?: { id: number; caps: ScopeCaps };
  /** Set when an application-specific token was the password: its id (revoking it ends the login). */
  viaAppToken?: number;
  /** A robot account (its `namespaceId` is NO_NAMESPACE: it owns none). */
  robot?: true;
}

/** The `namespaceId` of a principal that owns no namespace (robots): no namespace has id 0. */
export const NO_NAMESPACE = 0;

export type Principal = { kind: "anonymous" } | UserPrincipal;

export const anonymous: Principal = { kind: "anonymous" };

export interface Actor {
  principal: Principal;
  ip?: string | null;
}

export const performerId = (actor: Actor) => (actor.principal.kind === "user" ? actor.principal.userId : null);

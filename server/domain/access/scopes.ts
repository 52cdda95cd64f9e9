// What OAuth scopes allow: each kind of right is capped at the highest role any held scope
// grants (Quay's SCOPE_MAX_*_ROLES). The caller's real rights still decide; scopes only narrow
// them. A browser session holds every scope.
import type { Role } from "./permissions.ts";
import type { Scope } from "../accounts/oauth-tokens.ts";

export type NamespaceRole = "creator" | "admin";
export type UserRole = "read" | "admin";

export interface ScopeCaps {
  /** The highest repository role usable. */
  repo: Role | null;
  /** The highest namespace-wide role usable (creator: may create repositories). */
  namespace: NamespaceRole | null;
  /** The highest role usable on one's own account. */
  user: UserRole | null;
  /** Whether superuser rights are usable. */
  superuser: boolean;
}

const REPO: Partial<Record<Scope, Role>> = { "repo:read": "read", "repo:write": "write", "repo:admin": "admin" };
const NAMESPACE: Partial<Record<Scope, NamespaceRole>> = { "repo:create": "creator", "org:admin": "admin" };
const USER: Partial<Record<Scope, UserRole>> = { "user:read": "read", "user:admin": "admin" };

const REPO_RANK: Record<Role, number> = { read: 1, write: 2, admin: 3 };
const NAMESPACE_RANK: Record<NamespaceRole, number> = { creator: 1, admin: 2 };
const USER_RANK: Record<UserRole, number> = { read: 1, admin: 2 };

function highest<R extends string>(scopes: Iterable<Scope>, grants: Partial<Record<Scope, R>>, rank: Record<R, number>) {
  let best: R | null = null;
  for (const scope of scopes) {
    const role = grants[scope];
    if (role !== undefined && (best === null || rank[role] > rank[best])) best = role;
  }
  return best;
}

export function capsOf(scopes: ReadonlySet<Scope>): ScopeCaps {
  return {
    repo: highest(scopes, REPO, REPO_RANK),
    namespace: highest(scopes, NAMESPACE, NAMESPACE_RANK),
    user: highest(scopes, USER, USER_RANK),
    superuser: scopes.has("super:user"),
  };
}

export const SESSION_CAPS: ScopeCaps = { repo: "admin", namespace: "admin", user: "admin", superuser: true };
export const NO_CAPS: ScopeCaps = { repo: null, namespace: null, user: null, superuser: false };

/** The lower of a real role and the scope cap. */
export function capRepoRole(role: Role | null, caps: ScopeCaps): Role | null {
  if (role === null || caps.repo === null) return null;
  return REPO_RANK[role] <= REPO_RANK[caps.repo] ? role : caps.repo;
}

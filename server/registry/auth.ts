// Who is calling /v2 and what they may do. Bearer tokens from /v2/auth carry their grants, each
// request getting only those the principal still holds (and only while its account and token
// still stand); Basic credentials are accepted too (checked against the permissions directly). A
// caller who may not do something gets 401 with a token challenge when anonymous, 403 DENIED
// otherwise.
import type { Context } from "hono";
import { parseBasic, checkCredentials } from "../auth/basic-credentials.ts";
import { clientIp } from "../client-ip.ts";
import type { AccessEntry } from "../auth/registry-tokens.ts";
import { type RegistryAction, registryActions } from "../domain/access/access.ts";
import { anonymous, type Principal } from "../domain/access/principal.ts";
import { baseUrl, type RegistryDeps, serviceName } from "./deps.ts";
import { OciError } from "./errors.ts";

export interface Caller {
  principal: Principal;
  /** False when the request carried no credentials at all. */
  presentedCredentials: boolean;
  /** Actions granted on a repository (`namespace/name`). */
  actionsOn(repository: string): Promise<ReadonlySet<string>>;
  /** A registry-wide grant such as `registry:catalog:*`. */
  hasRegistryGrant(name: string): boolean;
}

function fromTokenGrants(deps: RegistryDeps, principal: Principal, access: AccessEntry[]): Caller {
  return {
    principal,
    presentedCredentials: true,
    actionsOn: async (repository) => {
      const actions = new Set<string>();
      for (const entry of access) {
        if (entry.type === "repository" && entry.name === repository) for (const a of entry.actions) actions.add(a);
      }
      if (actions.size === 0) return actions;
      // Rights lost since the token was issued (repository made private, grant revoked) are gone.
      const held = await registryActions(deps, principal, repository);
      return new Set(held.filter((a) => actions.has(a)));
    },
    hasRegistryGrant: (name) => access.some((e) => e.type === "registry" && e.name === name),
  };
}

function fromPermissions(deps: RegistryDeps, principal: Principal, presented: boolean): Caller {
  return {
    principal,
    presentedCredentials: presented,
    actionsOn: async (repository) => new Set(await registryActions(deps, principal, repository)),
    hasRegistryGrant: () => presented,
  };
}

export async function identifyCaller(deps: RegistryDeps, c: Context): Promise<Caller> {
  const header = c.req.header("authorization");
  if (!header) {
    return { ...fromPermissions(deps, anonymous, false), actionsOn: async () => new Set() };
  }
  if (header.toLowerCase().startsWith("bearer ")) {
    const verified = await deps.tokens.verify(header.slice(7).trim(), serviceName(deps.config, new URL(c.req.url)));
    if (!verified || !(await deps.principals.isCurrent(verified.principal))) {
      throw challenge(deps, c, undefined, "invalid or expired token", "invalid_token");
    }
    return fromTokenGrants(deps, verified.principal, verified.access);
  }
  const basic = parseBasic(header);
  if (!basic) throw challenge(deps, c, undefined, "unsupported authorization scheme");
  const principal = await checkCredentials(deps, basic.username, basic.password, clientIp(c, deps.config));
  if (!principal) throw challenge(deps, c, undefined, "invalid username or password");
  return fromPermissions(deps, principal, true);
}

/** The 401 that tells a client where to get a token (and for which scope). */
export function challenge(
  deps: RegistryDeps,
  c: Context,
  scope: string | undefined,
  message = "authentication required",
  error?: string,
): OciError {
  const url = new URL(c.req.url);
  const realm = `${baseUrl(deps.config, c)}/v2/auth`;
  let value = `Bearer realm="${realm}",service="${serviceName(deps.config, url)}"`;
  if (scope) value += `,scope="${scope}"`;
  if (error) value += `,error="${error}"`;
  return new OciError("UNAUTHORIZED", message, null, 401, { "WWW-Authenticate": value });
}

/**
 * Throws unless the caller holds `action` on the repository. A token that merely lacks the
 * action (the caller asked for a narrower scope) earns a 401 challenge for the wider scope, so
 * clients fetch a new token; a caller who truly lacks the right gets 403 DENIED (401 when
 * anonymous; a HEAD gets a 401 challenge instead), the same answer whether or not the repository
 * exists.
 */
export async function requireAction(
  deps: RegistryDeps,
  c: Context,
  caller: Caller,
  repository: string,
  action: RegistryAction,
): Promise<void> {
  const granted = await caller.actionsOn(repository);
  if (granted.has(action) || granted.has("*")) return;
  const scope = `repository:${repository}:${action === "pull" ? "pull" : `pull,${action}`}`;
  if (!caller.presentedCredentials) throw challenge(deps, c, scope);
  const entitled = await registryActions(deps, caller.principal, repository);
  if (entitled.includes(action)) throw challenge(deps, c, scope, "insufficient scope", "insufficient_scope");
  if (caller.principal.kind === "anonymous") throw challenge(deps, c, scope);
  // A HEAD response has no body, so a 403 would reach the user as a bare "403 (Forbidden)";
  // a 401 challenge carries the reason in its header and clients report it as unauthorized.
  if (c.req.method === "HEAD") {
    throw challenge(deps, c, scope, "requested access to the resource is denied", "insufficient_scope");
  }
  throw new OciError("DENIED", "requested access to the resource is denied", { repository, action });
}

// GET /v2/auth — the Docker token endpoint. Credentials (Basic: password, or `$oauthtoken`
// with an OAuth token; none for anonymous) plus `scope` parameters in, a signed JWT out that
// grants only the requested actions the caller actually holds.
import type { Context } from "hono";
import { checkCredentials, parseBasic } from "../auth/basic-credentials.ts";
import { clientIp } from "../client-ip.ts";
import type { AccessEntry } from "../auth/registry-tokens.ts";
import { registryActions } from "../domain/access/access.ts";
import { anonymous, type Principal } from "../domain/access/principal.ts";
import { type RegistryDeps, serviceName } from "./deps.ts";
import { OciError } from "./errors.ts";
import { mirrorOrganization } from "./proxy.ts";

interface RequestedScope {
  type: string;
  name: string;
  actions: string[];
}

function parseScope(scope: string): RequestedScope {
  const first = scope.indexOf(":");
  const last = scope.lastIndexOf(":");
  if (first <= 0 || last === first) throw new OciError("INVALID_REQUEST", `invalid scope "${scope}"`);
  const actions = scope.slice(last + 1).split(",").filter(Boolean);
  return { type: scope.slice(0, first), name: scope.slice(first + 1, last), actions };
}

/** A scope may name the registry host first (`host:5000/ns/repo`); grants use the bare name. */
function stripHost(name: string, host: string): string {
  return name.startsWith(`${host}/`) ? name.slice(host.length + 1) : name;
}

async function grant(
  deps: RegistryDeps,
  principal: Principal,
  scope: RequestedScope,
  host: string,
  mirrored: string | null,
): Promise<AccessEntry | null> {
  if (scope.type === "registry") {
    return scope.name === "catalog" ? { type: "registry", name: "catalog", actions: ["*"] } : null;
  }
  if (scope.type !== "repository") return null;
  // Through a prefix-less mirror host, names are the proxy organization's without its prefix.
  const name = mirrored ? `${mirrored}/${stripHost(scope.name, host)}` : stripHost(scope.name, host);
  const held = new Set<string>(await registryActions(deps, principal, name));
  const wanted = scope.actions.includes("*") ? ["pull", "push", "delete"] : scope.actions;
  return { type: "repository", name, actions: wanted.filter((a) => held.has(a)) };
}

export async function tokenEndpoint(deps: RegistryDeps, c: Context): Promise<Response> {
  const url = new URL(c.req.url);
  const scopes = url.searchParams.getAll("scope").flatMap((s) => s.split(" ")).filter(Boolean).map(parseScope);
  const header = c.req.header("authorization");
  let principal: Principal = anonymous;
  if (header) {
    const basic = parseBasic(header);
    const user = basic && (await checkCredentials(deps, basic.username, basic.password, clientIp(c, deps.config)));
    if (!user) throw new OciError("UNAUTHORIZED", "invalid username or password");
    principal = user;
  } else if (scopes.length === 0) {
    throw new OciError("UNAUTHORIZED", "authentication required");
  }
  const host = serviceName(deps.config, url);
  const access: AccessEntry[] = [];
  const mirrored = mirrorOrganization(deps, c);
  for (const scope of scopes) {
    const entry = await grant(deps, principal, scope, host, mirrored);
    if (entry) access.push(entry);
  }
  const audience = url.searchParams.get("service") ?? host;
  if (audience !== host) throw new OciError("INVALID_REQUEST", `unknown service "${audience}"`);
  const issued = await deps.tokens.issue(principal, audience, access);
  return c.json({
    token: issued.token,
    access_token: issued.token,
    expires_in: issued.expiresIn,
    issued_at: issued.issuedAt,
  });
}

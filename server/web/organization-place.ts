// The organization a tab is about, for its members (admin: may change it); null for anyone else
// (their tab is a 404). The Proxy cache and Mirroring tabs share it.
import type { AppDeps } from "../deps.ts";
import { findOrganization, type Organization } from "../domain/accounts/organizations.ts";
import { orgRole } from "../domain/accounts/teams.ts";
import type { WebContext } from "./session.ts";

export interface Place {
  org: Organization;
  admin: boolean;
}

export async function memberPlace(deps: AppDeps, c: WebContext): Promise<Place | null> {
  const principal = c.get("principal");
  const org = await findOrganization(deps.db, c.req.param("name")!);
  const role = org && principal.kind === "user" ? await orgRole(deps.db, principal.userId, org.namespaceId) : null;
  return org && role ? { org, admin: role === "admin" } : null;
}

export async function adminPlace(deps: AppDeps, c: WebContext): Promise<Place | null> {
  const at = await memberPlace(deps, c);
  return at?.admin ? at : null;
}

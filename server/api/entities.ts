// `GET /api/v1/entities/{prefix}?namespace=&includeTeams=&includeOrgs=`: users, robots and
// teams whose names start with the prefix, in Quay's shape (domain/accounts/entities.ts).
import { matchEntities } from "../domain/accounts/entities.ts";
import { avatar } from "./avatar.ts";
import { truthy } from "./input.ts";
import type { ApiRequest } from "./request.ts";

export async function entitiesHandler({ deps, c, caller }: ApiRequest, prefix: string): Promise<Response> {
  const found = await matchEntities(deps.db, caller.principal, {
    prefix,
    namespace: c.req.query("namespace") ?? "",
    includeTeams: truthy(c.req.query("includeTeams"), false),
    includeOrgs: truthy(c.req.query("includeOrgs"), false),
    // Quay lists one's own robots only to a login that may administer the account.
    selfAdmin: caller.caps.user === "admin",
  });
  const results: Record<string, unknown>[] = [
    ...found.teams.map((name) => ({ name, kind: "team", is_org_member: true, avatar: avatar(name, name, "team") })),
    ...found.users.map((u) => ({
      name: u.username,
      kind: "user",
      is_robot: u.robot,
      avatar: avatar(u.username, u.email, u.robot ? "robot" : "user"),
      ...(u.isOrgMember === undefined ? {} : { is_org_member: u.isOrgMember }),
    })),
  ];
  if (found.org) {
    results.push({ name: found.org.name, kind: "org", is_org_member: true, avatar: avatar(found.org.name, found.org.email, "org") });
  }
  return c.json({ results });
}

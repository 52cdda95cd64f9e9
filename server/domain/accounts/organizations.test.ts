import { eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { auditLog, teamMembers, teams } from "../../../db/schema.ts";
import { type TestEnv, testEnv } from "../../../e2e/support/test-app.ts";
import { DomainError } from "../errors.ts";
import { toPrincipal } from "./users.ts";
import { createOrganization, findOrganization, OWNERS_TEAM } from "./organizations.ts";
import { orgRole } from "./teams.ts";

let env: TestEnv;
beforeAll(async () => {
  env = await testEnv();
});
afterAll(() => env.close());

it("creates an organization whose owners team holds its creator", async () => {
  const alice = await env.user("alice");
  const org = await createOrganization(env.deps.db, { name: "acme", email: "ops@acme.test" }, { principal: toPrincipal(alice) });
  expect(org).toMatchObject({ name: "acme", email: "ops@acme.test", tagExpirationS: 14 * 24 * 3600 });
  expect(await findOrganization(env.deps.db, "acme")).toEqual(org);

  const owners = await env.deps.db.select().from(teams).where(eq(teams.namespaceId, org.namespaceId));
  expect(owners).toMatchObject([{ name: OWNERS_TEAM, role: "admin" }]);
  const members = await env.deps.db.select().from(teamMembers).where(eq(teamMembers.teamId, owners[0]!.id));
  expect(members).toEqual([{ teamId: owners[0]!.id, userId: alice.id }]);
  expect(await orgRole(env.deps.db, alice.id, org.namespaceId)).toBe("admin");
  const [log] = await env.deps.db.select().from(auditLog).where(eq(auditLog.kind, "org_create"));
  expect(log).toMatchObject({ namespaceId: org.namespaceId, performerId: alice.id, metadata: { namespace: "acme" } });
});

it("refuses a name a user or another organization already has, and bad names", async () => {
  const bob = await env.user("bob");
  const actor = { principal: toPrincipal(bob) };
  for (const name of ["alice", "acme"]) {
    await expect(createOrganization(env.deps.db, { name }, actor)).rejects.toMatchObject({
      code: "CONFLICT",
      message: "A user or organization with this name already exists",
    });
  }
  await expect(createOrganization(env.deps.db, { name: "Not Valid" }, actor)).rejects.toBeInstanceOf(DomainError);
  await expect(createOrganization(env.deps.db, { name: "anon-org" }, { principal: { kind: "anonymous" } })).rejects.toMatchObject({
    code: "UNAUTHENTICATED",
  });
  expect(await findOrganization(env.deps.db, "alice")).toBeUndefined();
  const acme = await findOrganization(env.deps.db, "acme");
  expect(await orgRole(env.deps.db, bob.id, acme!.namespaceId)).toBeNull();
});

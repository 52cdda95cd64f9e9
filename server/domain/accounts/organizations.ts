// Organizations: namespaces that people share through teams. Creating one makes its `owners`
// team (role admin) with the creator in it, as Quay does; its settings, members (people in its
// teams), collaborators (people granted repositories outside every team) and deletion.
import { and, asc, count, eq, gte, inArray, ne, sql } from "drizzle-orm";
import type { DbOrTx } from "../../../db/client.ts";
import { namespaces, organizations, repoPermissions, repositories, teamMembers, teams, users } from "../../../db/schema.ts";
import { performedBy, writeAudit } from "../activity/audit.ts";
import { type Actor } from "../access/principal.ts";
import { DomainError } from "../errors.ts";
import { isValidNamespaceName } from "../names.ts";
import { checkTagExpirationWindow } from "./namespaces.ts";
import type { Services } from "../services.ts";
import { type Account, inSomeTeam, logOrgAction, type Team, TEAM_RANK, type TeamRole, teamsOf } from "./teams.ts";

export const OWNERS_TEAM = "owners";
const EMAIL = /^[^\s@]+@[^\s@]+$/;

export interface Organization {
  namespaceId: number;
  name: string;
  email: string;
  invoiceEmail: boolean;
  invoiceEmailAddress: string | null;
  tagExpirationS: number;
  createdAt: Date;
}

export interface NewOrganization {
  name: string;
  email?: string;
}

/** Creates an organization owned by the acting user (who lands in its `owners` team). */
export async function createOrganization(db: DbOrTx, input: NewOrganization, actor: Actor): Promise<Organization> {
  const creator = actor.principal;
  if (creator.kind !== "user") throw new DomainError("UNAUTHENTICATED", "Sign in to create an organization");
  if (!isValidNamespaceName(input.name)) {
    throw new DomainError("INVALID_REQUEST", "Invalid organization name", { name: "Invalid organization name" });
  }
  if (input.email && !EMAIL.test(input.email)) throw new DomainError("INVALID_REQUEST", "Invalid email address");
  return db.transaction(async (tx) => {
    const [ns] = await tx.insert(namespaces).values({ name: input.name, kind: "org" }).onConflictDoNothing().returning();
    if (!ns) {
      const message = "A user or organization with this name already exists";
      throw new DomainError("CONFLICT", message, { name: message });
    }
    const [org] = await tx
      .insert(organizations)
      .values({ namespaceId: ns.id, email: input.email ?? "" })
      .returning();
    const [owners] = await tx
      .insert(teams)
      .values({ namespaceId: ns.id, name: OWNERS_TEAM, role: "admin" })
      .returning({ id: teams.id });
    await tx.insert(teamMembers).values({ teamId: owners!.id, userId: creator.userId });
    await writeAudit(tx, {
      kind: "org_create",
      namespaceId: ns.id,
      ...performedBy(actor),
      metadata: { email: org!.email, namespace: ns.name },
    });
    return toOrganization(org!, ns);
  });
}

/** An organization from its row and its namespace's. */
export const toOrganization = (org: typeof organizations.$inferSelect, ns: typeof namespaces.$inferSelect): Organization => ({
  ...org,
  name: ns.name,
  tagExpirationS: ns.tagExpirationS,
  createdAt: ns.createdAt,
});

export async function findOrganization(db: DbOrTx, name: string): Promise<Organization | undefined> {
  const [row] = await db
    .select({ org: organizations, ns: namespaces })
    .from(organizations)
    .innerJoin(namespaces, eq(namespaces.id, organizations.namespaceId))
    .where(eq(namespaces.name, name));
  return row && toOrganization(row.org, row.ns);
}

export interface OrganizationChanges {
  email?: string;
  invoiceEmail?: boolean;
  invoiceEmailAddress?: string | null;
  tagExpirationS?: number;
}

/** Changes an organization's settings, logging each change with Quay's kinds. */
export async function updateOrganization(
  db: DbOrTx,
  actor: Actor,
  org: Organization,
  changes: OrganizationChanges,
): Promise<Organization> {
  if (changes.tagExpirationS !== undefined) checkTagExpirationWindow(changes.tagExpirationS);
  if (changes.email !== undefined && changes.email !== org.email && !EMAIL.test(changes.email)) {
    throw new DomainError("INVALID_REQUEST", "Invalid email address");
  }
  const log = (tx: DbOrTx, kind: string, metadata: Record<string, unknown>) =>
    logOrgAction(tx, actor, org, kind, { ...metadata, namespace: org.name });
  await db.transaction(async (tx) => {
    const set = (values: Partial<typeof organizations.$inferInsert>) =>
      tx.update(organizations).set(values).where(eq(organizations.namespaceId, org.namespaceId));
    if (changes.invoiceEmail !== undefined) {
      await set({ invoiceEmail: changes.invoiceEmail });
      await log(tx, "org_change_invoicing", { invoice_email: changes.invoiceEmail });
    }
    if (changes.invoiceEmailAddress !== undefined && changes.invoiceEmailAddress !== org.invoiceEmailAddress) {
      await set({ invoiceEmailAddress: changes.invoiceEmailAddress });
      await log(tx, "org_change_invoicing", { invoice_email_address: changes.invoiceEmailAddress });
    }
    if (changes.email !== undefined && changes.email !== org.email) {
      const [taken] = await tx.select({ id: users.id }).from(users).where(sql`lower(${users.email}) = lower(${changes.email})`);
      if (taken) throw new DomainError("INVALID_REQUEST", "E-mail address already used");
      await set({ email: changes.email });
      await log(tx, "org_change_email", { email: changes.email, old_email: org.email });
    }
    if (changes.tagExpirationS !== undefined) {
      await tx.update(namespaces).set({ tagExpirationS: changes.tagExpirationS }).where(eq(namespaces.id, org.namespaceId));
      await log(tx, "org_change_tag_expiration", { tag_expiration: changes.tagExpirationS });
    }
  });
  return (await findOrganization(db, org.name))!;
}

/**
 * Deletes an organization with everything in it: its repositories (their blobs' bytes wait for
 * garbage collection), teams, robots and grants. The log row stays, naming it.
 */
export async function deleteOrganization(svc: Pick<Services, "db" | "cache">, actor: Actor, org: Organization): Promise<void> {
  await svc.db.transaction(async (tx) => {
    await logOrgAction(tx, actor, org, "org_delete", { namespace: org.name });
    await tx.delete(namespaces).where(eq(namespaces.id, org.namespaceId));
  });
  svc.cache.forgetNamespace(org.namespaceId); // this node at once; others hear each repository go
}

/** Every organization in the order they were made, all or (superusers' paging) from `startId` on. */
export async function listOrganizations(db: DbOrTx, page?: { startId: number; limit: number }): Promise<Organization[]> {
  const rows = await db
    .select({ org: organizations, ns: namespaces })
    .from(organizations)
    .innerJoin(namespaces, eq(namespaces.id, organizations.namespaceId))
    .where(page ? gte(namespaces.id, page.startId) : undefined)
    .orderBy(asc(namespaces.id))
    .limit(page?.limit ?? Number.MAX_SAFE_INTEGER);
  return rows.map((row) => toOrganization(row.org, row.ns));
}

/**
 * Renames an organization (Quay's superuser rename): its robots `old+x` become `new+x`, its
 * repositories answer under the new name at once (on every node: the namespace's cached
 * repositories are dropped), and the old name is free again.
 */
export async function renameOrganization(
  svc: Pick<Services, "db" | "cache">,
  actor: Actor,
  org: Organization,
  name: string,
): Promise<Organization> {
  if (!isValidNamespaceName(name)) throw new DomainError("INVALID_REQUEST", "Invalid organization name");
  if (name === org.name) return org;
  await svc.db.transaction(async (tx) => {
    const [renamed] = await tx
      .update(namespaces)
      .set({ name })
      .where(and(eq(namespaces.id, org.namespaceId), sql`not exists (select 1 from ${namespaces} n where n.name = ${name})`))
      .returning({ id: namespaces.id });
    if (!renamed) throw new DomainError("INVALID_REQUEST", "A user or organization with this name already exists");
    await tx
      .update(users)
      .set({ username: sql`${name} || '+' || split_part(${users.username}, '+', 2)` })
      .where(and(eq(users.kind, "robot"), eq(users.robotOwnerNamespaceId, org.namespaceId)));
    await logOrgAction(tx, actor, org, "org_change_name", { namespace: name, old_name: org.name, new_name: name });
    await tx.execute(sql`select pg_notify('quayside_content', ${`namespace:${org.namespaceId}`})`);
  });
  svc.cache.forgetNamespace(org.namespaceId);
  return (await findOrganization(svc.db, name))!;
}

/** Someone's place in an organization: their teams and the repositories granted to them directly. */
export interface Membership {
  account: Account;
  teams: Team[];
  repositories: string[];
}

/** Repository names in the namespace granted directly to each of the given accounts. */
async function directGrants(db: DbOrTx, namespaceId: number, userIds: number[]): Promise<Map<number, string[]>> {
  const byUser = new Map<number, string[]>();
  if (userIds.length === 0) return byUser;
  const rows = await db
    .select({ userId: repoPermissions.userId, name: repositories.name })
    .from(repoPermissions)
    .innerJoin(repositories, eq(repositories.id, repoPermissions.repositoryId))
    .where(and(eq(repositories.namespaceId, namespaceId), inArray(repoPermissions.userId, userIds)))
    .orderBy(asc(repositories.name));
  for (const r of rows) byUser.set(r.userId, [...(byUser.get(r.userId) ?? []), r.name]);
  return byUser;
}

/** The people in an organization's teams (robots left out, as Quay lists them), by name. */
export async function organizationMembers(db: DbOrTx, namespaceId: number): Promise<Membership[]> {
  const rows = await db
    .select({ account: users, team: teams })
    .from(teamMembers)
    .innerJoin(teams, eq(teams.id, teamMembers.teamId))
    .innerJoin(users, eq(users.id, teamMembers.userId))
    .where(and(eq(teams.namespaceId, namespaceId), eq(users.kind, "user")))
    .orderBy(asc(users.username), asc(teams.name));
  const members = new Map<number, Membership>();
  for (const { account, team } of rows) {
    const member = members.get(account.id) ?? { account, teams: [], repositories: [] };
    member.teams.push(team);
    members.set(account.id, member);
  }
  const grants = await directGrants(db, namespaceId, [...members.keys()]);
  for (const [id, member] of members) member.repositories = grants.get(id) ?? [];
  return [...members.values()];
}

/**
 * One account's place in an organization: undefined unless it is in one of its teams or is one
 * of its robots.
 */
export async function organizationMember(db: DbOrTx, namespaceId: number, account: Account): Promise<Membership | undefined> {
  const memberTeams = await teamsOf(db, account.id, namespaceId);
  if (memberTeams.length === 0 && account.robotOwnerNamespaceId !== namespaceId) return undefined;
  const grants = await directGrants(db, namespaceId, [account.id]);
  return { account, teams: memberTeams, repositories: grants.get(account.id) ?? [] };
}

/** People outside every team of the organization who hold grants on its repositories, by name. */
export async function organizationCollaborators(db: DbOrTx, namespaceId: number): Promise<Membership[]> {
  const rows = await db
    .selectDistinct({ account: users })
    .from(repoPermissions)
    .innerJoin(repositories, eq(repositories.id, repoPermissions.repositoryId))
    .innerJoin(users, eq(users.id, repoPermissions.userId))
    .where(and(eq(repositories.namespaceId, namespaceId), eq(users.kind, "user")))
    .orderBy(asc(users.username));
  const members = await inSomeTeam(db, namespaceId, rows.map((r) => r.account.id));
  const outside = rows.map((r) => r.account).filter((a) => !members.has(a.id));
  const grants = await directGrants(db, namespaceId, outside.map((a) => a.id));
  return outside.map((account) => ({ account, teams: [], repositories: grants.get(account.id) ?? [] }));
}

/**
 * Takes someone out of an organization: out of every team and every grant on its repositories.
 * The organization must keep an admin: its only remaining admin cannot be removed.
 */
export async function removeOrganizationMember(
  svc: Pick<Services, "db" | "cache">,
  actor: Actor,
  org: Organization,
  account: Account,
): Promise<void> {
  await svc.db.transaction(async (tx) => {
    const memberTeams = await teamsOf(tx, account.id, org.namespaceId);
    if (memberTeams.some((t) => t.role === "admin")) {
      const [others] = await tx
        .select({ n: count() })
        .from(teamMembers)
        .innerJoin(teams, eq(teams.id, teamMembers.teamId))
        .where(and(eq(teams.namespaceId, org.namespaceId), eq(teams.role, "admin"), ne(teamMembers.userId, account.id)));
      if (!others?.n) throw new DomainError("MODEL_REFUSED", "Cannot remove user as they are the only organization admin");
    }
    for (const team of memberTeams) {
      await tx.delete(teamMembers).where(and(eq(teamMembers.teamId, team.id), eq(teamMembers.userId, account.id)));
      await logOrgAction(tx, actor, org, "org_remove_team_member", { member: account.username, team: team.name });
    }
    const orgRepos = tx.select({ id: repositories.id }).from(repositories).where(eq(repositories.namespaceId, org.namespaceId));
    await tx.delete(repoPermissions).where(and(eq(repoPermissions.userId, account.id), inArray(repoPermissions.repositoryId, orgRepos)));
  });
  svc.cache.forgetNamespace(org.namespaceId);
}

/** An organization someone is in, with their highest team role there. */
export interface UserOrganization {
  name: string;
  email: string;
  role: TeamRole;
}

/** The organizations a user (or robot) is in through its teams, by name. */
export async function userOrganizations(db: DbOrTx, userId: number): Promise<UserOrganization[]> {
  const rows = await db
    .select({ name: namespaces.name, email: organizations.email, role: teams.role })
    .from(teamMembers)
    .innerJoin(teams, eq(teams.id, teamMembers.teamId))
    .innerJoin(namespaces, eq(namespaces.id, teams.namespaceId))
    .innerJoin(organizations, eq(organizations.namespaceId, namespaces.id))
    .where(eq(teamMembers.userId, userId))
    .orderBy(asc(namespaces.name));
  const byName = new Map<string, UserOrganization>();
  for (const row of rows) {
    const known = byName.get(row.name);
    if (!known || TEAM_RANK[row.role] > TEAM_RANK[known.role]) byName.set(row.name, row);
  }
  return [...byName.values()];
}

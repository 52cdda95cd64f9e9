// Organizations: namespaces that people share through teams. Creating one makes its `owners`
// team (role admin) with the creator in it, as Quay does.
import { eq } from "drizzle-orm";
import type { DbOrTx } from "../../../db/client.ts";
import { namespaces, organizations, teamMembers, teams } from "../../../db/schema.ts";
import { writeAudit } from "../activity/audit.ts";
import { type Actor, performerId } from "../access/principal.ts";
import { DomainError } from "../errors.ts";
import { isValidNamespaceName } from "../names.ts";

export const OWNERS_TEAM = "owners";

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
      performerId: performerId(actor),
      ip: actor.ip,
      metadata: { email: org!.email, namespace: ns.name },
    });
    return { ...org!, name: ns.name, tagExpirationS: ns.tagExpirationS, createdAt: ns.createdAt };
  });
}

export async function findOrganization(db: DbOrTx, name: string): Promise<Organization | undefined> {
  const [row] = await db
    .select({ org: organizations, ns: namespaces })
    .from(organizations)
    .innerJoin(namespaces, eq(namespaces.id, organizations.namespaceId))
    .where(eq(namespaces.name, name));
  return row && { ...row.org, name: row.ns.name, tagExpirationS: row.ns.tagExpirationS, createdAt: row.ns.createdAt };
}

// OAuth applications registered by organizations (Quay's org "Applications" tab): third-party
// clients that ask users for scoped tokens. Only the organization's admins see or change them.
// Token records and the automation app of `user/initialize` live in oauth-tokens.ts.
import { and, asc, eq } from "drizzle-orm";
import type { DbOrTx } from "../../../db/client.ts";
import { namespaces, oauthApps } from "../../../db/schema.ts";
import { newSecret } from "../../auth/secrets.ts";
import { performedBy, writeAudit } from "../activity/audit.ts";
import { type Actor } from "../access/principal.ts";
import { DomainError } from "../errors.ts";
import { findOrganization, type Organization } from "./organizations.ts";
import { orgRole } from "./teams.ts";

export type OAuthApplication = typeof oauthApps.$inferSelect;

export interface ApplicationFields {
  name: string;
  redirectUri: string;
  applicationUri: string;
  description: string;
  avatarEmail: string | null;
}

/** Quay's client ids are 20 characters and secrets 40. */
export const newClientId = () => newSecret(15);
export const newClientSecret = () => newSecret(30);

export async function isOrgAdmin(db: DbOrTx, actor: Actor, org: Organization): Promise<boolean> {
  return actor.principal.kind === "user" && (await orgRole(db, actor.principal.userId, org.namespaceId)) === "admin";
}

/**
 * The organization `name` if the actor administers it. Anyone else is refused alike whether or
 * not it exists, as Quay does (its permission check comes first).
 */
export async function administeredOrganization(db: DbOrTx, actor: Actor, name: string): Promise<Organization> {
  const org = await findOrganization(db, name);
  if (!org || !(await isOrgAdmin(db, actor, org))) throw new DomainError("FORBIDDEN", "Unauthorized");
  return org;
}

export async function listApplications(db: DbOrTx, org: Organization): Promise<OAuthApplication[]> {
  return db.select().from(oauthApps).where(eq(oauthApps.namespaceId, org.namespaceId)).orderBy(asc(oauthApps.id));
}

export async function findApplication(db: DbOrTx, org: Organization, clientId: string): Promise<OAuthApplication> {
  const [app] = await db
    .select()
    .from(oauthApps)
    .where(and(eq(oauthApps.namespaceId, org.namespaceId), eq(oauthApps.clientId, clientId)));
  if (!app) throw new DomainError("NOT_FOUND", "Not Found");
  return app;
}

/**
 * Any organization's application by client id, with its organization (the public view and the
 * OAuth flows); undefined if none. A user's own automation app has no organization: not found.
 */
export async function applicationByClientId(
  db: DbOrTx,
  clientId: string,
): Promise<{ application: OAuthApplication; org: Organization } | undefined> {
  const [row] = await db
    .select({ application: oauthApps, name: namespaces.name })
    .from(oauthApps)
    .innerJoin(namespaces, eq(namespaces.id, oauthApps.namespaceId))
    .where(eq(oauthApps.clientId, clientId));
  const org = row && (await findOrganization(db, row.name));
  return org && { application: row.application, org };
}

async function audit(tx: DbOrTx, actor: Actor, kind: string, app: OAuthApplication, extra: Record<string, unknown> = {}) {
  await writeAudit(tx, {
    kind,
    namespaceId: app.namespaceId,
    ...performedBy(actor),
    metadata: { ...extra, application_name: app.name, client_id: app.clientId },
  });
}

/** `request` is what the caller sent, logged with the names Quay logs (its request body). */
export async function createApplication(
  db: DbOrTx,
  actor: Actor,
  org: Organization,
  fields: ApplicationFields,
  request: Record<string, unknown>,
): Promise<OAuthApplication> {
  return db.transaction(async (tx) => {
    const [app] = await tx
      .insert(oauthApps)
      .values({ namespaceId: org.namespaceId, clientId: newClientId(), clientSecret: newClientSecret(), ...fields })
      .returning();
    await audit(tx, actor, "create_application", app!, request);
    return app!;
  });
}

export async function updateApplication(
  db: DbOrTx,
  actor: Actor,
  app: OAuthApplication,
  fields: ApplicationFields,
  request: Record<string, unknown>,
): Promise<OAuthApplication> {
  return db.transaction(async (tx) => {
    const [updated] = await tx.update(oauthApps).set(fields).where(eq(oauthApps.id, app.id)).returning();
    await audit(tx, actor, "update_application", updated!, request);
    return updated!;
  });
}

/** Deleting an application ends every token it issued (they cascade). */
export async function deleteApplication(db: DbOrTx, actor: Actor, app: OAuthApplication): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.delete(oauthApps).where(eq(oauthApps.id, app.id));
    await audit(tx, actor, "delete_application", app);
  });
}

export async function resetClientSecret(db: DbOrTx, actor: Actor, app: OAuthApplication): Promise<OAuthApplication> {
  return db.transaction(async (tx) => {
    const [updated] = await tx
      .update(oauthApps)
      .set({ clientSecret: newClientSecret() })
      .where(eq(oauthApps.id, app.id))
      .returning();
    await audit(tx, actor, "reset_application_client_secret", updated!);
    return updated!;
  });
}

// Assigned authorizations (Quay's ASSIGN_OAUTH_TOKEN): an organization admin asks another user
// to authorize one of the organization's OAuth applications with given scopes. Nothing is
// granted until that user goes through the ordinary consent flow with the assignment's uuid
// (oauth-authorization.ts), which may grant no more than was assigned and uses the assignment up.
import { and, asc, eq } from "drizzle-orm";
import type { DbOrTx } from "../../../db/client.ts";
import { namespaces, oauthApps, oauthAssignedAuthorizations, organizations } from "../../../db/schema.ts";
import { performedBy, writeAudit } from "../activity/audit.ts";
import { type Actor } from "../access/principal.ts";
import { DomainError } from "../errors.ts";
import { applicationByClientId, isOrgAdmin, type OAuthApplication } from "./applications.ts";
import { isResponseType, parseRequestedScopes, redirectUriAllowed } from "./oauth-requests.ts";
import { type Organization, toOrganization } from "./organizations.ts";
import { findUserByName, type User } from "./users.ts";
import { isUuid } from "../uuids.ts";

export interface Assignment {
  id: number;
  uuid: string;
  redirectUri: string;
  scopes: string;
  responseType: string;
  application: OAuthApplication;
  org: Organization;
}

export interface AssignmentRequest {
  clientId: string;
  username: string;
  redirectUri: string;
  scope: string;
  responseType: string;
}

/**
 * Records the assignment. The application and the user must exist (404, checked first as Quay
 * does), the actor must administer the application's organization (403), and the request must be
 * one the assignee could make themselves (redirect URI, scopes, response type).
 */
export async function assignAuthorization(
  db: DbOrTx,
  actor: Actor,
  request: AssignmentRequest,
  publicUrl: string,
): Promise<{ uuid: string; user: User }> {
  const found = await applicationByClientId(db, request.clientId);
  if (!found) throw new DomainError("NOT_FOUND", "Application not found");
  const user = await findUserByName(db, request.username);
  if (!user) throw new DomainError("NOT_FOUND", "User not found");
  if (!(await isOrgAdmin(db, actor, found.org))) throw new DomainError("FORBIDDEN", "Unauthorized");
  if (!redirectUriAllowed(found.application, request.redirectUri, publicUrl)) {
    throw new DomainError("INVALID_REQUEST", "Invalid redirect_uri");
  }
  const scopes = parseRequestedScopes(request.scope);
  if (!scopes) throw new DomainError("INVALID_REQUEST", "Invalid scope");
  if (!isResponseType(request.responseType)) throw new DomainError("INVALID_REQUEST", "Invalid response_type");
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(oauthAssignedAuthorizations)
      .values({
        appId: found.application.id,
        userId: user.id,
        redirectUri: request.redirectUri,
        scopes: scopes.join(" "),
        responseType: request.responseType,
      })
      .returning({ uuid: oauthAssignedAuthorizations.uuid });
    await writeAudit(tx, {
      kind: "oauth_token_assigned",
      namespaceId: found.org.namespaceId,
      ...performedBy(actor),
      metadata: {
        application: found.application.name,
        client_id: found.application.clientId,
        assigned_user: user.username,
        scope: scopes.join(" "),
      },
    });
    return { uuid: row!.uuid, user };
  });
}

async function assignmentsWhere(db: DbOrTx, userId: number, uuid?: string): Promise<Assignment[]> {
  const rows = await db
    .select({ assignment: oauthAssignedAuthorizations, application: oauthApps, org: organizations, ns: namespaces })
    .from(oauthAssignedAuthorizations)
    .innerJoin(oauthApps, eq(oauthApps.id, oauthAssignedAuthorizations.appId))
    .innerJoin(organizations, eq(organizations.namespaceId, oauthApps.namespaceId))
    .innerJoin(namespaces, eq(namespaces.id, oauthApps.namespaceId))
    .where(
      and(
        eq(oauthAssignedAuthorizations.userId, userId),
        uuid === undefined ? undefined : eq(oauthAssignedAuthorizations.uuid, uuid),
      ),
    )
    .orderBy(asc(oauthAssignedAuthorizations.id));
  return rows.map(({ assignment: { id, uuid: key, redirectUri, scopes, responseType }, application, org, ns }) => ({
    id,
    uuid: key,
    redirectUri,
    scopes,
    responseType,
    application,
    org: toOrganization(org, ns),
  }));
}

/** The user's pending assignments, oldest first. */
export function listAssignments(db: DbOrTx, user: Pick<User, "id">): Promise<Assignment[]> {
  return assignmentsWhere(db, user.id);
}

/** One of the user's assignments by uuid (undefined for anyone else's or a malformed uuid). */
export async function findAssignment(db: DbOrTx, userId: number, uuid: string): Promise<Assignment | undefined> {
  if (!isUuid(uuid)) return undefined;
  return (await assignmentsWhere(db, userId, uuid))[0];
}

/** Declines (deletes) one of the user's assignments; false when there was none. */
export async function declineAssignment(db: DbOrTx, user: Pick<User, "id">, uuid: string): Promise<boolean> {
  if (!isUuid(uuid)) return false;
  const gone = await db
    .delete(oauthAssignedAuthorizations)
    .where(and(eq(oauthAssignedAuthorizations.userId, user.id), eq(oauthAssignedAuthorizations.uuid, uuid)))
    .returning({ id: oauthAssignedAuthorizations.id });
  return gone.length > 0;
}

/** Uses the assignment up as its grant is issued; false when it was used (or declined) already. */
export async function consumeAssignment(db: DbOrTx, id: number): Promise<boolean> {
  const gone = await db
    .delete(oauthAssignedAuthorizations)
    .where(eq(oauthAssignedAuthorizations.id, id))
    .returning({ id: oauthAssignedAuthorizations.id });
  return gone.length > 0;
}

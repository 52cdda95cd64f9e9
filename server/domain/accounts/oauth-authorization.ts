// Granting an organization's OAuth application a token for a user (Quay's /oauth/authorize
// flows): the request's checks, the implicit grant (token at once) and the authorization-code
// grant (a short-lived code the client exchanges with its secret). The token's scopes only cap
// the user's real rights (domain/access/scopes.ts), as every OAuth token's do.
//
// Codes are stored nowhere: a code is the grant sealed with the instance key (so only this
// registry can read it, and nobody can forge or alter it), holding the very token it will be
// exchanged for. The first exchange stores that token; a second finds it stored and fails, so a
// code works once without a table of codes.
import { and, eq, gt, isNull, or } from "drizzle-orm";
import type { Db, DbOrTx } from "../../../db/client.ts";
import { oauthTokens } from "../../../db/schema.ts";
import { decryptPassword, encryptPassword } from "../../auth/encrypted-passwords.ts";
import { newSecret, sameSecret, secretHash } from "../../auth/secrets.ts";
import type { Actor } from "../access/principal.ts";
import { DomainError } from "../errors.ts";
import { applicationByClientId, isOrgAdmin, type OAuthApplication } from "./applications.ts";
import { writeAudit } from "../activity/audit.ts";
import { consumeAssignment, findAssignment } from "./oauth-assignments.ts";
import { isResponseType, parseRequestedScopes, redirectUriAllowed } from "./oauth-requests.ts";
import { createAccessToken, ensureApp, expandScopes, parseScopeList, type Scope } from "./oauth-tokens.ts";
import type { Organization } from "./organizations.ts";
import { AUTOMATION_APP, type User } from "./users.ts";

/** Quay's tokens live ten years (its `expires_in`). */
export const TOKEN_LIFETIME_SECONDS = 315_576_000;
/** How long a client has to exchange a code. */
const CODE_LIFETIME_MS = 10 * 60 * 1000;

export interface AuthorizationRequest {
  clientId: string;
  redirectUri: string;
  scope: string;
  responseType: string;
  /** An assignment of the requesting user's, which lets a non-admin grant (and is then used up). */
  assignmentUuid?: string;
}

export interface CheckedAuthorization {
  application: OAuthApplication;
  org: Organization;
  scopes: Scope[];
  responseType: "token" | "code";
  /** The assignment this grant redeems. */
  assignmentId?: number;
}

/**
 * Why a request cannot be granted, in OAuth's words. `redirect` says whether the refusal may be
 * sent to the client's redirect URI (only once that URI is known to be the application's).
 */
export class AuthorizationRefused extends Error {
  constructor(
    readonly error: "invalid_request" | "not_found" | "access_denied" | "invalid_scope" | "unsupported_response_type",
    readonly redirect: boolean,
  ) {
    super(error);
  }
}

/**
 * Checks a request in Quay's order: the application, its redirect URI, then (now that refusals
 * may go back to the client) the response type, the scopes and the user's right to grant.
 * Granting needs admin rights on the application's organization, or an assignment of this
 * application to the user covering every scope asked for.
 */
export async function checkAuthorization(
  db: Db,
  actor: Actor,
  request: AuthorizationRequest,
  publicUrl: string,
): Promise<CheckedAuthorization> {
  const found = await applicationByClientId(db, request.clientId);
  if (!found) throw new AuthorizationRefused("not_found", false);
  if (!redirectUriAllowed(found.application, request.redirectUri, publicUrl)) {
    throw new AuthorizationRefused("invalid_request", false);
  }
  if (!isResponseType(request.responseType)) {
    throw new AuthorizationRefused("unsupported_response_type", true);
  }
  const scopes = parseRequestedScopes(request.scope);
  if (!scopes) throw new AuthorizationRefused("invalid_scope", true);
  const assignment = await assignmentFor(db, actor, request.assignmentUuid, found.application.id);
  if (assignment) {
    const assigned = expandScopes(parseScopeList(assignment.scopes));
    if (!scopes.every((s) => assigned.has(s))) throw new AuthorizationRefused("access_denied", true);
  } else if (!(await isOrgAdmin(db, actor, found.org))) {
    throw new AuthorizationRefused("access_denied", true);
  }
  return { ...found, scopes, responseType: request.responseType, assignmentId: assignment?.id };
}

/** The actor's assignment of this application named by `uuid`, if there is one. */
async function assignmentFor(db: Db, actor: Actor, uuid: string | undefined, appId: number) {
  if (!uuid || actor.principal.kind !== "user") return undefined;
  const assignment = await findAssignment(db, actor.principal.userId, uuid);
  return assignment?.application.id === appId ? assignment : undefined;
}

/**
 * Whether the user already holds an unexpired token of this application covering every scope
 * asked for: Quay then grants again without asking.
 */
export async function alreadyGranted(db: Db, actor: Actor, grant: CheckedAuthorization, now: Date): Promise<boolean> {
  if (actor.principal.kind !== "user") return false;
  const rows = await db
    .select({ scopes: oauthTokens.scopes })
    .from(oauthTokens)
    .where(
      and(
        eq(oauthTokens.userId, actor.principal.userId),
        eq(oauthTokens.appId, grant.application.id),
        or(isNull(oauthTokens.expiresAt), gt(oauthTokens.expiresAt, now)),
      ),
    );
  return rows.some((row) => {
    const held = expandScopes(parseScopeList(row.scopes));
    return grant.scopes.every((s) => held.has(s));
  });
}

/** The implicit grant: a token for the acting user at once (using up the assignment it redeems). */
export async function grantToken(db: Db, actor: Actor, grant: CheckedAuthorization, now: Date): Promise<string> {
  const userId = actor.principal.kind === "user" ? actor.principal.userId : null;
  if (userId === null) throw new DomainError("UNAUTHENTICATED", "Sign in to authorize an application");
  return db.transaction(async (tx) => {
    await redeem(tx, grant);
    return createAccessToken(tx, userId, grant.application.id, grant.scopes, tokenExpiry(now));
  });
}

/** An assignment grants once: a second use (a replayed form, a race) is refused. */
async function redeem(db: DbOrTx, grant: CheckedAuthorization): Promise<void> {
  if (grant.assignmentId !== undefined && !(await consumeAssignment(db, grant.assignmentId))) {
    throw new AuthorizationRefused("access_denied", true);
  }
}

const tokenExpiry = (now: Date) => new Date(now.getTime() + TOKEN_LIFETIME_SECONDS * 1000);

interface SealedGrant {
  /** Application id, user id, scopes, redirect URI, expiry (ms), the token to issue. */
  a: number;
  u: number;
  s: string;
  r: string;
  e: number;
  t: string;
}

/** The authorization-code grant's first half: a code for the client to exchange. */
export async function grantCode(db: Db, actor: Actor, grant: CheckedAuthorization, redirectUri: string, now: Date): Promise<string> {
  if (actor.principal.kind !== "user") throw new DomainError("UNAUTHENTICATED", "Sign in to authorize an application");
  const sealed: SealedGrant = {
    a: grant.application.id,
    u: actor.principal.userId,
    s: grant.scopes.join(" "),
    r: redirectUri,
    e: now.getTime() + CODE_LIFETIME_MS,
    t: newSecret(30),
  };
  await redeem(db, grant);
  return encryptPassword(db, JSON.stringify(sealed));
}

export interface CodeExchange {
  clientId: string;
  clientSecret: string;
  code: string;
  redirectUri: string;
}

/** Why an exchange fails, in OAuth's words (RFC 6749 §5.2). */
export class ExchangeRefused extends Error {
  constructor(readonly error: "invalid_client" | "invalid_grant") {
    super(error);
  }
}

/** The second half: the client proves itself with its secret and gets the code's token, once. */
export async function exchangeCode(db: Db, exchange: CodeExchange, now: Date): Promise<{ token: string; scopes: string }> {
  const found = await applicationByClientId(db, exchange.clientId);
  if (!found || !sameSecret(found.application.clientSecret, exchange.clientSecret)) throw new ExchangeRefused("invalid_client");
  const grant = await openCode(db, exchange.code);
  if (!grant || grant.a !== found.application.id || grant.r !== exchange.redirectUri || grant.e <= now.getTime()) {
    throw new ExchangeRefused("invalid_grant");
  }
  const tokenHash = secretHash(grant.t);
  const [stored] = await db
    .insert(oauthTokens)
    .values({ userId: grant.u, appId: grant.a, tokenHash, scopes: grant.s, expiresAt: tokenExpiry(now) })
    .onConflictDoNothing()
    .returning({ id: oauthTokens.id });
  if (!stored) {
    // The code was used before: someone else may hold it, so the token it gave ends too.
    await db.delete(oauthTokens).where(eq(oauthTokens.tokenHash, tokenHash));
    throw new ExchangeRefused("invalid_grant");
  }
  return { token: grant.t, scopes: grant.s };
}

async function openCode(db: Db, code: string): Promise<SealedGrant | null> {
  const text = await decryptPassword(db, code);
  if (text === null) return null;
  try {
    const grant = JSON.parse(text) as Partial<SealedGrant>;
    const valid = typeof grant.a === "number" && typeof grant.u === "number" && typeof grant.s === "string" &&
      typeof grant.r === "string" && typeof grant.e === "number" && typeof grant.t === "string";
    return valid ? (grant as SealedGrant) : null;
  } catch {
    return null;
  }
}

/**
 * "Generate token" in the user's settings: a token with the chosen scopes for the user, issued
 * by their own automation application (made on first use, as `user/initialize` makes it).
 */
export async function generateOwnToken(db: Db, actor: Actor, user: User, scopes: Scope[], now: Date): Promise<string> {
  if (scopes.length === 0) throw new DomainError("INVALID_REQUEST", "Choose at least one scope");
  return db.transaction(async (tx) => {
    const app = await ensureApp(tx, user.namespaceId, AUTOMATION_APP);
    const audit = { namespaceId: user.namespaceId, performerId: user.id, ip: actor.ip };
    if (app.created) {
      await writeAudit(tx, { ...audit, kind: "create_application", metadata: { application_name: AUTOMATION_APP, client_id: app.clientId } });
    }
    const token = await createAccessToken(tx, user.id, app.id, scopes, tokenExpiry(now));
    await writeAudit(tx, {
      ...audit,
      kind: "oauth_token_assigned",
      metadata: { application: AUTOMATION_APP, client_id: app.clientId, scope: scopes.join(" ") },
    });
    return token;
  });
}

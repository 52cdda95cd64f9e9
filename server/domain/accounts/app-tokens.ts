// Application-specific tokens (Quay's "app tokens"): password stand-ins a user makes for CLI
// logins, each with a title, revocable one by one. A token is looked up by its hash and kept
// sealed with the instance key as well, so its owner can view it again (as Quay shows it).
import { randomInt } from "node:crypto";
import { and, desc, eq, gt, isNotNull, isNull, lte, or, sql } from "drizzle-orm";
import type { Db, DbOrTx } from "../../../db/client.ts";
import { appTokens, users } from "../../../db/schema.ts";
import { decryptPassword, encryptPassword } from "../../auth/encrypted-passwords.ts";
import { secretHash } from "../../auth/secrets.ts";
import { tooManyRequests } from "../errors.ts";
import type { Actor } from "../access/principal.ts";
import { writeAudit } from "../activity/audit.ts";
import type { Clock } from "../clock.ts";
import type { LoginThrottle } from "./login-throttle.ts";
import type { PrincipalState } from "./principal-state.ts";
import { asPerson, type User } from "./users.ts";
import { isUuid } from "../uuids.ts";

/** The registry user name that says "the password is an app token" (Quay's `$app`). */
export const APP_TOKEN_USERNAME = "$app";

/** Quay's token codes: 120 characters of upper-case letters and digits. */
const CODE_LENGTH = 120;
const CODE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const CODE_SHAPE = /^[A-Z0-9]{120}$/;
/** `last_accessed_at` is written at most this often per token. */
const TOUCH_INTERVAL_MS = 60_000;
/** Quay's window for `expiring=true` when no expiration is configured: four weeks. */
const DEFAULT_EXPIRY_WINDOW_S = 28 * 86_400;
const CHANNEL = "quayside_principals";

export type AppToken = typeof appTokens.$inferSelect;
export interface AppTokenWithCode extends AppToken {
  code: string;
}

export const looksLikeAppToken = (text: string) => CODE_SHAPE.test(text);

function newCode(): string {
  let code = "";
  for (let i = 0; i < CODE_LENGTH; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return code;
}

/** `lifetimeSeconds`: the configured expiration (Quay's APP_SPECIFIC_TOKEN_EXPIRATION); none: never. */
export async function createAppToken(
  deps: { db: Db; clock: Clock },
  user: User,
  title: string,
  lifetimeSeconds: number | undefined,
  actor: Actor,
): Promise<AppTokenWithCode> {
  const code = newCode();
  const tokenSealed = await encryptPassword(deps.db, code);
  const now = deps.clock.now();
  const expiresAt = lifetimeSeconds === undefined ? null : new Date(now.getTime() + lifetimeSeconds * 1000);
  return deps.db.transaction(async (tx) => {
    const [token] = await tx
      .insert(appTokens)
      .values({ userId: user.id, title, tokenHash: secretHash(code), tokenSealed, createdAt: now, expiresAt })
      .returning();
    await auditToken(tx, "create_app_specific_token", user, token!, actor);
    return { ...token!, code };
  });
}

function auditToken(tx: DbOrTx, kind: string, user: User, token: AppToken, actor: Actor) {
  return writeAudit(tx, {
    kind,
    namespaceId: user.namespaceId,
    performerId: user.id,
    ip: actor.ip,
    metadata: { app_specific_token_title: token.title, app_specific_token: token.uuid },
  });
}

/**
 * The user's tokens, newest first. `expiringSoon`: only those expiring within a tenth of the
 * configured lifetime (of four weeks when none is configured), as Quay's `expiring=true`.
 */
export async function listAppTokens(
  deps: { db: Db; clock: Clock },
  userId: number,
  options: { expiringSoon: boolean; lifetimeSeconds: number | undefined },
): Promise<AppToken[]> {
  const conditions = [eq(appTokens.userId, userId)];
  if (options.expiringSoon) {
    const now = deps.clock.now();
    const windowMs = Math.max(1, Math.ceil((options.lifetimeSeconds ?? DEFAULT_EXPIRY_WINDOW_S) * 0.1)) * 1000;
    conditions.push(isNotNull(appTokens.expiresAt), gt(appTokens.expiresAt, now), lte(appTokens.expiresAt, new Date(now.getTime() + windowMs)));
  }
  return deps.db.select().from(appTokens).where(and(...conditions)).orderBy(desc(appTokens.createdAt), desc(appTokens.id));
}

/** One of the user's tokens with its code; undefined for another user's or an unknown uuid. */
export async function findAppToken(db: Db, userId: number, uuid: string): Promise<AppTokenWithCode | undefined> {
  if (!isUuid(uuid)) return undefined;
  const [token] = await db.select().from(appTokens).where(and(eq(appTokens.userId, userId), eq(appTokens.uuid, uuid)));
  if (!token) return undefined;
  return { ...token, code: (await decryptPassword(db, token.tokenSealed)) ?? "" };
}

/**
 * Deletes one of the user's tokens; false when there is none. The statement itself NOTIFYs every
 * node (delivered on commit) and this node's principal state forgets the token at once, so
 * logins and registry tokens made with it stop working now.
 */
export async function revokeAppToken(
  deps: { db: Db; principals: PrincipalState },
  user: User,
  uuid: string,
  actor: Actor,
): Promise<boolean> {
  if (!isUuid(uuid)) return false;
  const revoked = await deps.db.transaction(async (tx) => {
    const rows = await tx.execute<{ id: number; uuid: string; title: string }>(sql`
      with gone as (
        delete from ${appTokens} where ${appTokens.userId} = ${user.id} and ${appTokens.uuid} = ${uuid}
        returning id, uuid, title
      )
      select id, uuid, title, pg_notify(${CHANNEL}, 'apptoken:' || id) from gone`);
    const row = rows[0];
    if (!row) return undefined;
    await auditToken(tx, "revoke_app_specific_token", user, row as unknown as AppToken, actor);
    return row.id;
  });
  if (revoked === undefined) return false;
  deps.principals.forgetAppToken(revoked);
  return true;
}

/** When a token expires (null: never); undefined when it no longer exists. */
export async function appTokenExpiry(db: Db, id: number): Promise<Date | null | undefined> {
  const [row] = await db.select({ expiresAt: appTokens.expiresAt }).from(appTokens).where(eq(appTokens.id, id));
  return row?.expiresAt;
}

/**
 * A registry login with an app token: user name `$app` (Quay's), or the owner's own name. The
 * failed-login limits count `$app` attempts per address like any login, and per token prefix
 * rather than per "account": `$app` is everyone's, and a flood of guesses must not lock out the
 * real tokens of CI runners on new addresses. A token login under a user's name that finds no
 * token is left to the password check (which counts it). Null when the token is unknown,
 * expired, another user's, or its owner disabled.
 */
export async function authenticateAppToken(
  deps: { db: Db; clock: Clock; logins: LoginThrottle },
  attempt: { username: string; code: string; ip: string | null },
): Promise<{ user: User; tokenId: number } | null> {
  const { username, ip } = attempt;
  const viaApp = username === APP_TOKEN_USERNAME;
  const throttleKey = `${APP_TOKEN_USERNAME}:${attempt.code.slice(0, 8)}`;
  if (viaApp) {
    const wait = deps.logins.admit(throttleKey, ip);
    if (wait > 0) throw tooManyRequests("Too many failed sign-ins; try again later", wait);
  }
  if (!looksLikeAppToken(attempt.code)) return null;
  const now = deps.clock.now();
  const [row] = await deps.db
    .select({ token: appTokens, user: users })
    .from(appTokens)
    .innerJoin(users, eq(users.id, appTokens.userId))
    .where(eq(appTokens.tokenHash, secretHash(attempt.code)));
  const user = asPerson(row?.user);
  if (!row || !user?.enabled || (!viaApp && user.username !== username)) return null;
  if (row.token.expiresAt && row.token.expiresAt.getTime() <= now.getTime()) return null;
  if (viaApp) deps.logins.succeeded(throttleKey, ip);
  await touch(deps.db, row.token, now);
  return { user, tokenId: row.token.id };
}

/** Records the use, at most once a minute per token (also across nodes: the update says so). */
async function touch(db: Db, token: AppToken, now: Date): Promise<void> {
  const last = token.lastAccessedAt?.getTime() ?? 0;
  if (now.getTime() - last < TOUCH_INTERVAL_MS) return;
  const before = new Date(now.getTime() - TOUCH_INTERVAL_MS);
  await db
    .update(appTokens)
    .set({ lastAccessedAt: now })
    .where(and(eq(appTokens.id, token.id), or(isNull(appTokens.lastAccessedAt), lte(appTokens.lastAccessedAt, before))));
}

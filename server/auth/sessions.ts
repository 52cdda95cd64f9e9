// Browser sessions: a random cookie value (only its hash is stored) and a CSRF token per session.
import { and, eq, gt } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { sessions, users } from "../../db/schema.ts";
import { asPerson, type User } from "../domain/accounts/users.ts";
import { newSecret, secretHash } from "./secrets.ts";

export const SESSION_COOKIE = "quayside_session";
export const SESSION_TTL_SECONDS = 14 * 24 * 3600;

export interface Session {
  user: User;
  csrfToken: string;
  /** When this session began: a sign-in (every sign-in starts a new session). */
  createdAt: Date;
}

export async function createSession(db: Db, userId: number, now: Date): Promise<{ cookie: string; csrfToken: string }> {
  const cookie = newSecret(32);
  const csrfToken = newSecret(24);
  await db.insert(sessions).values({
    idHash: secretHash(cookie),
    userId,
    csrfToken,
    expiresAt: new Date(now.getTime() + SESSION_TTL_SECONDS * 1000),
  });
  return { cookie, csrfToken };
}

/**
 * A new session id for `userId`, ending the session the browser held before (if any). Sign-in,
 * and any change of what a session may do, goes through here: an id planted in the browser or
 * seen before the change does not carry the new rights.
 */
export async function rotateSession(
  db: Db,
  previousCookie: string | undefined,
  userId: number,
  now: Date,
): Promise<{ cookie: string; csrfToken: string }> {
  if (previousCookie) await destroySession(db, previousCookie);
  return createSession(db, userId, now);
}

export async function resolveSession(db: Db, cookie: string, now: Date): Promise<Session | null> {
  const [row] = await db
    .select({ user: users, csrfToken: sessions.csrfToken, createdAt: sessions.createdAt })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.idHash, secretHash(cookie)), gt(sessions.expiresAt, now)));
  const user = asPerson(row?.user);
  if (!row || !user?.enabled) return null;
  return { user, csrfToken: row.csrfToken, createdAt: row.createdAt };
}

export async function destroySession(db: Db, cookie: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.idHash, secretHash(cookie)));
}

/** Ends every session of the user (Quay's API sign-out does: it rotates the user's session key). */
export async function destroyUserSessions(db: Db, userId: number): Promise<void> {
  await db.delete(sessions).where(eq(sessions.userId, userId));
}

// What superusers do to other people's accounts (Quay's superuser user management), and who is
// one: the admin made at start, the first user, and the names QUAYSIDE_SUPER_USERS lists.
import { randomInt } from "node:crypto";
import { and, asc, eq, gte, inArray } from "drizzle-orm";
import type { Db } from "../../../db/client.ts";
import { instanceSettings, users } from "../../../db/schema.ts";
import { type Actor } from "../access/principal.ts";
import { performedBy, writeAudit } from "../activity/audit.ts";
import { DomainError } from "../errors.ts";
import { asPerson, createUser, deleteAccount, SUPER_USERS_SETTING, updateAccount, type User } from "./users.ts";

/**
 * QUAYSIDE_SUPER_USERS at start: marks the listed existing accounts as superusers and keeps the
 * list where `createUser` finds it, so an account made later under a listed name is one too.
 * Taking a name off the list does not demote its account (superuser status is the account's).
 */
export async function grantConfiguredSuperusers(db: Db, names: readonly string[]): Promise<void> {
  const value = JSON.stringify(names);
  await db
    .insert(instanceSettings)
    .values({ key: SUPER_USERS_SETTING, value })
    .onConflictDoUpdate({ target: instanceSettings.key, set: { value } });
  if (names.length === 0) return;
  await db
    .update(users)
    .set({ superuser: true })
    .where(and(inArray(users.username, [...names]), eq(users.kind, "user"), eq(users.superuser, false)));
}

export interface AccountListing {
  /** False leaves disabled accounts out. */
  includeDisabled: boolean;
  /** A page: from this account id on, at most `limit` accounts. */
  page?: { startId: number; limit: number };
}

/** People's accounts in the order they were made (robots never), all or one page. */
export async function listAccounts(db: Db, listing: AccountListing): Promise<User[]> {
  const conditions = [eq(users.kind, "user")];
  if (!listing.includeDisabled) conditions.push(eq(users.enabled, true));
  if (listing.page) conditions.push(gte(users.id, listing.page.startId));
  const query = db.select().from(users).where(and(...conditions)).orderBy(asc(users.id));
  const rows = listing.page ? await query.limit(listing.page.limit) : await query;
  return rows.map(asPerson).filter((u): u is User => u !== undefined);
}

const TEMPORARY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/** Quay's temporary passwords: 32 upper-case letters and digits. */
function temporaryPassword(): string {
  let password = "";
  for (let i = 0; i < 32; i++) password += TEMPORARY_ALPHABET[randomInt(TEMPORARY_ALPHABET.length)];
  return password;
}

/** A new account with a generated password, returned this once for the superuser to pass on. */
export async function createAccountForUser(
  db: Db,
  input: { username: string; email?: string },
  actor: Actor,
): Promise<{ user: User; password: string }> {
  const password = temporaryPassword();
  const user = await createUser(db, { username: input.username, email: input.email, password }, actor);
  return { user, password };
}

function refuseSuperuser(target: User, message: string): void {
  if (target.superuser) throw new DomainError("INVALID_REQUEST", message);
}

export interface AccountAdministration {
  email?: string;
  password?: string;
  enabled?: boolean;
  /** Makes the account a superuser (Quay rewrites SUPER_USERS; here the account row says so). */
  superuser?: boolean;
}

/**
 * Changes another person's e-mail, password, enabled state or superuser status. Superusers' accounts are not
 * changed this way (Quay's rule). A new password or disabling ends every session and registry
 * credential of the account.
 */
export async function administerAccount(db: Db, target: User, changes: AccountAdministration, actor: Actor): Promise<User> {
  refuseSuperuser(target, "Cannot update a superuser");
  let user = await updateAccount(db, target, { email: changes.email, password: changes.password }, actor);
  if (changes.superuser) {
    const [row] = await db.update(users).set({ superuser: true }).where(eq(users.id, target.id)).returning();
    user = asPerson(row) ?? user;
  }
  if (changes.enabled !== undefined && changes.enabled !== user.enabled) {
    const enabled = changes.enabled;
    user = await db.transaction(async (tx) => {
      const [row] = await tx.update(users).set({ enabled }).where(eq(users.id, target.id)).returning();
      await writeAudit(tx, {
        kind: enabled ? "user_enable" : "user_disable",
        namespaceId: target.namespaceId,
        ...performedBy(actor),
        metadata: { username: target.username },
      });
      return asPerson(row) ?? user;
    });
  }
  return user;
}

/** Deletes another person's account; never a superuser's. */
export async function removeAccount(db: Db, target: User, actor: Actor): Promise<void> {
  refuseSuperuser(target, "Cannot delete a superuser");
  await deleteAccount(db, target, actor);
}

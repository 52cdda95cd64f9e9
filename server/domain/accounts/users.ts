// User accounts: creation (sign-up, first user, unattended admin) and password sign-in.
import { and, count, eq, ne, sql } from "drizzle-orm";
import type { Db, DbOrTx, Tx } from "../../../db/client.ts";
import { instanceSettings, namespaces, organizations, sessions, teamMembers, teams, users } from "../../../db/schema.ts";
import { ALL_SCOPES, createAccessToken, ensureApp } from "./oauth-tokens.ts";
import { hashPassword, needsRehash, verifyPassword } from "../../auth/passwords.ts";
import { writeAudit } from "../activity/audit.ts";
import { DomainError, tooManyRequests } from "../errors.ts";
import type { LoginThrottle } from "./login-throttle.ts";
import { OWNERS_TEAM } from "./organizations.ts";
import type { Services } from "../services.ts";
import { isValidNamespaceName } from "../names.ts";
import { type Actor, performerId, type UserPrincipal } from "../access/principal.ts";

type AccountRow = typeof users.$inferSelect;
/** A person's account. Robot accounts are rows of the same table with no namespace of their own. */
export type User = AccountRow & { kind: "user"; namespaceId: number };

/** The row as a person's account, or undefined for a robot (or no row). */
export function asPerson(row: AccountRow | undefined): User | undefined {
  return row && row.kind === "user" && row.namespaceId !== null ? (row as User) : undefined;
}

export interface NewUser {
  username: string;
  password: string;
  email?: string;
  superuser?: boolean;
}

const EMAIL = /^[^\s@]+@[^\s@]+$/;
/** Quay stores e-mail addresses in a 255-character column. */
const EMAIL_MAX = 255;
const PASSWORD_MIN = 8;
/** Serializes sign-ups that give the same e-mail address, so both cannot pass the check. */
const EMAIL_LOCK = 7_326_413;
/**
 * The `instance_settings` row holding QUAYSIDE_SUPER_USERS (a JSON array of names, written at
 * start): an account created later under a listed name is a superuser from the start, as in Quay.
 */
export const SUPER_USERS_SETTING = "super_users";
/** Serializes first-user creation so two concurrent `initialize` calls cannot both succeed. */
const FIRST_USER_LOCK = 7_326_412;

export function toPrincipal(user: User): UserPrincipal {
  return {
    kind: "user",
    userId: user.id,
    username: user.username,
    namespaceId: user.namespaceId,
    superuser: user.superuser,
    generation: user.authGeneration,
  };
}

/**
 * Quay's rules for a new account (util/validation.py), one message per field, worded for the
 * person typing: user names are lowercase (a capitalised one is told its lowercase form), e-mail
 * addresses fit Quay's column, passwords have at least 8 characters and no whitespace.
 */
export function newUserProblems(input: NewUser): Record<string, string> {
  const problems: Record<string, string> = {};
  const username = usernameProblem(input.username);
  if (username) problems.username = username;
  const email = input.email ?? "";
  if (email.length > EMAIL_MAX) problems.email = `Email addresses are at most ${EMAIL_MAX} characters`;
  else if (email !== "" && !EMAIL.test(email)) problems.email = "Invalid email address";
  if (input.password === "") problems.password = "Enter a password";
  else if (/\s/.test(input.password)) problems.password = "Passwords cannot contain spaces";
  else if (input.password.length < PASSWORD_MIN) problems.password = `Passwords must be at least ${PASSWORD_MIN} characters`;
  return problems;
}

function usernameProblem(username: string): string | null {
  if (username === "") return "Enter a username";
  if (isValidNamespaceName(username)) return null;
  const lower = username.toLowerCase();
  if (lower !== username && isValidNamespaceName(lower)) return `Usernames are lowercase: use “${lower}”`;
  return "Usernames are 2–255 lowercase letters or digits, optionally separated by single . _ or -";
}

export async function createUser(db: DbOrTx, input: NewUser, actor: Actor): Promise<User> {
  const problems = newUserProblems(input);
  const first = Object.values(problems)[0];
  if (first) throw new DomainError("INVALID_REQUEST", first, problems);
  const passwordHash = await hashPassword(input.password);
  const create = async (tx: DbOrTx) => {
    const [ns] = await tx
      .insert(namespaces)
      .values({ name: input.username, kind: "user" })
      .onConflictDoNothing()
      .returning();
    if (!ns) throw new DomainError("CONFLICT", "The username already exists", { username: "That username is already taken" });
    if (input.email) await claimEmail(tx, input.email);
    const [user] = await tx
      .insert(users)
      .values({
        namespaceId: ns.id,
        username: input.username,
        email: input.email || `${input.username}@localhost`,
        passwordHash,
        superuser: input.superuser || sql`exists (select 1 from ${instanceSettings}
          where ${instanceSettings.key} = ${SUPER_USERS_SETTING} and jsonb_exists(${instanceSettings.value}::jsonb, ${input.username}))`,
      })
      .returning();
    await writeAudit(tx, {
      kind: "user_create",
      namespaceId: ns.id,
      performerId: performerId(actor) ?? user!.id,
      ip: actor.ip,
      metadata: { username: input.username, email: user!.email },
    });
    return asPerson(user)!;
  };
  // Inside a caller's transaction this becomes a savepoint.
  return db.transaction(create);
}

/** Refuses an e-mail address another account already uses (as Quay does, ignoring case). */
async function claimEmail(tx: DbOrTx, email: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${EMAIL_LOCK}, hashtext(lower(${email})))`);
  const [taken] = await tx
    .select({ id: users.id })
    .from(users)
    .where(sql`lower(${users.email}) = lower(${email})`)
    .limit(1);
  if (taken) {
    const message = "That email address is already used by another account";
    throw new DomainError("CONFLICT", message, { email: message });
  }
}

export async function findUserByName(db: DbOrTx, username: string): Promise<User | undefined> {
  const [user] = await db.select().from(users).where(eq(users.username, username));
  return asPerson(user);
}

/** The person whose e-mail address this is, ignoring case (addresses are unique that way). */
export async function findUserByEmail(db: DbOrTx, email: string): Promise<User | undefined> {
  const [user] = await db
    .select()
    .from(users)
    .where(and(eq(users.kind, "user"), sql`lower(${users.email}) = lower(${email})`))
    .limit(1);
  return asPerson(user);
}

export async function findUserById(db: DbOrTx, id: number): Promise<User | undefined> {
  const [user] = await db.select().from(users).where(eq(users.id, id));
  return asPerson(user);
}

export async function countUsers(db: DbOrTx): Promise<number> {
  const [row] = await db.select({ n: count() }).from(users).where(eq(users.kind, "user"));
  return row?.n ?? 0;
}

export interface LoginAttempt {
  username: string;
  password: string;
  /** The caller's address, for the failed-login limits. */
  ip: string | null;
}

/**
 * Password sign-in, for every door that takes a password. Null for unknown users, wrong
 * passwords and disabled accounts alike, each after one full hash (response times tell nothing).
 * Throws TOO_MANY_REQUESTS, before any hashing, past the failed-login limits (login-throttle.ts).
 * A hash made at an older cost is replaced on success.
 */
export async function authenticate(deps: { db: Db; logins: LoginThrottle }, attempt: LoginAttempt): Promise<User | null> {
  const { username, ip } = attempt;
  const wait = deps.logins.admit(username, ip);
  if (wait > 0) throw tooManyRequests("Too many failed sign-ins; try again later", wait);
  // Quay signs in by user name or e-mail address; no user name holds an "@".
  const user = username.includes("@") ? await findUserByEmail(deps.db, username) : await findUserByName(deps.db, username);
  const matches = await verifyPassword(attempt.password, user?.passwordHash ?? null);
  if (!user || !user.enabled || !matches) return null;
  deps.logins.succeeded(username, ip);
  if (user.passwordHash && needsRehash(user.passwordHash)) {
    await upgradeHash(deps.db, user.id, user.passwordHash, attempt.password);
  }
  return user;
}

/** Stores the password again at today's cost, unless it changed meanwhile or hashing is busy. */
async function upgradeHash(db: Db, userId: number, oldHash: string, password: string): Promise<void> {
  let passwordHash: string;
  try {
    passwordHash = await hashPassword(password);
  } catch (err) {
    if (err instanceof DomainError && err.code === "TOO_MANY_REQUESTS") return; // next sign-in will
    throw err;
  }
  // `quayside.rehash` tells the trigger of migration 0005 that the password is the same, so the
  // account keeps its auth generation (and its registry tokens and remembered logins).
  await db
    .update(users)
    .set({ passwordHash })
    .where(and(eq(users.id, userId), eq(users.passwordHash, oldHash), sql`set_config('quayside.rehash', 'on', true) = 'on'`));
}

/** Creates the very first user (a superuser); refused once any user exists. */
export async function initializeFirstUser(db: Db, input: NewUser, actor: Actor): Promise<User> {
  return db.transaction((tx) => createFirstUser(tx, input, actor));
}

/** The name of the OAuth application Quay's `user/initialize` makes for the first user's token. */
export const AUTOMATION_APP = "automation";

/**
 * `initializeFirstUser` plus an API token holding every scope, issued by the new user's
 * "automation" OAuth application — all in one transaction, so a failure leaves the database
 * empty and initialization can be retried.
 */
export async function initializeFirstUserWithToken(
  db: Db,
  input: NewUser,
  actor: Actor,
): Promise<{ user: User; accessToken: string }> {
  return db.transaction(async (tx) => {
    const user = await createFirstUser(tx, input, actor);
    const app = await ensureApp(tx, user.namespaceId, AUTOMATION_APP);
    const accessToken = await createAccessToken(tx, user.id, app.id, ALL_SCOPES);
    const audit = { namespaceId: user.namespaceId, performerId: user.id, ip: actor.ip };
    await writeAudit(tx, {
      ...audit,
      kind: "create_application",
      metadata: { application_name: AUTOMATION_APP, client_id: app.clientId },
    });
    await writeAudit(tx, {
      ...audit,
      kind: "oauth_token_assigned",
      metadata: { application: AUTOMATION_APP, client_id: app.clientId, scope: ALL_SCOPES.join(" ") },
    });
    return { user, accessToken };
  });
}

async function createFirstUser(tx: Tx, input: NewUser, actor: Actor): Promise<User> {
  await tx.execute(sql`select pg_advisory_xact_lock(${FIRST_USER_LOCK})`);
  if ((await countUsers(tx)) > 0) {
    throw new DomainError("CONFLICT", "Cannot initialize user in a non-empty database");
  }
  return createUser(tx, { ...input, superuser: true }, actor);
}

/** QUAYSIDE_ADMIN_USER/PASSWORD: create that superuser at start unless the name is taken. */
export async function ensureAdmin(db: Db, admin: { username: string; password: string; email: string }) {
  if (await findUserByName(db, admin.username)) return;
  await createUser(db, { ...admin, superuser: true }, { principal: { kind: "anonymous" }, ip: null }).catch(
    (err: unknown) => {
      if (err instanceof DomainError && err.code === "CONFLICT") return; // another node won the race
      throw err;
    },
  );
}

// ---------------------------------------------------------------------------------------------
// Account settings: e-mail, password, deletion (the user's own, and a superuser's on their behalf)

export interface AccountChanges {
  email?: string;
  password?: string;
}

/**
 * Changes e-mail address and/or password, with sign-up's rules, auditing each change. A new
 * password ends the account's other browser sessions (`keepSessionHash`: the one to keep, or
 * none); the auth generation trigger (migration 0005) ends its registry tokens and remembered
 * logins.
 */
export async function updateAccount(
  db: Db,
  user: User,
  changes: AccountChanges,
  actor: Actor,
  keepSessionHash?: string,
): Promise<User> {
  const problems = accountChangeProblems(changes);
  const first = Object.values(problems)[0];
  if (first) throw new DomainError("INVALID_REQUEST", first, problems);
  const passwordHash = changes.password === undefined ? undefined : await hashPassword(changes.password);
  return db.transaction(async (tx) => {
    const audit = { namespaceId: user.namespaceId, performerId: performerId(actor) ?? user.id, ip: actor.ip };
    let updated = user;
    if (changes.email !== undefined && changes.email !== user.email) {
      if (changes.email.toLowerCase() !== user.email.toLowerCase()) await claimEmail(tx, changes.email);
      const [row] = await tx.update(users).set({ email: changes.email }).where(eq(users.id, user.id)).returning();
      updated = asPerson(row) ?? updated;
      await writeAudit(tx, { ...audit, kind: "user_change_email", metadata: { email: changes.email, old_email: user.email } });
    }
    if (passwordHash !== undefined) {
      const [row] = await tx.update(users).set({ passwordHash }).where(eq(users.id, user.id)).returning();
      updated = asPerson(row) ?? updated;
      const others = keepSessionHash === undefined ? eq(sessions.userId, user.id) : and(eq(sessions.userId, user.id), ne(sessions.idHash, keepSessionHash));
      await tx.delete(sessions).where(others);
      await writeAudit(tx, { ...audit, kind: "user_change_password", metadata: { username: user.username } });
    }
    return updated;
  });
}

/**
 * The settings page's password change: the current password first (with the failed-login
 * limits, as any password check), then `updateAccount`.
 */
export async function changePassword(
  deps: { db: Db; logins: LoginThrottle },
  user: User,
  passwords: { current: string; next: string },
  actor: Actor,
  keepSessionHash?: string,
): Promise<User> {
  const checked = await authenticate(deps, { username: user.username, password: passwords.current, ip: actor.ip ?? null });
  if (checked?.id !== user.id) {
    throw new DomainError("INVALID_REQUEST", "That is not your current password", { current: "That is not your current password" });
  }
  return updateAccount(deps.db, user, { password: passwords.next }, actor, keepSessionHash);
}

function accountChangeProblems(changes: AccountChanges): Record<string, string> {
  // Sign-up's rules, for the fields given (the user name is not changing).
  const problems = newUserProblems({ username: "placeholder", email: changes.email, password: changes.password ?? "placeholder" });
  if (changes.email !== undefined && changes.email === "") problems.email = "Enter an email address";
  return problems;
}

/** Organizations (names) whose admin teams hold no enabled person but this user. */
export async function organizationsOnlyAdministeredBy(db: DbOrTx, userId: number): Promise<string[]> {
  const rows = await db.execute<{ name: string }>(sql`
    select distinct n.name from ${teams} t
      join ${teamMembers} m on m.team_id = t.id
      join ${namespaces} n on n.id = t.namespace_id
    where t.role = 'admin' and m.user_id = ${userId}
      and not exists (
        select 1 from ${teams} t2
          join ${teamMembers} m2 on m2.team_id = t2.id
          join ${users} u2 on u2.id = m2.user_id
        where t2.namespace_id = t.namespace_id and t2.role = 'admin' and m2.user_id <> ${userId}
          and u2.kind = 'user' and u2.enabled)
    order by n.name`);
  return rows.map((r) => r.name);
}

/**
 * Deletes the account with its namespace (repositories, robots, tokens and sessions go with
 * it). Refused while it is the last administrator of an organization, which would be left
 * without one.
 */
export async function deleteAccount(db: Db, user: User, actor: Actor): Promise<void> {
  await db.transaction(async (tx) => {
    const orphaned = await organizationsOnlyAdministeredBy(tx, user.id);
    if (orphaned.length > 0) {
      throw new DomainError(
        "INVALID_REQUEST",
        `Cannot delete this account: it is the last administrator of ${orphaned.length === 1 ? "organization" : "organizations"} ${orphaned.join(", ")}`,
      );
    }
    await tx.delete(namespaces).where(eq(namespaces.id, user.namespaceId));
    await writeAudit(tx, {
      kind: "user_delete",
      namespaceId: user.namespaceId,
      performerId: performerId(actor) ?? user.id,
      ip: actor.ip,
      metadata: { username: user.username },
    });
  });
}

/**
 * Quay's "convert to organization": the user's namespace (repositories, robots) becomes an
 * organization whose `owners` team holds `admin`, another person proven by their password; the
 * account itself goes (its sessions, tokens and memberships with it). Refused while the user is
 * the last admin of another organization.
 */
export async function convertToOrganization(
  svc: Pick<Services, "db" | "cache" | "logins">,
  user: User,
  admin: { username: string; password: string },
  actor: Actor,
): Promise<User> {
  const adminUser = await authenticate(svc, { username: admin.username, password: admin.password, ip: actor.ip ?? null });
  if (!adminUser) throw new DomainError("INVALID_REQUEST", "The admin user credentials are not valid", { reason: "invaliduser" });
  if (adminUser.id === user.id) throw new DomainError("INVALID_REQUEST", "The admin user is not valid", { reason: "invaliduser" });
  await svc.db.transaction(async (tx) => {
    const orphaned = await organizationsOnlyAdministeredBy(tx, user.id);
    if (orphaned.length > 0) {
      throw new DomainError("INVALID_REQUEST", `Cannot convert this account: it is the last administrator of ${orphaned.join(", ")}`);
    }
    await tx.delete(users).where(eq(users.id, user.id));
    await tx.update(namespaces).set({ kind: "org" }).where(eq(namespaces.id, user.namespaceId));
    await tx.insert(organizations).values({ namespaceId: user.namespaceId, email: user.email });
    const [owners] = await tx.insert(teams).values({ namespaceId: user.namespaceId, name: OWNERS_TEAM, role: "admin" }).returning();
    await tx.insert(teamMembers).values({ teamId: owners!.id, userId: adminUser.id });
    await writeAudit(tx, {
      kind: "account_convert",
      namespaceId: user.namespaceId,
      performerId: user.id,
      ip: actor.ip,
      metadata: { username: user.username, admin: adminUser.username },
    });
  });
  // Other nodes hear of it from the team triggers; this one forgets now.
  svc.cache.forgetNamespace(user.namespaceId);
  return adminUser;
}

// Robot accounts (Quay's model): user rows named `<owner>+<short>` that belong to a user's or an
// organization's namespace, own no namespace themselves, and sign in to the registry with a
// token instead of a password. The token is kept twice: hashed (to recognise it at login) and
// sealed with the instance key (so the owner's admins can read it again).
import { randomInt } from "node:crypto";
import { and, asc, eq, inArray, isNull, lt, or } from "drizzle-orm";
import type { Db, DbOrTx, Tx } from "../../../db/client.ts";
import { repoPermissions, repositories, robotFederations, teamMembers, teams, users } from "../../../db/schema.ts";
import { decryptPassword, encryptPassword } from "../../auth/encrypted-passwords.ts";
import { verifyOidcToken } from "../../auth/oidc.ts";
import { secretHash } from "../../auth/secrets.ts";
import { ownsNamespace, type Role } from "../access/permissions.ts";
import { type Actor, NO_NAMESPACE, type Principal, type UserPrincipal } from "../access/principal.ts";
import { performedBy, writeAudit } from "../activity/audit.ts";
import type { Clock } from "../clock.ts";
import { DomainError, tooManyRequests } from "../errors.ts";
import type { LoginThrottle } from "./login-throttle.ts";
import { orgRole } from "./teams.ts";

/** Quay's rule for robot short names: its user-name rule (util/validation.py validate_username). */
const SHORT_NAME = /^([a-z0-9]+(?:[._-][a-z0-9]+)*)$/;
const SHORT_MIN = 2;
const SHORT_MAX = 255;
const DESCRIPTION_MAX = 255;
const TOKEN_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const TOKEN_LENGTH = 64;
/** `last_accessed_at` is written at most this often per robot. */
const ACCESS_RESOLUTION_MS = 60_000;

export const NO_SUCH_ROBOT = "Could not find robot with specified username";

/** The namespace a robot belongs to. */
export interface RobotOwner {
  id: number;
  name: string;
}

export interface Robot {
  id: number;
  /** `owner+short` */
  name: string;
  shortName: string;
  description: string;
  metadata: Record<string, unknown>;
  createdAt: Date;
  lastAccessedAt: Date | null;
}

export interface RobotGrants {
  teams: string[];
  repositories: string[];
}

export interface FederationEntry {
  issuer: string;
  subject: string;
}

/**
 * What a principal may do with a namespace's robots: a user's own and an organization's admins
 * everything ("admin"); the organization's other members only see the list ("member").
 */
export async function robotRights(
  db: DbOrTx,
  principal: Principal,
  namespace: { id: number; kind: string },
): Promise<"admin" | "member" | null> {
  if (principal.kind !== "user") return null;
  if (namespace.kind !== "org") return ownsNamespace(principal, namespace.id) ? "admin" : null;
  const role = await orgRole(db, principal.userId, namespace.id);
  return role === null ? null : role === "admin" ? "admin" : "member";
}

export const robotUsername = (owner: string, short: string) => `${owner}+${short}`;

/** Quay's token format: 64 characters of A–Z and 0–9. */
export function newRobotToken(): string {
  let token = "";
  for (let i = 0; i < TOKEN_LENGTH; i++) token += TOKEN_ALPHABET[randomInt(TOKEN_ALPHABET.length)];
  return token;
}

/** Quay's wording for a bad short name (its user-name messages), or null when it is fine. */
export function robotNameProblem(short: string): string | null {
  if (!SHORT_NAME.test(short)) return `Namespace must match expression ${SHORT_NAME.source}`;
  if (short.length < SHORT_MIN || short.length > SHORT_MAX) {
    return `Namespace must be between ${SHORT_MIN} and ${SHORT_MAX} characters in length`;
  }
  return null;
}

type Row = typeof users.$inferSelect;

function toRobot(row: Row): Robot {
  return {
    id: row.id,
    name: row.username,
    shortName: row.username.slice(row.username.indexOf("+") + 1),
    description: row.description,
    metadata: row.robotMetadata ?? {},
    createdAt: row.createdAt,
    lastAccessedAt: row.lastAccessedAt,
  };
}

const robotOf = (owner: RobotOwner) =>
  and(eq(users.kind, "robot"), eq(users.robotOwnerNamespaceId, owner.id));

async function findRow(db: DbOrTx, owner: RobotOwner, short: string): Promise<Row> {
  const [row] = await db
    .select()
    .from(users)
    .where(and(robotOf(owner), eq(users.username, robotUsername(owner.name, short))));
  if (!row) throw new DomainError("NOT_FOUND", NO_SUCH_ROBOT);
  return row;
}

/** The usage-log row of a change to one of `owner`'s robots (Quay's metadata: the short name and more). */
function logRobot(tx: Tx, owner: RobotOwner, actor: Actor, kind: string, metadata: Record<string, unknown>) {
  return writeAudit(tx, { kind, namespaceId: owner.id, ...performedBy(actor), metadata });
}

/** Runs `change` on an existing robot and logs it as `kind`, in one transaction. */
function changeRobot<T>(
  db: Db,
  robot: { owner: RobotOwner; short: string; actor: Actor },
  log: { kind: string; metadata?: Record<string, unknown> },
  change: (tx: Tx, row: Row) => Promise<T>,
): Promise<T> {
  return db.transaction(async (tx) => {
    const row = await findRow(tx, robot.owner, robot.short);
    const result = await change(tx, row);
    await logRobot(tx, robot.owner, robot.actor, log.kind, { robot: robot.short, ...log.metadata });
    return result;
  });
}

async function tokenFields(db: Db, token: string) {
  return { robotTokenHash: secretHash(token), robotTokenSealed: await encryptPassword(db, token) };
}

export interface NewRobot {
  description?: string;
  metadata?: Record<string, unknown>;
}

/** Creates `owner+short` with a fresh token; returns it with that token. */
export async function createRobot(
  db: Db,
  owner: RobotOwner,
  short: string,
  input: NewRobot,
  actor: Actor,
): Promise<{ robot: Robot; token: string }> {
  const problem = robotNameProblem(short);
  if (problem) throw new DomainError("INVALID_REQUEST", `The name for the robot '${short}' is invalid: ${problem}`);
  const description = input.description ?? "";
  if (description.length > DESCRIPTION_MAX) {
    throw new DomainError("INVALID_REQUEST", `Robot descriptions are at most ${DESCRIPTION_MAX} characters`);
  }
  const name = robotUsername(owner.name, short);
  const token = newRobotToken();
  const secret = await tokenFields(db, token);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(users)
      .values({
        kind: "robot",
        username: name,
        email: "",
        robotOwnerNamespaceId: owner.id,
        description,
        robotMetadata: input.metadata ?? {},
        ...secret,
      })
      .onConflictDoNothing()
      .returning();
    if (!row) throw new DomainError("CONFLICT", `Existing robot with name: ${name}`);
    await logRobot(tx, owner, actor, "create_robot", {
      robot: short,
      description: input.description ?? null,
      unstructured_metadata: input.metadata ?? null,
    });
    return { robot: toRobot(row), token };
  });
}

export async function getRobot(db: DbOrTx, owner: RobotOwner, short: string): Promise<Robot> {
  return toRobot(await findRow(db, owner, short));
}

/** The robot's current token, opened from its sealed copy. */
export async function robotToken(db: Db, robot: { id: number }): Promise<string> {
  const [row] = await db.select({ sealed: users.robotTokenSealed }).from(users).where(eq(users.id, robot.id));
  const token = row?.sealed ? await decryptPassword(db, row.sealed) : null;
  if (token === null) throw new DomainError("NOT_FOUND", NO_SUCH_ROBOT);
  return token;
}

/** The namespace's robots by name; `limit` keeps the first ones. */
export async function listRobots(db: DbOrTx, owner: RobotOwner, limit?: number): Promise<Robot[]> {
  const query = db.select().from(users).where(robotOf(owner)).orderBy(asc(users.username));
  const rows = limit === undefined ? await query : await query.limit(Math.max(0, limit));
  return rows.map(toRobot);
}

/** Teams each robot is in and repositories it holds a direct role on, by robot id. */
export async function robotGrants(db: DbOrTx, robotIds: number[]): Promise<Map<number, RobotGrants>> {
  const grants = new Map<number, RobotGrants>(robotIds.map((id) => [id, { teams: [], repositories: [] }]));
  if (robotIds.length === 0) return grants;
  const [teamRows, repoRows] = await Promise.all([
    db
      .select({ userId: teamMembers.userId, name: teams.name })
      .from(teamMembers)
      .innerJoin(teams, eq(teams.id, teamMembers.teamId))
      .where(inArray(teamMembers.userId, robotIds))
      .orderBy(asc(teams.name)),
    db
      .select({ userId: repoPermissions.userId, name: repositories.name })
      .from(repoPermissions)
      .innerJoin(repositories, eq(repositories.id, repoPermissions.repositoryId))
      .where(inArray(repoPermissions.userId, robotIds))
      .orderBy(asc(repositories.name)),
  ]);
  for (const row of teamRows) grants.get(row.userId)!.teams.push(row.name);
  for (const row of repoRows) grants.get(row.userId)!.repositories.push(row.name);
  return grants;
}

export interface RobotPermission {
  repository: string;
  isPublic: boolean;
  role: Role;
}

/** The robot's direct repository roles. */
export async function robotPermissions(db: DbOrTx, robot: { id: number }): Promise<RobotPermission[]> {
  const rows = await db
    .select({ repository: repositories.name, visibility: repositories.visibility, role: repoPermissions.role })
    .from(repoPermissions)
    .innerJoin(repositories, eq(repositories.id, repoPermissions.repositoryId))
    .where(eq(repoPermissions.userId, robot.id))
    .orderBy(asc(repositories.name));
  return rows.map((r) => ({ repository: r.repository, isPublic: r.visibility === "public", role: r.role }));
}

export async function deleteRobot(db: Db, owner: RobotOwner, short: string, actor: Actor): Promise<void> {
  await changeRobot(db, { owner, short, actor }, { kind: "delete_robot" }, (tx, row) =>
    tx.delete(users).where(eq(users.id, row.id)),
  );
}

/**
 * Gives the robot a new token. The old one stops working at once: the token hash is part of the
 * robot's auth generation (migration 0006), so its registry tokens and remembered logins die too.
 */
export async function regenerateRobotToken(
  db: Db,
  owner: RobotOwner,
  short: string,
  actor: Actor,
): Promise<{ robot: Robot; token: string }> {
  const token = newRobotToken();
  const secret = await tokenFields(db, token);
  return changeRobot(db, { owner, short, actor }, { kind: "regenerate_robot_token" }, async (tx, row) => {
    const [updated] = await tx.update(users).set(secret).where(eq(users.id, row.id)).returning();
    return { robot: toRobot(updated!), token };
  });
}

// Federation: OIDC issuer/subject pairs trusted to act as the robot.

export async function robotFederation(db: DbOrTx, owner: RobotOwner, short: string): Promise<FederationEntry[]> {
  const row = await findRow(db, owner, short);
  return federationOf(db, row.id);
}

const federationOf = (db: DbOrTx, robotId: number) =>
  db
    .select({ issuer: robotFederations.issuer, subject: robotFederations.subject })
    .from(robotFederations)
    .where(eq(robotFederations.robotId, robotId))
    .orderBy(asc(robotFederations.issuer), asc(robotFederations.subject));

/** Quay's checks on a federation list, in its words; null when it may be stored. */
export function federationProblem(entries: Partial<FederationEntry>[]): string | null {
  const seen = new Set<string>();
  for (const { issuer, subject } of entries) {
    if (!issuer || !subject) return "Missing one or more required fields (issuer, subject)";
    if (!issuer.startsWith("http://") && !issuer.startsWith("https://")) {
      return "Issuer must be a URL (http:// or https://)";
    }
    const key = JSON.stringify([issuer, subject]);
    if (seen.has(key)) return "Duplicate federation config entry";
    seen.add(key);
  }
  return null;
}

/** Replaces the robot's federation list; returns what is stored. */
export async function setRobotFederation(
  db: Db,
  owner: RobotOwner,
  short: string,
  entries: Partial<FederationEntry>[],
  actor: Actor,
): Promise<FederationEntry[]> {
  const problem = federationProblem(entries);
  if (problem) throw new DomainError("INVALID_REQUEST", problem);
  const config = entries.map((e) => ({ issuer: e.issuer!, subject: e.subject! }));
  const log = { kind: "create_robot_federation", metadata: { config } };
  return changeRobot(db, { owner, short, actor }, log, async (tx, row) => {
    await tx.delete(robotFederations).where(eq(robotFederations.robotId, row.id));
    if (config.length > 0) await tx.insert(robotFederations).values(config.map((e) => ({ ...e, robotId: row.id })));
    return federationOf(tx, row.id);
  });
}

export async function deleteRobotFederation(db: Db, owner: RobotOwner, short: string, actor: Actor): Promise<void> {
  await changeRobot(db, { owner, short, actor }, { kind: "delete_robot_federation" }, (tx, row) =>
    tx.delete(robotFederations).where(eq(robotFederations.robotId, row.id)),
  );
}

// Registry login.

/** The principal a robot acts as: its own user id, and no namespace of its own. */
export const robotPrincipal = (row: { id: number; username: string; authGeneration: number }): UserPrincipal => ({
  kind: "user",
  userId: row.id,
  username: row.username,
  namespaceId: NO_NAMESPACE,
  superuser: false,
  generation: row.authGeneration,
  robot: true,
});

/**
 * A robot's registry login (`owner+short` and its token): the same failed-login limits as
 * passwords, then one lookup by the token's hash, so the work done does not depend on whether the
 * name exists. Null for a wrong pair or a disabled robot.
 */
export async function authenticateRobot(
  deps: { db: Db; logins: LoginThrottle; clock: Clock },
  attempt: { username: string; token: string; ip: string | null },
): Promise<UserPrincipal | null> {
  const { db, logins } = deps;
  const { username, ip } = attempt;
  const wait = logins.admit(username, ip);
  if (wait > 0) throw tooManyRequests("Too many failed sign-ins; try again later", wait);
  const [row] = await db
    .select({ id: users.id, username: users.username, authGeneration: users.authGeneration, enabled: users.enabled })
    .from(users)
    .where(and(eq(users.robotTokenHash, secretHash(attempt.token)), eq(users.kind, "robot")));
  if (!row || row.username !== username || !row.enabled) return null;
  logins.succeeded(username, ip);
  await noteRobotAccess(db, row.id, deps.clock.now());
  return robotPrincipal(row);
}

/**
 * Quay's robot identity federation: an ID token from an issuer and subject the robot trusts
 * (its federation list) stands for the robot. UNAUTHENTICATED for no such robot; INVALID_REQUEST
 * for a token that is invalid, expired or from an issuer/subject pair not on the list.
 */
export async function federatedRobotLogin(
  db: Db,
  attempt: { username: string; idToken: string; ip: string | null },
): Promise<UserPrincipal> {
  const [row] = await db
    .select()
    .from(users)
    .where(and(eq(users.username, attempt.username), eq(users.kind, "robot")));
  if (!row?.enabled) throw new DomainError("UNAUTHENTICATED", NO_SUCH_ROBOT);
  const trusted = await federationOf(db, row.id);
  const claims = await verifyOidcToken(attempt.idToken, [...new Set(trusted.map((e) => e.issuer))]);
  if (!claims || !trusted.some((e) => e.issuer === claims.issuer && e.subject === claims.subject)) {
    throw new DomainError("INVALID_REQUEST", "The token is not from an issuer and subject this robot trusts");
  }
  await writeAudit(db, {
    kind: "federated_robot_token_exchange",
    namespaceId: row.robotOwnerNamespaceId,
    performerId: row.id,
    ip: attempt.ip,
    metadata: { robot: row.username.slice(row.username.indexOf("+") + 1), issuer: claims.issuer, subject: claims.subject },
  });
  return robotPrincipal(row);
}

/** Records a robot's use, at most once a minute (a skipped write costs an index lookup). */
async function noteRobotAccess(db: Db, robotId: number, now: Date): Promise<void> {
  const stale = new Date(now.getTime() - ACCESS_RESOLUTION_MS);
  await db
    .update(users)
    .set({ lastAccessedAt: now })
    .where(and(eq(users.id, robotId), or(isNull(users.lastAccessedAt), lt(users.lastAccessedAt, stale))));
}

/** Whether a login name is a robot's (`owner+short`); people's names cannot hold `+`. */
export const isRobotName = (username: string) => username.includes("+");

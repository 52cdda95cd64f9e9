// An organization's default permissions (Quay's permission prototypes): when a repository is
// created in the organization (by the activating user, or by anyone when none is named), the
// delegate user, robot or team is granted the role on it. A prototype naming the creator wins over
// a general one for the same delegate, and the creator is never a user delegate (they are admin).
import { and, eq, inArray, type SQL, sql } from "drizzle-orm";
import type { Db, DbOrTx } from "../../../db/client.ts";
import { defaultPermissions, repoPermissions, teamRepoPermissions, teams, users } from "../../../db/schema.ts";
import type { Role } from "../access/permissions.ts";
import type { Actor } from "../access/principal.ts";
import { type Account, inSomeTeam, logOrgAction, type OrgRef, type Team } from "./teams.ts";
import { isUuid } from "../uuids.ts";

/** A user or robot a prototype names, with whether they belong to the organization. */
export interface PrototypeAccount {
  account: Account;
  /** A robot, or a person in one of the organization's teams (Quay's is_org_member). */
  orgMember: boolean;
}

export interface Prototype {
  uuid: string;
  role: Role;
  activatingUser: PrototypeAccount | null;
  delegate: { kind: "user"; user: PrototypeAccount } | { kind: "team"; team: Team };
}

export interface NewPrototype {
  role: Role;
  activatingUser: Account | null;
  delegate: { kind: "user"; user: Account } | { kind: "team"; team: Team };
}

type Row = typeof defaultPermissions.$inferSelect;

/** Rows with their accounts and teams looked up (in two queries, whatever the count). */
async function withDetails(db: DbOrTx, namespaceId: number, rows: Row[]): Promise<Prototype[]> {
  const accountIds = [...new Set(rows.flatMap((r) => [r.activatingUserId, r.delegateUserId]).filter((id) => id !== null))];
  const teamIds = [...new Set(rows.map((r) => r.delegateTeamId).filter((id) => id !== null))];
  const accounts = new Map(
    (accountIds.length ? await db.select().from(users).where(inArray(users.id, accountIds)) : []).map((a) => [a.id, a]),
  );
  const teamRows = new Map((teamIds.length ? await db.select().from(teams).where(inArray(teams.id, teamIds)) : []).map((t) => [t.id, t]));
  const members = await inSomeTeam(db, namespaceId, accountIds);
  const described = (id: number | null): PrototypeAccount | null => {
    const account = id === null ? undefined : accounts.get(id);
    return account ? { account, orgMember: account.kind === "robot" || members.has(account.id) } : null;
  };
  return rows.map((r) => ({
    uuid: r.uuid,
    role: r.role,
    activatingUser: described(r.activatingUserId),
    delegate: r.delegateTeamId !== null
      ? { kind: "team" as const, team: teamRows.get(r.delegateTeamId)! }
      : { kind: "user" as const, user: described(r.delegateUserId)! },
  }));
}

export async function listPrototypes(db: DbOrTx, namespaceId: number): Promise<Prototype[]> {
  const rows = await db.select().from(defaultPermissions).where(eq(defaultPermissions.namespaceId, namespaceId)).orderBy(defaultPermissions.id);
  return withDetails(db, namespaceId, rows);
}

async function findRow(db: DbOrTx, namespaceId: number, uuid: string): Promise<Row | undefined> {
  if (!isUuid(uuid)) return undefined;
  const [row] = await db
    .select()
    .from(defaultPermissions)
    .where(and(eq(defaultPermissions.namespaceId, namespaceId), eq(defaultPermissions.uuid, uuid)));
  return row;
}

/** Quay's log metadata for a prototype change. */
function logMetadata(actor: Actor, p: Prototype, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    prototypeid: p.uuid,
    username: actor.principal.kind === "user" ? actor.principal.username : null,
    activating_username: p.activatingUser?.account.username ?? null,
    role: p.role,
    ...extra,
    ...(p.delegate.kind === "user" ? { delegate_user: p.delegate.user.account.username } : { delegate_team: p.delegate.team.name }),
  };
}

export async function createPrototype(db: Db, actor: Actor, org: OrgRef, input: NewPrototype): Promise<Prototype> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(defaultPermissions)
      .values({
        namespaceId: org.namespaceId,
        role: input.role,
        activatingUserId: input.activatingUser?.id ?? null,
        delegateUserId: input.delegate.kind === "user" ? input.delegate.user.id : null,
        delegateTeamId: input.delegate.kind === "team" ? input.delegate.team.id : null,
      })
      .returning();
    const [created] = await withDetails(tx, org.namespaceId, [row!]);
    await logOrgAction(tx, actor, org, "create_prototype_permission", logMetadata(actor, created!));
    return created!;
  });
}

/** Changes a prototype's role; undefined when the organization has no prototype with that id. */
export async function updatePrototype(db: Db, actor: Actor, org: OrgRef, uuid: string, role: Role): Promise<Prototype | undefined> {
  return db.transaction(async (tx) => {
    const existing = await findRow(tx, org.namespaceId, uuid);
    if (!existing) return undefined;
    const [row] = await tx.update(defaultPermissions).set({ role }).where(eq(defaultPermissions.id, existing.id)).returning();
    const [updated] = await withDetails(tx, org.namespaceId, [row!]);
    await logOrgAction(tx, actor, org, "modify_prototype_permission", logMetadata(actor, updated!, { original_role: existing.role }));
    return updated;
  });
}

/** Deletes a prototype; false when the organization has no prototype with that id. */
export async function deletePrototype(db: Db, actor: Actor, org: OrgRef, uuid: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    const existing = await findRow(tx, org.namespaceId, uuid);
    if (!existing) return false;
    const [gone] = await withDetails(tx, org.namespaceId, [existing]);
    await tx.delete(defaultPermissions).where(eq(defaultPermissions.id, existing.id));
    await logOrgAction(tx, actor, org, "delete_prototype_permission", logMetadata(actor, gone!));
    return true;
  });
}

/**
 * CTEs (to follow others in a `with`) granting what the organization's prototypes say on each
 * repository `created` returns (a CTE with an `id` column), for a repository made by `creatorId`.
 */
export function prototypeGrantsFor(created: SQL, namespaceId: number, creatorId: number | null): SQL {
  const d = defaultPermissions;
  const applies = sql`${d.namespaceId} = ${namespaceId}
    and (${d.activatingUserId} is null or ${d.activatingUserId} = ${creatorId}::int)`;
  // distinct on: one grant per delegate, the creator's own prototype first.
  return sql`team_defaults as (
      insert into ${teamRepoPermissions} (repository_id, team_id, role)
      select distinct on (${d.delegateTeamId}) c.id, ${d.delegateTeamId}, ${d.role}
      from ${created} c, ${d}
      where ${applies} and ${d.delegateTeamId} is not null
      order by ${d.delegateTeamId}, ${d.activatingUserId} is null
    ), user_defaults as (
      insert into ${repoPermissions} (repository_id, user_id, role)
      select distinct on (${d.delegateUserId}) c.id, ${d.delegateUserId}, ${d.role}
      from ${created} c, ${d}
      where ${applies} and ${d.delegateUserId} is not null and ${d.delegateUserId} is distinct from ${creatorId}::int
      order by ${d.delegateUserId}, ${d.activatingUserId} is null
    )`;
}

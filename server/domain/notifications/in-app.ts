// In-app notifications (Quay's "Quay Notification" method and its bell): rows in
// user_notifications addressed to a person's namespace or to an organization's. A person sees
// their own and those of every organization they administer (an admin team's member), as in
// Quay; an organization's row is one row, so one admin dismissing it dismisses it for all.
import { and, count, desc, eq, isNotNull, sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "../../../db/client.ts";
import { namespaces, teamMembers, teams, userNotifications, users } from "../../../db/schema.ts";
import { DomainError } from "../errors.ts";
import type { Services } from "../services.ts";
import { isUuid } from "../uuids.ts";

/** Who a `quay_notification` goes to: a person, a team of the repository's organization, or the organization. */
export interface InAppTarget {
  kind: "user" | "team" | "org";
  name: string;
}

export interface InAppDelivery {
  /** The namespace of the repository the event happened in (teams are looked up there). */
  repositoryNamespace: string;
  target: InAppTarget;
  /** The event's name (`repo_push`, …), Quay's notification kind. */
  kind: string;
  /** The event data, shown back by the API as `metadata`. */
  metadata: Record<string, unknown>;
}

/** The person looking at their notifications. */
export interface Viewer {
  userId: number;
  /** Their own namespace. */
  namespaceId: number;
}

export interface InAppNotification {
  uuid: string;
  kind: string;
  metadata: Record<string, unknown>;
  dismissed: boolean;
  createdAt: Date;
  /** The organization it was addressed to; null when addressed to the person. */
  organization: string | null;
}

/** The bell counts this many at most ("99+" past it), so its query stays bounded. */
export const UNREAD_CAP = 100;

/**
 * The namespaces whose notifications the viewer sees: their own and the organizations they
 * administer. `= any(array(…))` is computed once, so each target is an index lookup.
 */
function visibleTo(viewer: Viewer): SQL {
  return sql`${userNotifications.targetNamespaceId} = any(array(
    select ${viewer.namespaceId}::integer
    union all
    select ${teams.namespaceId} from ${teams} join ${teamMembers} on ${teamMembers.teamId} = ${teams.id}
    where ${teamMembers.userId} = ${viewer.userId} and ${teams.role} = 'admin'))`;
}

/** The namespace rows a delivery goes to; robots have none and are skipped, as they cannot read them. */
async function targetNamespaces(db: DbOrTx, { repositoryNamespace, target }: InAppDelivery): Promise<number[]> {
  if (target.kind === "user") {
    const rows = await db
      .select({ id: users.namespaceId })
      .from(users)
      .where(and(eq(users.username, target.name), eq(users.kind, "user"), isNotNull(users.namespaceId)));
    return rows.map((r) => r.id!);
  }
  if (target.kind === "org") {
    // Only a repository of the organization may notify it (Quay's rule, also checked at creation).
    if (target.name !== repositoryNamespace) throw new DomainError("INVALID_REQUEST", "Organization name must match repository namespace");
    const rows = await db
      .select({ id: namespaces.id })
      .from(namespaces)
      .where(and(eq(namespaces.name, target.name), eq(namespaces.kind, "org")));
    return rows.map((r) => r.id);
  }
  const rows = await db
    .selectDistinct({ id: users.namespaceId })
    .from(teams)
    .innerJoin(namespaces, eq(namespaces.id, teams.namespaceId))
    .innerJoin(teamMembers, eq(teamMembers.teamId, teams.id))
    .innerJoin(users, eq(users.id, teamMembers.userId))
    .where(and(eq(namespaces.name, repositoryNamespace), eq(teams.name, target.name), isNotNull(users.namespaceId)));
  return rows.map((r) => r.id!);
}

/**
 * Delivers one event in-app: a row for the user, for each member of the team, or for the
 * organization. A target that no longer exists (deleted user or team) receives nothing, as in
 * Quay. Returns how many rows were written.
 */
export async function deliverInApp(svc: Pick<Services, "db" | "clock">, delivery: InAppDelivery): Promise<number> {
  const targets = await targetNamespaces(svc.db, delivery);
  if (targets.length === 0) return 0;
  const createdAt = svc.clock.now();
  await svc.db
    .insert(userNotifications)
    .values(targets.map((targetNamespaceId) => ({ targetNamespaceId, kind: delivery.kind, metadata: delivery.metadata, createdAt })));
  return targets.length;
}

const notificationFields = {
  uuid: userNotifications.uuid,
  kind: userNotifications.kind,
  metadata: userNotifications.metadata,
  dismissed: userNotifications.dismissed,
  createdAt: userNotifications.createdAt,
  organization: sql<string | null>`case when ${namespaces.kind} = 'org' then ${namespaces.name} end`,
};

/** The viewer's notifications, newest first; dismissed ones only when asked for. */
export async function listInApp(
  db: DbOrTx,
  viewer: Viewer,
  page: { offset: number; limit: number; includeDismissed?: boolean },
): Promise<InAppNotification[]> {
  return db
    .select(notificationFields)
    .from(userNotifications)
    .innerJoin(namespaces, eq(namespaces.id, userNotifications.targetNamespaceId))
    .where(and(visibleTo(viewer), page.includeDismissed ? undefined : eq(userNotifications.dismissed, false)))
    .orderBy(desc(userNotifications.createdAt), desc(userNotifications.id))
    .offset(page.offset)
    .limit(page.limit);
}

/** How many notifications the viewer has not dismissed, counted up to UNREAD_CAP. */
export async function countUnread(db: DbOrTx, viewer: Viewer): Promise<number> {
  const unread = db
    .select({ one: sql`1` })
    .from(userNotifications)
    .where(and(visibleTo(viewer), eq(userNotifications.dismissed, false)))
    .limit(UNREAD_CAP)
    .as("unread");
  const [row] = await db.select({ n: count() }).from(unread);
  return row?.n ?? 0;
}

/** One notification the viewer may see (dismissed or not), by its uuid. */
export async function findInApp(db: DbOrTx, viewer: Viewer, uuid: string): Promise<InAppNotification | undefined> {
  if (!isUuid(uuid)) return undefined;
  const [row] = await db
    .select(notificationFields)
    .from(userNotifications)
    .innerJoin(namespaces, eq(namespaces.id, userNotifications.targetNamespaceId))
    .where(and(visibleTo(viewer), eq(userNotifications.uuid, uuid)));
  return row;
}

/** Dismisses (or brings back) one of the viewer's notifications; undefined when they have no such one. */
export async function setDismissed(db: DbOrTx, viewer: Viewer, uuid: string, dismissed: boolean): Promise<InAppNotification | undefined> {
  const found = await findInApp(db, viewer, uuid);
  if (!found) return undefined;
  await db.update(userNotifications).set({ dismissed }).where(eq(userNotifications.uuid, uuid));
  return { ...found, dismissed };
}

/** Dismisses every notification the viewer sees ("mark all read"); returns how many. */
export async function dismissAll(db: DbOrTx, viewer: Viewer): Promise<number> {
  const rows = await db
    .update(userNotifications)
    .set({ dismissed: true })
    .where(and(visibleTo(viewer), eq(userNotifications.dismissed, false)))
    .returning({ id: userNotifications.id });
  return rows.length;
}

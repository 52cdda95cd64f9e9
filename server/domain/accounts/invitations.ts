// Invitations to teams (Quay's REQUIRE_TEAM_INVITE, on whenever mail is configured): a person who
// is in none of an organization's teams is invited rather than added, and joins by accepting the
// code mailed to them; robots and people already in one of its teams are added at once. An
// invitation may also name only an e-mail address. Codes are kept as hashes.
import { and, asc, eq } from "drizzle-orm";
import type { DbOrTx } from "../../../db/client.ts";
import { namespaces, teamInvitations, teamMembers, teams, users } from "../../../db/schema.ts";
import { newSecret, secretHash } from "../../auth/secrets.ts";
import type { Actor } from "../access/principal.ts";
import { DomainError } from "../errors.ts";
import type { Services } from "../services.ts";
import { type Account, addTeamMember, inSomeTeam, logOrgAction, type OrgRef, type Team } from "./teams.ts";

export type Invitee = { user: Account } | { email: string };

export interface PendingInvitation {
  user: Account | null;
  email: string | null;
}

/** Adds `member` to the team, or invites them when invitations are required and they are new to the organization. */
export async function addOrInviteTeamMember(
  svc: Pick<Services, "db" | "cache">,
  actor: Actor,
  org: OrgRef,
  team: Team,
  member: Account,
  invitationsRequired: boolean,
): Promise<{ invited: false } | { invited: true; code: string }> {
  const known = member.kind === "robot" || (await inSomeTeam(svc.db, org.namespaceId, [member.id])).has(member.id);
  if (!invitationsRequired || known) {
    await addTeamMember(svc, actor, org, team, member);
    return { invited: false };
  }
  return { invited: true, code: await inviteToTeam(svc.db, actor, org, team, { user: member }) };
}

/** Records an invitation (replacing an earlier one to the same person) and returns its code. */
export async function inviteToTeam(db: DbOrTx, actor: Actor, org: OrgRef, team: Team, invitee: Invitee): Promise<string> {
  const code = newSecret();
  await db.transaction(async (tx) => {
    await tx.delete(teamInvitations).where(and(eq(teamInvitations.teamId, team.id), sameInvitee(invitee)));
    await tx.insert(teamInvitations).values({
      teamId: team.id,
      userId: "user" in invitee ? invitee.user.id : null,
      email: "email" in invitee ? invitee.email : null,
      inviterId: actor.principal.kind === "user" ? actor.principal.userId : null,
      codeHash: secretHash(code),
    });
    const name = "user" in invitee ? invitee.user.username : invitee.email;
    const who = "user" in invitee ? { user: name } : { email: name };
    await logOrgAction(tx, actor, org, "org_invite_team_member", { ...who, member: name, team: team.name });
  });
  return code;
}

const sameInvitee = (invitee: Invitee) =>
  "user" in invitee ? eq(teamInvitations.userId, invitee.user.id) : eq(teamInvitations.email, invitee.email);

/** A team's pending invitations, people first by name, then addresses. */
export async function pendingInvitations(db: DbOrTx, teamId: number): Promise<PendingInvitation[]> {
  const rows = await db
    .select({ user: users, email: teamInvitations.email })
    .from(teamInvitations)
    .leftJoin(users, eq(users.id, teamInvitations.userId))
    .where(eq(teamInvitations.teamId, teamId))
    .orderBy(asc(users.username), asc(teamInvitations.email));
  return rows.map((r) => ({ user: r.user, email: r.email }));
}

/** Withdraws the invitation of a person or an address; false when there was none. */
export async function withdrawInvitation(db: DbOrTx, actor: Actor, org: OrgRef, team: Team, invitee: Invitee): Promise<boolean> {
  return db.transaction(async (tx) => {
    const gone = await tx
      .delete(teamInvitations)
      .where(and(eq(teamInvitations.teamId, team.id), sameInvitee(invitee)))
      .returning({ id: teamInvitations.id });
    if (gone.length === 0) return false;
    const name = "user" in invitee ? invitee.user.username : invitee.email;
    const who = "user" in invitee ? { user: name } : { email: name };
    await logOrgAction(tx, actor, org, "org_delete_team_member_invite", { ...who, member: name, team: team.name });
    return true;
  });
}

/** The invitation a code stands for, checked against who answers it. */
async function invitationFor(db: DbOrTx, code: string, user: Account) {
  const [found] = await db
    .select({ invitation: teamInvitations, team: teams, org: namespaces, inviter: users.username })
    .from(teamInvitations)
    .innerJoin(teams, eq(teams.id, teamInvitations.teamId))
    .innerJoin(namespaces, eq(namespaces.id, teams.namespaceId))
    .leftJoin(users, eq(users.id, teamInvitations.inviterId))
    .where(eq(teamInvitations.codeHash, secretHash(code)));
  if (!found) throw new DomainError("MODEL_REFUSED", "Invalid confirmation code.");
  const { invitation } = found;
  if (invitation.userId !== null && invitation.userId !== user.id) {
    const [invitee] = await db.select({ name: users.username }).from(users).where(eq(users.id, invitation.userId));
    throw new DomainError("MODEL_REFUSED", `This invite is intended for user "${invitee?.name}". Please login to that account and try again.`);
  }
  return { ...found, orgRef: { namespaceId: found.org.id, name: found.org.name } };
}

/** What an invitation is to (organization and team), for the one it is meant for; refused otherwise. */
export async function describeInvitation(db: DbOrTx, code: string, user: Account): Promise<{ org: string; team: string; inviter: string | null }> {
  const found = await invitationFor(db, code, user);
  return { org: found.org.name, team: found.team.name, inviter: found.inviter };
}

/** Joins the team an invitation names; the invitation is used up. */
export async function acceptInvitation(
  svc: Pick<Services, "db" | "cache">,
  actor: Actor,
  code: string,
  user: Account,
): Promise<{ org: string; team: string }> {
  const accepted = await svc.db.transaction(async (tx) => {
    const found = await invitationFor(tx, code, user);
    await tx.delete(teamInvitations).where(eq(teamInvitations.id, found.invitation.id));
    await tx.insert(teamMembers).values({ teamId: found.team.id, userId: user.id }).onConflictDoNothing();
    await logOrgAction(tx, actor, found.orgRef, "org_team_member_invite_accepted", {
      member: user.username,
      team: found.team.name,
      inviter: found.inviter,
    });
    return { org: found.org.name, team: found.team.name, namespaceId: found.org.id };
  });
  svc.cache.forgetNamespace(accepted.namespaceId); // this node at once; others hear the notification
  return { org: accepted.org, team: accepted.team };
}

/** Turns an invitation down; it is used up. */
export async function declineInvitation(db: DbOrTx, actor: Actor, code: string, user: Account): Promise<void> {
  await db.transaction(async (tx) => {
    const found = await invitationFor(tx, code, user);
    await tx.delete(teamInvitations).where(eq(teamInvitations.id, found.invitation.id));
    await logOrgAction(tx, actor, found.orgRef, "org_team_member_invite_declined", {
      member: user.username,
      team: found.team.name,
      inviter: found.inviter,
    });
  });
}

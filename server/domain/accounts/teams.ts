// Teams of an organization and what membership in them means.
import { and, eq } from "drizzle-orm";
import type { DbOrTx } from "../../../db/client.ts";
import { teamMembers, teams } from "../../../db/schema.ts";

export type TeamRole = "member" | "creator" | "admin";
const TEAM_RANK: Record<TeamRole, number> = { member: 1, creator: 2, admin: 3 };

/**
 * The highest role a user (or robot) holds in an organization through its teams, or null when
 * it is in none of them. Admin: full organization admin; creator: may also create repositories;
 * member: only what its teams are granted on repositories.
 */
export async function orgRole(db: DbOrTx, userId: number, namespaceId: number): Promise<TeamRole | null> {
  const rows = await db
    .select({ role: teams.role })
    .from(teamMembers)
    .innerJoin(teams, eq(teams.id, teamMembers.teamId))
    .where(and(eq(teamMembers.userId, userId), eq(teams.namespaceId, namespaceId)));
  let best: TeamRole | null = null;
  for (const { role } of rows) if (best === null || TEAM_RANK[role] > TEAM_RANK[best]) best = role;
  return best;
}


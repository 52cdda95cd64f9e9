// Stars: a user's bookmarks on repositories. The repository list's `starred` filter and the
// "is starred" facts read the same `stars` table (repository-listings.ts, repositories.ts).
import { and, count, eq, inArray } from "drizzle-orm";
import type { DbOrTx } from "../../../db/client.ts";
import { stars } from "../../../db/schema.ts";
import { repositoryAccess } from "../access/access.ts";
import type { UserPrincipal } from "../access/principal.ts";
import type { RepoRef } from "../names.ts";
import type { Repository } from "./repositories.ts";

/**
 * The repository behind `ref` if the user may read it. A repository they cannot read counts as
 * missing (Quay stars any name; answering alike for both keeps private names from leaking).
 */
async function readableRepository(db: DbOrTx, user: UserPrincipal, ref: RepoRef): Promise<Repository | undefined> {
  const { repo, role } = await repositoryAccess(db, user, ref);
  return repo && (role !== null || repo.visibility === "public") ? repo : undefined;
}

/** Stars the repository (again is fine); undefined when there is none the user may read. */
export async function starRepository(db: DbOrTx, user: UserPrincipal, ref: RepoRef): Promise<Repository | undefined> {
  const repo = await readableRepository(db, user, ref);
  if (repo) await db.insert(stars).values({ userId: user.userId, repositoryId: repo.id }).onConflictDoNothing();
  return repo;
}

/** Removes the star (none is fine); undefined when there is no repository the user may read. */
export async function unstarRepository(db: DbOrTx, user: UserPrincipal, ref: RepoRef): Promise<Repository | undefined> {
  const repo = await readableRepository(db, user, ref);
  if (repo) await db.delete(stars).where(and(eq(stars.userId, user.userId), eq(stars.repositoryId, repo.id)));
  return repo;
}

/** How many users starred each of the repositories (absent when none did). */
export async function starCounts(db: DbOrTx, repositoryIds: number[]): Promise<Map<number, number>> {
  if (repositoryIds.length === 0) return new Map();
  const rows = await db
    .select({ id: stars.repositoryId, n: count() })
    .from(stars)
    .where(inArray(stars.repositoryId, repositoryIds))
    .groupBy(stars.repositoryId);
  return new Map(rows.map((r) => [r.id, r.n]));
}

// Quay's repository list (`GET /api/v1/repository`): the repositories a principal holds a role
// on, optionally widened by the public ones, narrowed to one namespace or to their stars.
import { and, asc, eq, gt, inArray, type SQL, sql } from "drizzle-orm";
import type { DbOrTx } from "../../../db/client.ts";
import { namespaces, repositories, stars } from "../../../db/schema.ts";
import type { Principal } from "../access/principal.ts";
import { grantedTo, readableBy, type Repository, repositoryColumns } from "./repositories.ts";

export interface VisibleRepositoryQuery {
  /** Only this namespace's repositories (ignored for `starred`, as in Quay). */
  namespace?: string;
  /** Add public repositories the principal holds no role on. */
  includePublic: boolean;
  /** Only the principal's starred repositories that they may still read. */
  starred: boolean;
  /** Only repositories with a greater id (paging). */
  afterId?: number;
  limit?: number;
}

export async function listVisibleRepositories(
  db: DbOrTx,
  principal: Principal,
  query: VisibleRepositoryQuery,
): Promise<Repository[]> {
  const filters: SQL[] = [sql`${repositories.state} <> 'MARKED_FOR_DELETION'`];
  if (query.starred) {
    if (principal.kind !== "user") return [];
    filters.push(readableBy(principal), inArray(repositories.id, starredIds(db, principal.userId)));
  } else {
    const visible = query.includePublic ? readableBy(principal) : grantedTo(principal);
    // Anonymous callers hold no role anywhere: without public ones there is nothing to list.
    if (!visible) return [];
    filters.push(visible);
    if (query.namespace !== undefined) filters.push(eq(namespaces.name, query.namespace));
  }
  if (query.afterId !== undefined) filters.push(gt(repositories.id, query.afterId));
  const rows = db
    .select(repositoryColumns)
    .from(repositories)
    .innerJoin(namespaces, eq(namespaces.id, repositories.namespaceId))
    .where(and(...filters))
    .orderBy(asc(repositories.id));
  return query.limit !== undefined ? await rows.limit(query.limit) : await rows;
}

const starredIds = (db: DbOrTx, userId: number) =>
  db.select({ id: stars.repositoryId }).from(stars).where(eq(stars.userId, userId));

/** Which of the given repositories the principal has starred. */
export async function starredAmong(db: DbOrTx, principal: Principal, repositoryIds: number[]): Promise<Set<number>> {
  if (principal.kind !== "user" || repositoryIds.length === 0) return new Set();
  const rows = await db
    .select({ id: stars.repositoryId })
    .from(stars)
    .where(and(eq(stars.userId, principal.userId), inArray(stars.repositoryId, repositoryIds)));
  return new Set(rows.map((r) => r.id));
}

// Repositories: lookup, creation (explicit or on first push), listing, description,
// visibility and deletion.
import { and, asc, count, eq, exists, gt, inArray, or, type SQL, sql } from "drizzle-orm";
import type { Db, DbOrTx } from "../../../db/client.ts";
import { namespaces, repoPermissions, repositories, stars, teamMembers, teamRepoPermissions, teams } from "../../../db/schema.ts";
import { prototypeGrantsFor } from "../accounts/default-permissions.ts";
import { auditInsertFrom, performedBy, writeAudit } from "../activity/audit.ts";
import { DomainError } from "../errors.ts";
import { nameContains } from "../name-filter.ts";
import { pageAfter } from "../content/name-pages.ts";
import { type RepoRef, repositoryNameProblem } from "../names.ts";
import { canCreateIn } from "../access/permissions.ts";
import { type Actor, performerId, type Principal } from "../access/principal.ts";
import type { Services } from "../services.ts";

export type Visibility = "public" | "private";

export interface Repository {
  id: number;
  namespaceId: number;
  namespace: string;
  name: string;
  visibility: Visibility;
  description: string;
  kind: "image";
  state: (typeof repositories.$inferSelect)["state"];
  createdAt: Date;
}

export const repositoryColumns = {
  id: repositories.id,
  namespaceId: repositories.namespaceId,
  namespace: namespaces.name,
  name: repositories.name,
  visibility: repositories.visibility,
  description: repositories.description,
  kind: repositories.kind,
  state: repositories.state,
  createdAt: repositories.createdAt,
};

export async function findRepository(db: DbOrTx, ref: RepoRef): Promise<Repository | undefined> {
  const [repo] = await db
    .select(repositoryColumns)
    .from(repositories)
    .innerJoin(namespaces, eq(namespaces.id, repositories.namespaceId))
    .where(and(eq(namespaces.name, ref.namespace), eq(repositories.name, ref.name)));
  return repo;
}

export interface NewRepository extends RepoRef {
  visibility: Visibility;
  description?: string;
}

export async function createRepository(db: Db, actor: Actor, input: NewRepository): Promise<Repository> {
  // Permission first, as Quay does: a caller may not probe name rules in foreign namespaces.
  const [ns] = await db.select().from(namespaces).where(eq(namespaces.name, input.namespace));
  if (!ns || !(await canCreateIn(db, actor.principal, ns))) {
    throw new DomainError("FORBIDDEN", `You do not have permission to create repositories in ${input.namespace}`);
  }
  const problem = repositoryNameProblem(input.name);
  if (problem) throw new DomainError("NAME_INVALID", "Invalid repository name", { reason: problem });
  // As in Quay, whoever creates a repository in an organization is its admin from then on (a
  // creator-role team lets them create, not touch the organization's other repositories).
  const creatorGrant =
    ns.kind === "org" && actor.principal.kind === "user"
      ? sql`, granted as (
          insert into ${repoPermissions} (repository_id, user_id, role)
          select created.id, ${actor.principal.userId}, 'admin' from created
        )`
      : sql``;
  // And its default permissions (only organizations have them: no extra work elsewhere).
  const defaults = ns.kind === "org" ? sql`, ${prototypeGrantsFor(sql`created`, ns.id, performerId(actor))}` : sql``;
  // The repository row, its usage-log entry (and grants) in one statement (atomic, one round trip).
  const [row] = await db.execute<{
    id: number;
    name: string;
    visibility: Visibility;
    kind: Repository["kind"];
    state: Repository["state"];
    description: string;
    created_at: string;
  }>(sql`
    with created as (
      insert into ${repositories} (namespace_id, name, visibility, description)
      values (${ns.id}, ${input.name}, ${input.visibility}, ${input.description ?? ""})
      on conflict do nothing
      returning *
    ), logged as (
      ${auditInsertFrom(sql`created`, {
        kind: "create_repo",
        namespaceId: ns.id,
        repositoryId: sql`created.id`,
        ...performedBy(actor),
        metadata: { repo: input.name, namespace: input.namespace },
      })}
    )${creatorGrant}${defaults}
    select id, name, visibility, kind, state, description, created_at from created`);
  if (!row) throw new DomainError("CONFLICT", "Repository already exists");
  return {
    id: Number(row.id),
    namespaceId: ns.id,
    namespace: ns.name,
    name: row.name,
    visibility: row.visibility,
    kind: row.kind,
    state: row.state,
    description: row.description,
    createdAt: new Date(row.created_at),
  };
}

/**
 * The repository a push writes into: the existing one, or a new private one when the pusher
 * may create repositories in the namespace (the registry token already said so).
 */
export async function repositoryForPush(db: Db, actor: Actor, ref: RepoRef): Promise<Repository> {
  const existing = await findRepository(db, ref);
  if (existing) return existing;
  try {
    return await createRepository(db, actor, { ...ref, visibility: "private" });
  } catch (err) {
    // Two layers of the same image race to create the repository: the loser uses the winner's.
    if (err instanceof DomainError && err.code === "CONFLICT") {
      const created = await findRepository(db, ref);
      if (created) return created;
    }
    throw err;
  }
}

/** Repositories a principal may read: public ones, their own namespace's, and granted ones. */
export function readableBy(principal: Principal): SQL {
  const isPublic = eq(repositories.visibility, "public");
  const granted = grantedTo(principal);
  return granted ? or(isPublic, granted)! : isPublic;
}

/**
 * Repositories a principal holds a role on regardless of visibility (their own namespace's, their
 * organizations' where they are in an admin team, granted ones to them or their teams): the SQL
 * form of `roleOn` (domain/access/permissions.ts). Undefined for anonymous callers, who hold none.
 */
export function grantedTo(principal: Principal): SQL | undefined {
  if (principal.kind === "anonymous") return undefined;
  const userId = principal.userId;
  return or(
    eq(repositories.namespaceId, principal.namespaceId),
    exists(
      sql`(select 1 from ${repoPermissions} where ${repoPermissions.repositoryId} = ${repositories.id} and ${repoPermissions.userId} = ${userId})`,
    ),
    exists(
      sql`(select 1 from ${teamRepoPermissions} join ${teamMembers} on ${teamMembers.teamId} = ${teamRepoPermissions.teamId}
           where ${teamRepoPermissions.repositoryId} = ${repositories.id} and ${teamMembers.userId} = ${userId})`,
    ),
    exists(
      sql`(select 1 from ${teams} join ${teamMembers} on ${teamMembers.teamId} = ${teams.id}
           where ${teams.namespaceId} = ${repositories.namespaceId} and ${teams.role} = 'admin' and ${teamMembers.userId} = ${userId})`,
    ),
  )!;
}

export interface RepositoryFilter {
  namespace?: string;
  publicOnly?: boolean;
  starredOnly?: boolean;
  /** Only repositories with id greater than this (API paging). */
  afterId?: number;
  /** Only repositories whose `namespace/name` contains this text, ignoring case (UI filter box). */
  nameContains?: string;
}

export interface RepositoryListQuery extends RepositoryFilter {
  /** Rows to skip (UI page numbers). */
  offset?: number;
  limit: number;
}

/** The conditions of a listing; null when nothing can match (starred, for an anonymous caller). */
function listFilters(db: DbOrTx, principal: Principal, query: RepositoryFilter): SQL[] | null {
  const filters: SQL[] = [readableBy(principal), sql`${repositories.state} <> 'MARKED_FOR_DELETION'`];
  if (query.namespace !== undefined) filters.push(eq(namespaces.name, query.namespace));
  if (query.publicOnly) filters.push(eq(repositories.visibility, "public"));
  if (query.starredOnly) {
    if (principal.kind !== "user") return null;
    filters.push(
      inArray(
        repositories.id,
        db.select({ id: stars.repositoryId }).from(stars).where(eq(stars.userId, principal.userId)),
      ),
    );
  }
  if (query.afterId !== undefined) filters.push(gt(repositories.id, query.afterId));
  if (query.nameContains) filters.push(nameContains(sql`${namespaces.name} || '/' || ${repositories.name}`, query.nameContains));
  return filters;
}

export async function listRepositories(
  db: DbOrTx,
  principal: Principal,
  query: RepositoryListQuery,
): Promise<Repository[]> {
  const filters = listFilters(db, principal, query);
  if (!filters) return [];
  return db
    .select(repositoryColumns)
    .from(repositories)
    .innerJoin(namespaces, eq(namespaces.id, repositories.namespaceId))
    .where(and(...filters))
    .orderBy(asc(repositories.id))
    .offset(query.offset ?? 0)
    .limit(query.limit);
}

/** How many repositories a listing holds in all (the UI pager's total). */
export async function countRepositories(db: DbOrTx, principal: Principal, query: RepositoryFilter): Promise<number> {
  const filters = listFilters(db, principal, query);
  if (!filters) return 0;
  const [row] = await db
    .select({ count: count() })
    .from(repositories)
    .innerJoin(namespaces, eq(namespaces.id, repositories.namespaceId))
    .where(and(...filters));
  return row?.count ?? 0;
}

/** Catalog order (by full name), as the distribution spec's `_catalog` paging expects. */
export async function listRepositoryNames(
  db: DbOrTx,
  principal: Principal,
  after: string | undefined,
  limit: number,
): Promise<string[]> {
  const fullName = sql<string>`${namespaces.name} || '/' || ${repositories.name}`;
  const filters: SQL[] = [readableBy(principal), sql`${repositories.state} <> 'MARKED_FOR_DELETION'`];
  if (after !== undefined) filters.push(sql`${fullName} collate "C" > ${after}`);
  const rows = await db
    .select({ name: fullName })
    .from(repositories)
    .innerJoin(namespaces, eq(namespaces.id, repositories.namespaceId))
    .where(and(...filters))
    .orderBy(sql`${fullName} collate "C"`)
    .limit(limit);
  return rows.map((r) => r.name);
}

/** Catalogs of at most this many names are kept in memory, per principal. */
export const CACHED_CATALOG_MAX = 10_000;

/**
 * A page of the registry catalog for a principal: served from memory (dropped whenever any
 * repository appears, goes or changes hands) unless it is longer than is worth keeping.
 */
export async function catalogPage(
  svc: Services,
  principal: Principal,
  page: { last?: string; limit: number },
): Promise<string[]> {
  const key = principal.kind === "user" ? `user:${principal.userId}` : "anonymous";
  let all = svc.cache.catalog(key);
  if (all === undefined) {
    const readAt = svc.cache.version;
    const names = await listRepositoryNames(svc.db, principal, undefined, CACHED_CATALOG_MAX + 1);
    all = names.length > CACHED_CATALOG_MAX ? null : names;
    svc.cache.rememberCatalog(key, all, readAt);
  }
  return all === null ? listRepositoryNames(svc.db, principal, page.last, page.limit) : pageAfter(all, page.last, page.limit);
}

export async function isStarred(db: DbOrTx, principal: Principal, repo: Repository): Promise<boolean> {
  if (principal.kind !== "user") return false;
  const [row] = await db
    .select({ one: sql`1` })
    .from(stars)
    .where(and(eq(stars.userId, principal.userId), eq(stars.repositoryId, repo.id)));
  return row !== undefined;
}

/** Changes one setting of a repository with its usage-log row, and drops this node's cached record. */
async function changeSetting(
  svc: Services,
  actor: Actor,
  repo: Repository,
  change: Partial<Pick<typeof repositories.$inferInsert, "description" | "visibility">>,
  kind: string,
) {
  await svc.db.transaction(async (tx) => {
    await tx.update(repositories).set(change).where(eq(repositories.id, repo.id));
    await writeAudit(tx, {
      kind,
      namespaceId: repo.namespaceId,
      repositoryId: repo.id,
      ...performedBy(actor),
      metadata: { repo: repo.name, namespace: repo.namespace, ...change },
    });
  });
  svc.cache.forget(repo.id); // this node at once; others hear the change notification
}

export const setDescription = (svc: Services, actor: Actor, repo: Repository, description: string) =>
  changeSetting(svc, actor, repo, { description }, "set_repo_description");

export const setVisibility = (svc: Services, actor: Actor, repo: Repository, visibility: Visibility) =>
  changeSetting(svc, actor, repo, { visibility }, "change_repo_visibility");

/**
 * Deletes the repository's rows (tags, manifests, links, uploads). Blob bytes stay in storage
 * until garbage collection finds nothing else references them.
 */
export async function deleteRepository(svc: Services, actor: Actor, repo: Repository) {
  await svc.db.transaction(async (tx) => {
    await tx.delete(repositories).where(eq(repositories.id, repo.id));
    await writeAudit(tx, {
      kind: "delete_repo",
      namespaceId: repo.namespaceId,
      ...performedBy(actor),
      metadata: { repo: repo.name, namespace: repo.namespace },
    });
  });
  svc.cache.forget(repo.id); // this node at once; others hear the change notification
}

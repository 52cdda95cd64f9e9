// Searching the whole registry (Quay's /api/v1/find/*, the header's search box, /search):
// repositories whose name or description holds the text, and users, organizations, robots and
// teams whose names start with it. What a caller may see is the listings' own rule (`readableBy`):
// anonymous callers find public repositories only, and a namespace shows only when it holds a
// repository the caller may read (as in Quay, so searching names reveals nothing private).
//
// Repository and namespace names are lowercase by their grammar, so names are matched as stored
// (no lower() on the column) with `like`: a trigram index on `repositories.name` (and
// `lower(description)`) or a prefix index on `namespaces.name` serves these predicates unchanged.
import { and, asc, type Column, count, desc, eq, exists, inArray, or, type SQL, sql } from "drizzle-orm";
import type { DbOrTx } from "../../../db/client.ts";
import { namespaces, organizations, repositories, teamMembers, teams, users } from "../../../db/schema.ts";
import type { Principal } from "../access/principal.ts";
import { readableBy, type Repository, repositoryColumns } from "./repositories.ts";

/** `text` for use inside a `like` pattern: its wildcards and the escape character taken literally. */
const likeLiteral = (text: string) => text.replace(/[\\%_]/g, (ch) => `\\${ch}`);

/** The search text as names are stored: without surrounding blanks, lowercase. */
const searchText = (query: string) => query.trim().toLowerCase();

function repositoryMatch(text: string): SQL {
  const pattern = `%${likeLiteral(text)}%`;
  return or(sql`${repositories.name} like ${pattern}`, sql`lower(${repositories.description}) like ${pattern}`)!;
}

function repositoryFilters(principal: Principal, text: string): SQL[] {
  const filters = [readableBy(principal), sql`${repositories.state} <> 'MARKED_FOR_DELETION'`];
  if (text) filters.push(repositoryMatch(text));
  return filters;
}

export interface RepositorySearch {
  /** The text typed; empty lists every visible repository. */
  query: string;
  offset: number;
  limit: number;
}

/**
 * The repositories a principal may read that match, best first: names holding the text before
 * descriptions only (Quay weighs name matches a hundredfold), an exact name, then names starting
 * with it, then by namespace and name.
 */
export async function searchRepositories(db: DbOrTx, principal: Principal, search: RepositorySearch): Promise<Repository[]> {
  const text = searchText(search.query);
  const order: SQL[] = text
    ? [
        desc(sql`${repositories.name} like ${`%${likeLiteral(text)}%`}`),
        desc(sql`${repositories.name} = ${text}`),
        desc(sql`starts_with(${repositories.name}, ${text})`),
      ]
    : [];
  return db
    .select(repositoryColumns)
    .from(repositories)
    .innerJoin(namespaces, eq(namespaces.id, repositories.namespaceId))
    .where(and(...repositoryFilters(principal, text)))
    .orderBy(...order, asc(namespaces.name), asc(repositories.name))
    .offset(search.offset)
    .limit(search.limit);
}

/** How many repositories `searchRepositories` finds in all (the search page's pager). */
export async function countRepositoryMatches(db: DbOrTx, principal: Principal, query: string): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(repositories)
    .where(and(...repositoryFilters(principal, searchText(query))));
  return row?.n ?? 0;
}

export interface NamespaceMatch {
  name: string;
  kind: "user" | "org";
  /** The person's or organization's e-mail (avatars hash it). */
  email: string;
}

/** Users and organizations whose names start with the text and that hold a repository the principal may read. */
export async function searchNamespaces(db: DbOrTx, principal: Principal, query: string, limit: number): Promise<NamespaceMatch[]> {
  const text = searchText(query);
  if (!text) return [];
  const holdsReadable = exists(
    db
      .select({ one: sql`1` })
      .from(repositories)
      .where(
        and(
          eq(repositories.namespaceId, namespaces.id),
          readableBy(principal),
          sql`${repositories.state} <> 'MARKED_FOR_DELETION'`,
        ),
      ),
  );
  return namespaceRows(db)
    .where(and(sql`${namespaces.name} like ${`${likeLiteral(text)}%`}`, holdsReadable))
    .orderBy(asc(namespaces.name))
    .limit(limit);
}

/** The namespaces with these names, by name (what results show of a repository's owner). */
export async function namespacesNamed(db: DbOrTx, names: string[]): Promise<Map<string, NamespaceMatch>> {
  if (names.length === 0) return new Map();
  const rows = await namespaceRows(db).where(inArray(namespaces.name, names));
  return new Map(rows.map((ns) => [ns.name, ns]));
}

const namespaceRows = (db: DbOrTx) =>
  db
    .select({
      name: namespaces.name,
      kind: namespaces.kind,
      email: sql<string>`coalesce(${users.email}, ${organizations.email}, '')`,
    })
    .from(namespaces)
    .leftJoin(users, eq(users.namespaceId, namespaces.id))
    .leftJoin(organizations, eq(organizations.namespaceId, namespaces.id))
    .$dynamic();

/** Namespaces whose robots and teams a person administers: their own and their admin teams' organizations. */
function administeredBy(userId: number, namespaceId: number, owner: Column): SQL {
  return or(
    eq(owner, namespaceId),
    exists(
      sql`(select 1 from ${teams} admin_team join ${teamMembers} admin_member on admin_member.team_id = admin_team.id
           where admin_team.namespace_id = ${owner} and admin_team.role = 'admin' and admin_member.user_id = ${userId})`,
    ),
  )!;
}

export interface RobotMatch {
  /** The full name, `owner+short`. */
  username: string;
  owner: string;
  ownerKind: "user" | "org";
}

/** Robots of the namespaces a person administers whose short names start with the text (Quay's robot search). */
export async function searchRobots(db: DbOrTx, principal: Principal, query: string, limit: number): Promise<RobotMatch[]> {
  const text = searchText(query);
  if (!text || principal.kind !== "user" || principal.robot) return [];
  return db
    .select({ username: users.username, owner: namespaces.name, ownerKind: namespaces.kind })
    .from(users)
    .innerJoin(namespaces, eq(namespaces.id, users.robotOwnerNamespaceId))
    .where(
      and(
        eq(users.kind, "robot"),
        sql`${users.username} like ${namespaces.name} || '+' || ${`${likeLiteral(text)}%`}`,
        administeredBy(principal.userId, principal.namespaceId, namespaces.id),
      ),
    )
    .orderBy(asc(users.username))
    .limit(limit);
}

export interface TeamMatch {
  name: string;
  organization: string;
  organizationEmail: string;
}

/** Teams whose names start with the text that a person is in or administers (Quay's two team searches). */
export async function searchTeams(db: DbOrTx, principal: Principal, query: string, limit: number): Promise<TeamMatch[]> {
  const text = searchText(query);
  if (!text || principal.kind !== "user" || principal.robot) return [];
  const member = exists(
    db
      .select({ one: sql`1` })
      .from(teamMembers)
      .where(and(eq(teamMembers.teamId, teams.id), eq(teamMembers.userId, principal.userId))),
  );
  return db
    .select({ name: teams.name, organization: namespaces.name, organizationEmail: organizations.email })
    .from(teams)
    .innerJoin(namespaces, eq(namespaces.id, teams.namespaceId))
    .innerJoin(organizations, eq(organizations.namespaceId, teams.namespaceId))
    .where(
      and(
        sql`${teams.name} like ${`${likeLiteral(text)}%`}`,
        or(member, administeredBy(principal.userId, principal.namespaceId, teams.namespaceId)),
      ),
    )
    .orderBy(asc(namespaces.name), asc(teams.name))
    .limit(limit);
}

/**
 * How close a name is to the query, in (0, 1]: Quay multiplies each result's base score by a
 * string-closeness score (1 for the name itself, less the later the text appears), falling back
 * to 0.5 when the name does not hold the text (a description match).
 */
export function closeness(name: string, query: string): number {
  const text = searchText(query);
  const at = name.toLowerCase().indexOf(text);
  if (!text || at < 0) return 0.5;
  if (name.length === text.length) return 1;
  // Prefixes score from 0.9, later matches less; longer names with the same start a little less.
  const position = at === 0 ? 0.9 : 0.8 - Math.min(at, 20) / 100;
  return Math.round((position - Math.min(name.length - text.length, 50) / 1000) * 1000) / 1000;
}

// The usage log: every state change writes one row, inside the transaction that made it.
import { type SQL, sql } from "drizzle-orm";
import type { DbOrTx } from "../../../db/client.ts";
import { auditLog, oauthApps, oauthTokens, users } from "../../../db/schema.ts";
import type { Actor } from "../access/principal.ts";

/** Who did it: a person, a robot, a person through an OAuth application, or nobody signed in. */
export type PerformerKind = "user" | "robot" | "oauth_app" | "anonymous";

export interface Performer {
  performerId: number | null;
  performerKind: PerformerKind;
  ip: string | null;
  /** The OAuth token a person acted through: its row gets Quay's `oauth_token_*` metadata keys. */
  oauthTokenId?: number;
}

/** The performer columns of a row an actor's request writes. */
export function performedBy(actor: Actor): Performer {
  const p = actor.principal;
  const ip = actor.ip ?? null;
  if (p.kind === "anonymous") return { performerId: null, performerKind: "anonymous", ip };
  if (p.viaToken && !p.robot) return { performerId: p.userId, performerKind: "oauth_app", ip, oauthTokenId: p.viaToken.id };
  return { performerId: p.userId, performerKind: p.robot ? "robot" : "user", ip };
}

export interface AuditEntry extends Pick<Performer, "oauthTokenId"> {
  kind: string;
  namespaceId?: number | null;
  repositoryId?: number | null;
  performerId?: number | null;
  /** When left out: the performer account's kind (user or robot), else anonymous for a request (it has an IP), else null (a job). */
  performerKind?: PerformerKind | null;
  ip?: string | null;
  metadata?: Record<string, unknown>;
}

export async function writeAudit(tx: DbOrTx, entry: AuditEntry): Promise<void> {
  await tx.insert(auditLog).values({
    kind: entry.kind,
    namespaceId: entry.namespaceId ?? null,
    repositoryId: entry.repositoryId ?? null,
    performerId: entry.performerId ?? null,
    performerKind: performerKindOf(entry),
    ip: entry.ip ?? null,
    metadata: metadataOf(entry),
  });
}

/**
 * The row's metadata as SQL: the entry's, plus Quay's keys naming the OAuth token and application
 * an action went through (read in the same statement: no extra round trip).
 */
function metadataOf(entry: Pick<AuditEntry, "metadata" | "oauthTokenId">): SQL<Record<string, unknown>> {
  const metadata = sql<Record<string, unknown>>`${JSON.stringify(entry.metadata ?? {})}::jsonb`;
  if (entry.oauthTokenId === undefined) return metadata;
  return sql<Record<string, unknown>>`${metadata} || coalesce((
    select jsonb_strip_nulls(jsonb_build_object('oauth_token_id', t.id, 'oauth_token_application_id', a.client_id, 'oauth_token_application', a.name))
    from ${oauthTokens} t left join ${oauthApps} a on a.id = t.app_id where t.id = ${entry.oauthTokenId}::int), '{}'::jsonb)`;
}

/** The row's performer kind as SQL: given, or read from the performer's account row. */
function performerKindOf(entry: Pick<AuditEntry, "performerId" | "performerKind" | "ip">): SQL<PerformerKind | null> {
  if (entry.performerKind !== undefined) return sql`${entry.performerKind}::text`;
  if (entry.performerId == null) return sql`${entry.ip == null ? null : "anonymous"}::text`;
  return sql`(select ${users.kind} from ${users} where ${users.id} = ${entry.performerId}::int)`;
}

/**
 * The same row as `insert … select … from <source>`, for a CTE of a larger statement: one row per
 * row of `source`. `repositoryId` may be SQL naming a column of it (a repository the same
 * statement creates).
 */
export function auditInsertFrom(source: SQL, entry: Omit<AuditEntry, "repositoryId"> & { repositoryId: number | SQL }): SQL {
  const repositoryId = typeof entry.repositoryId === "number" ? sql`${entry.repositoryId}::int` : entry.repositoryId;
  return sql`insert into ${auditLog} (kind, namespace_id, repository_id, performer_id, performer_kind, ip, metadata)
    select ${entry.kind}::text, ${entry.namespaceId ?? null}::int, ${repositoryId}, ${entry.performerId ?? null}::int,
           ${performerKindOf(entry)}, ${entry.ip ?? null}::text, ${metadataOf(entry)}
    from ${source}`;
}

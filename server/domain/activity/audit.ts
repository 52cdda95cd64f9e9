// The usage log: every state change writes one row, inside the transaction that made it.
import { type SQL, sql } from "drizzle-orm";
import type { DbOrTx } from "../../../db/client.ts";
import { auditLog, users } from "../../../db/schema.ts";
import type { Actor } from "../access/principal.ts";

/** Who did it: a person, a robot, a person through an OAuth application, or nobody signed in. */
export type PerformerKind = "user" | "robot" | "oauth_app" | "anonymous";

export interface Performer {
  performerId: number | null;
  performerKind: PerformerKind;
  ip: string | null;
}

/** The performer columns of a row an actor's request writes. */
export function performedBy(actor: Actor): Performer {
  const p = actor.principal;
  const ip = actor.ip ?? null;
  if (p.kind === "anonymous") return { performerId: null, performerKind: "anonymous", ip };
  return { performerId: p.userId, performerKind: p.robot ? "robot" : p.viaToken ? "oauth_app" : "user", ip };
}

export interface AuditEntry {
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
    metadata: entry.metadata ?? {},
  });
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
           ${performerKindOf(entry)}, ${entry.ip ?? null}::text, ${JSON.stringify(entry.metadata ?? {})}::jsonb
    from ${source}`;
}

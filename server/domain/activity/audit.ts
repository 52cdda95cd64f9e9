// The usage log: every state change writes one row, inside the transaction that made it.
import { type SQL, sql } from "drizzle-orm";
import type { DbOrTx } from "../../../db/client.ts";
import { auditLog } from "../../../db/schema.ts";

export interface AuditEntry {
  kind: string;
  namespaceId?: number | null;
  repositoryId?: number | null;
  performerId?: number | null;
  ip?: string | null;
  metadata?: Record<string, unknown>;
}

export async function writeAudit(tx: DbOrTx, entry: AuditEntry): Promise<void> {
  await tx.insert(auditLog).values({
    kind: entry.kind,
    namespaceId: entry.namespaceId ?? null,
    repositoryId: entry.repositoryId ?? null,
    performerId: entry.performerId ?? null,
    ip: entry.ip ?? null,
    metadata: entry.metadata ?? {},
  });
}

/**
 * The same row as `insert … select … from <source>`, for a CTE of a larger statement: one row per
 * row of `source`. `repositoryId` may be SQL naming a column of it (a repository the same
 * statement creates).
 */
export function auditInsertFrom(source: SQL, entry: Omit<AuditEntry, "repositoryId"> & { repositoryId: number | SQL }): SQL {
  const repositoryId = typeof entry.repositoryId === "number" ? sql`${entry.repositoryId}::int` : entry.repositoryId;
  return sql`insert into ${auditLog} (kind, namespace_id, repository_id, performer_id, ip, metadata)
    select ${entry.kind}::text, ${entry.namespaceId ?? null}::int, ${repositoryId}, ${entry.performerId ?? null}::int,
           ${entry.ip ?? null}::text, ${JSON.stringify(entry.metadata ?? {})}::jsonb
    from ${source}`;
}

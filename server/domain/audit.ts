// The usage log: every state change writes one row, inside the transaction that made it.
import type { DbOrTx } from "../../db/client.ts";
import { auditLog } from "../../db/schema.ts";

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

// A usage log (audit rows) newest first: when, what, who, from where, and the details recorded
// with it. Paged by position, newer and older.
import { Cell, DataTable, TimeAgo } from "./data-table.tsx";
import { EmptyState } from "./empty-state.tsx";
import { CursorPager } from "./pager.tsx";

export const USAGE_LOG_TABLE_ID = "usage-log-table";

export interface UsageLogRow {
  kind: string;
  createdAt: Date;
  performer: string | null;
  ip: string | null;
  metadata: Record<string, unknown>;
}

export interface UsageLogTableProps {
  rows: UsageLogRow[];
  /** The addresses of the newer and older pages, or null at either end. */
  newerHref: string | null;
  olderHref: string | null;
  now: Date;
}

/** `tag=v1, manifest_digest=sha256:…`: the recorded details, plainly. */
function details(metadata: Record<string, unknown>): string {
  return Object.entries(metadata)
    .map(([key, value]) => `${key}=${typeof value === "string" ? value : JSON.stringify(value)}`)
    .join(", ");
}

export function UsageLogTable(props: UsageLogTableProps) {
  const footer =
    props.olderHref === null && props.newerHref === null ? undefined : (
      <CursorPager
        summary={
          <>
            <b>{props.rows.length}</b> entries
          </>
        }
        prevHref={props.newerHref}
        nextHref={props.olderHref}
        target={USAGE_LOG_TABLE_ID}
      />
    );
  return (
    <DataTable
      id={USAGE_LOG_TABLE_ID}
      label="Usage logs"
      columns={["When", "Action", "Performed by", "Address", "Details"]}
      rows={props.rows}
      empty={<EmptyState title="No activity yet">Pushes, tag changes and setting changes to this repository are recorded here.</EmptyState>}
      pager={null}
      footer={footer}
      row={(entry) => (
        <tr class="pf-v6-c-table__tr" data-testid="log-row">
          <Cell label="When">
            <TimeAgo date={entry.createdAt} now={props.now} />
          </Cell>
          <Cell label="Action">
            <code>{entry.kind}</code>
          </Cell>
          <Cell label="Performed by" muted={entry.performer === null}>
            {entry.performer ?? "system"}
          </Cell>
          <Cell label="Address" muted={entry.ip === null}>
            {entry.ip ?? "–"}
          </Cell>
          <Cell label="Details">
            <span class="qs-log-details">{details(entry.metadata)}</span>
          </Cell>
        </tr>
      )}
    />
  );
}

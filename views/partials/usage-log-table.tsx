// A usage log (audit rows) newest first: when, what, who, from where. Each action opens onto its
// full description and the details recorded with it. Paged by position, older and back to the newest.
import { isoTime } from "../format.ts";
import { Cell, DataTable, TimeAgo } from "./data-table.tsx";
import { EmptyState } from "./empty-state.tsx";
import { CursorPager } from "./pager.tsx";

export const USAGE_LOG_TABLE_ID = "usage-log-table";

export interface UsageLogRow {
  kind: string;
  /** What happened, in words ("pushed image to tag latest"). */
  description: string;
  createdAt: Date;
  performer: string | null;
  ip: string | null;
  metadata: Record<string, unknown>;
}

export interface UsageLogTableProps {
  rows: UsageLogRow[];
  /** The addresses of the newest page (null when this is it) and the next older one (null at the end). */
  newestHref: string | null;
  olderHref: string | null;
  /** What the log covers, for the empty state ("this repository"). */
  subject: string;
  now: Date;
}

const detailText = (value: unknown) => (typeof value === "string" ? value : JSON.stringify(value));

export function UsageLogTable(props: UsageLogTableProps) {
  const footer =
    props.olderHref === null && props.newestHref === null ? undefined : (
      <CursorPager
        summary={
          <>
            <b>{props.rows.length}</b> entries
          </>
        }
        prevHref={props.newestHref}
        prevLabel="Go to the newest entries"
        nextHref={props.olderHref}
        target={USAGE_LOG_TABLE_ID}
      />
    );
  return (
    <DataTable
      id={USAGE_LOG_TABLE_ID}
      label="Usage logs"
      columns={["When", "Action", "Performed by", "Address"]}
      rows={props.rows}
      empty={<EmptyState title="No activity in this range">Actions on {props.subject} that match the filter and dates are listed here.</EmptyState>}
      pager={null}
      footer={footer}
      row={(entry) => (
        <tr class="pf-v6-c-table__tr" data-testid="log-row">
          <Cell label="When">
            <TimeAgo date={entry.createdAt} now={props.now} />
          </Cell>
          <Cell label="Action">
            <details class="qs-log-entry" data-testid="log-entry">
              <summary>{entry.description}</summary>
              <dl data-testid="log-entry-details">
                <dt>Kind</dt>
                <dd>
                  <code>{entry.kind}</code>
                </dd>
                <dt>Time</dt>
                <dd>{isoTime(entry.createdAt)}</dd>
                {Object.entries(entry.metadata).map(([key, value]) => (
                  <>
                    <dt>{key}</dt>
                    <dd>{detailText(value)}</dd>
                  </>
                ))}
              </dl>
            </details>
          </Cell>
          <Cell label="Performed by" muted={entry.performer === null}>
            {entry.performer ?? "system"}
          </Cell>
          <Cell label="Address" muted={entry.ip === null}>
            {entry.ip ?? "–"}
          </Cell>
        </tr>
      )}
    />
  );
}

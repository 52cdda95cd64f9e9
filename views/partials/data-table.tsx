// A PatternFly table that is also an htmx swap target: the column headers, the rows (or an
// empty state when there are none) and the pager below. The repository and tag lists use it.
import type { Child } from "hono/jsx";
import { isoTime, timeAgo } from "../format.ts";
import { Pager, type PagerProps } from "./pager.tsx";

export interface DataTableProps<Row> {
  /** Element id the filter box and pager swap. */
  id: string;
  label: string;
  /** Column headings (text, or markup such as a heading only screen readers read). */
  columns: Child[];
  rows: Row[];
  /** One `<tr>` per row, built from `Cell`s; with `rowGroups`, one `<tbody>` per row instead. */
  row: (row: Row) => Child;
  /** Rows that carry rows of their own beneath (PatternFly's expandable rows). */
  rowGroups?: boolean;
  /** Shown instead of the table when there are no rows. */
  empty: Child;
  pager: PagerProps | null;
  /** A pager of its own (keyset paging) in place of `pager`. */
  footer?: Child;
}

export function DataTable<Row>(props: DataTableProps<Row>) {
  return (
    <div id={props.id} class="qs-swappable">
      {props.rows.length === 0 ? (
        props.empty
      ) : (
        <>
          <table class="pf-v6-c-table pf-m-grid-md" aria-label={props.label}>
            <thead class="pf-v6-c-table__thead">
              <tr class="pf-v6-c-table__tr">
                {props.columns.map((column) => (
                  <th class="pf-v6-c-table__th" scope="col">
                    {column}
                  </th>
                ))}
              </tr>
            </thead>
            {props.rowGroups ? props.rows.map(props.row) : <tbody class="pf-v6-c-table__tbody">{props.rows.map(props.row)}</tbody>}
          </table>
          {props.pager ? <Pager {...props.pager} /> : props.footer}
        </>
      )}
    </div>
  );
}

/** A body cell; `label` is its column's name, which narrow screens show beside the value. */
export function Cell({ label, muted, children }: { label: string; muted?: boolean; children?: Child }) {
  return (
    <td class={muted ? "pf-v6-c-table__td qs-muted" : "pf-v6-c-table__td"} data-label={label}>
      {children}
    </td>
  );
}

/** "3 minutes ago", with the exact time in the tooltip and the markup. */
export function TimeAgo({ date, now }: { date: Date; now: Date }) {
  return (
    <time datetime={isoTime(date)} title={isoTime(date)}>
      {timeAgo(date, now)}
    </time>
  );
}

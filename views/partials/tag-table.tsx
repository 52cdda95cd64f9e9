// A repository's tags table (also the htmx partial its filter box and pager swap in).
import { humanSize, shortDigest } from "../format.ts";
import { Cell, DataTable, TimeAgo } from "./data-table.tsx";
import { EmptyState } from "./empty-state.tsx";
import type { PagerProps } from "./pager.tsx";

export const TAG_TABLE_ID = "tag-table";

export interface TagRow {
  name: string;
  manifestDigest: string;
  /** Compressed size of the layers; an index (multi-arch) has none of its own. */
  size: number;
  isIndex: boolean;
  lastModified: Date;
}

export interface TagTableProps {
  rows: TagRow[];
  filter: string;
  pager: PagerProps | null;
  /** The page URL, for "clear filter". */
  pageHref: string;
  now: Date;
}

function NothingHere({ filter, pageHref }: TagTableProps) {
  if (filter) {
    return (
      <EmptyState
        title="No tags match"
        actions={
          <a class="pf-v6-c-button pf-m-link" href={pageHref}>
            <span class="pf-v6-c-button__text">Clear filter</span>
          </a>
        }
      >
        No tag has “{filter}” in its name.
      </EmptyState>
    );
  }
  return (
    <EmptyState title="No tags yet">This repository has no tags. Push an image with the commands above.</EmptyState>
  );
}

export function TagTable(props: TagTableProps) {
  return (
    <DataTable
      id={TAG_TABLE_ID}
      label="Tags"
      columns={["Tag", "Manifest", "Size", "Last modified"]}
      rows={props.rows}
      empty={<NothingHere {...props} />}
      pager={props.pager}
      row={(tag) => (
        <tr class="pf-v6-c-table__tr" data-testid="tag-row">
          <Cell label="Tag">{tag.name}</Cell>
          <Cell label="Manifest">
            <span class="qs-digest" title={tag.manifestDigest}>
              {shortDigest(tag.manifestDigest)}
            </span>
          </Cell>
          <Cell label="Size">{tag.isIndex ? <span class="qs-muted">multi-arch</span> : humanSize(tag.size)}</Cell>
          <Cell label="Last modified">
            <TimeAgo date={tag.lastModified} now={props.now} />
          </Cell>
        </tr>
      )}
    />
  );
}

// A repository's tags table (also the htmx partial its filter box and pager swap in).
import { humanSize, isoTime, shortDigest, timeAgo } from "../format.ts";
import { Commands, EmptyState } from "./empty-state.tsx";
import { Pager, type PagerProps } from "./pager.tsx";

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
  /** `host/namespace/name`, for the "how to push" hint. */
  imageRef: string;
  now: Date;
}

function NothingHere({ filter, pageHref, imageRef }: TagTableProps) {
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
    <EmptyState title="No tags yet">
      This repository has no tags. Push one:
      <Commands lines={[`podman push ${imageRef}:<tag>`]} />
    </EmptyState>
  );
}

export function TagTable(props: TagTableProps) {
  return (
    <div id={TAG_TABLE_ID} class="qs-swappable">
      {props.rows.length === 0 ? (
        <NothingHere {...props} />
      ) : (
        <>
          <table class="pf-v6-c-table pf-m-grid-md" role="grid" aria-label="Tags">
            <thead class="pf-v6-c-table__thead">
              <tr class="pf-v6-c-table__tr" role="row">
                <th class="pf-v6-c-table__th" role="columnheader" scope="col">Tag</th>
                <th class="pf-v6-c-table__th" role="columnheader" scope="col">Manifest</th>
                <th class="pf-v6-c-table__th" role="columnheader" scope="col">Size</th>
                <th class="pf-v6-c-table__th" role="columnheader" scope="col">Last modified</th>
              </tr>
            </thead>
            <tbody class="pf-v6-c-table__tbody" role="rowgroup">
              {props.rows.map((tag) => (
                <tr class="pf-v6-c-table__tr" role="row" data-testid="tag-row">
                  <td class="pf-v6-c-table__td" role="cell" data-label="Tag">
                    {tag.name}
                  </td>
                  <td class="pf-v6-c-table__td" role="cell" data-label="Manifest">
                    <span class="qs-digest" title={tag.manifestDigest}>
                      {shortDigest(tag.manifestDigest)}
                    </span>
                  </td>
                  <td class="pf-v6-c-table__td" role="cell" data-label="Size">
                    {tag.isIndex ? <span class="qs-muted">multi-arch</span> : humanSize(tag.size)}
                  </td>
                  <td class="pf-v6-c-table__td" role="cell" data-label="Last modified">
                    <time datetime={isoTime(tag.lastModified)} title={isoTime(tag.lastModified)}>
                      {timeAgo(tag.lastModified, props.now)}
                    </time>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {props.pager && <Pager {...props.pager} />}
        </>
      )}
    </div>
  );
}

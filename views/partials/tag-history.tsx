// A repository's tag history: every time a tag was pointed at a manifest, until when, and what
// ended it (moved, deleted, expired). Rows still inside the namespace's time machine offer
// Restore (the tag is gone), Revert (the tag now points elsewhere) and Permanently delete; the
// last two ask first, on pages of their own.
import { shortDigest } from "../format.ts";
import { Cell, DataTable, TimeAgo } from "./data-table.tsx";
import { EmptyState } from "./empty-state.tsx";
import { CsrfField } from "./form-field.tsx";
import type { PagerProps } from "./pager.tsx";

/** The element the pager's links swap. */
export const TAG_HISTORY_ID = "tag-history";

export interface TagHistoryRow {
  tag: string;
  digest: string;
  start: Date;
  /** When the row ended (or expired); null while the tag points here. */
  end: Date | null;
  endedBy: "moved" | "deleted" | "expired" | null;
  /** Pointed here by a restore or revert. */
  reversion: boolean;
  restore: boolean;
  revert: boolean;
  permanentlyDelete: boolean;
}

export interface TagHistoryData {
  /** `namespace/name`. */
  repoPath: string;
  rows: TagHistoryRow[];
  pager: PagerProps | null;
  now: Date;
  /** The namespace's time-machine window, for the explanation above the table. */
  windowSeconds: number;
}

export interface TagHistoryProps extends TagHistoryData {
  /** Writers get the actions; readers see the history only. */
  canWrite: boolean;
  csrfToken: string | null;
}

const ENDED: Record<NonNullable<TagHistoryRow["endedBy"]>, string> = { moved: "Moved away", deleted: "Deleted", expired: "Expired" };

function windowText(seconds: number): string {
  if (seconds === 0) return "This namespace keeps no time machine: ended tags cannot be restored.";
  const days = seconds / 86_400;
  const span = days % 7 === 0 ? `${days / 7} week${days === 7 ? "" : "s"}` : `${days} day${days === 1 ? "" : "s"}`;
  return `Deleted, moved and expired tags can be restored for ${span}.`;
}

/** The query naming a tag and a manifest, as the history's action routes take them. */
export const tagActionQuery = (tag: string, digest?: string) => new URLSearchParams(digest ? { tag, digest } : { tag }).toString();

export function TagHistory(props: TagHistoryProps) {
  const { repoPath, now, canWrite, csrfToken } = props;
  return (
    // The pager swaps this whole panel (its target is TAG_HISTORY_ID), explanation included.
    <div id={TAG_HISTORY_ID} class="qs-swappable" data-testid="tag-history-panel">
      <p class="qs-gap-below qs-muted">{windowText(props.windowSeconds)}</p>
      <DataTable
        id={`${TAG_HISTORY_ID}-table`}
        label="Tag history"
        columns={["Tag", "Manifest", "Since", "Until", canWrite ? "Actions" : ""]}
        rows={props.rows}
        pager={props.pager}
        empty={<EmptyState title="No tag history">Tags pushed, moved or deleted show up here.</EmptyState>}
        row={(row) => (
          <tr class="pf-v6-c-table__tr" data-testid="history-row">
            <Cell label="Tag">
              <a href={`/repository-tag/${repoPath}?${tagActionQuery(row.tag)}`}>{row.tag}</a>
              {row.reversion && (
                <>
                  {" "}
                  <span class="pf-v6-c-label pf-m-compact">
                    <span class="pf-v6-c-label__content">restored</span>
                  </span>
                </>
              )}
            </Cell>
            <Cell label="Manifest">
              <a href={`/repository/${repoPath}/manifest/${row.digest}`}>
                <code>{shortDigest(row.digest)}</code>
              </a>
            </Cell>
            <Cell label="Since">
              <TimeAgo date={row.start} now={now} />
            </Cell>
            <Cell label="Until">
              {row.end === null ? (
                "Now"
              ) : (
                <>
                  {row.endedBy && ENDED[row.endedBy]} <TimeAgo date={row.end} now={now} />
                </>
              )}
            </Cell>
            <Cell label="Actions">{canWrite && <RowActions row={row} repoPath={repoPath} csrfToken={csrfToken} />}</Cell>
          </tr>
        )}
      />
    </div>
  );
}

function RowActions({ row, repoPath, csrfToken }: { row: TagHistoryRow; repoPath: string; csrfToken: string | null }) {
  const query = tagActionQuery(row.tag, row.digest);
  return (
    <div class="qs-page-header">
      {row.restore && (
        <form method="post" action={`/repository-tag-restore/${repoPath}?${query}`}>
          {csrfToken && <CsrfField token={csrfToken} />}
          <button class="pf-v6-c-button pf-m-secondary pf-m-small" type="submit" aria-label={`Restore ${row.tag} to ${shortDigest(row.digest)}`}>
            <span class="pf-v6-c-button__text">Restore</span>
          </button>
        </form>
      )}
      {row.revert && (
        <a class="pf-v6-c-button pf-m-secondary pf-m-small" href={`/repository-tag-revert/${repoPath}?${query}`} aria-label={`Revert ${row.tag} to ${shortDigest(row.digest)}`}>
          <span class="pf-v6-c-button__text">Revert</span>
        </a>
      )}
      {row.permanentlyDelete && (
        <a
          class="pf-v6-c-button pf-m-link pf-m-danger pf-m-small"
          href={`/repository-tag-purge/${repoPath}?${query}`}
          aria-label={`Permanently delete ${row.tag} at ${shortDigest(row.digest)}`}
        >
          <span class="pf-v6-c-button__text">Permanently delete</span>
        </a>
      )}
    </div>
  );
}

// The repository list's table (also the htmx partial the filter box and pager swap in).
import { isoTime, timeAgo } from "../format.ts";
import { Commands, EmptyState } from "./empty-state.tsx";
import { Pager, type PagerProps } from "./pager.tsx";
import { VisibilityLabel } from "./visibility-label.tsx";

export const REPO_TABLE_ID = "repo-table";

export interface RepoRow {
  namespace: string;
  name: string;
  visibility: "public" | "private";
  description: string;
  createdAt: Date;
}

export interface RepoTableProps {
  rows: RepoRow[];
  filter: string;
  pager: PagerProps | null;
  viewer: { username: string } | null;
  /** host[:port] registry clients use, for the "how to push" hint. */
  registryHost: string;
  now: Date;
}

function NothingHere({ filter, viewer, registryHost }: RepoTableProps) {
  if (filter) {
    return (
      <EmptyState
        title="No repositories match"
        actions={
          <a class="pf-v6-c-button pf-m-link" href="/repositories">
            <span class="pf-v6-c-button__text">Clear filter</span>
          </a>
        }
      >
        Nothing you can see has “{filter}” in its name.
      </EmptyState>
    );
  }
  if (!viewer) {
    return (
      <EmptyState
        title="No public repositories yet"
        actions={
          <a class="pf-v6-c-button pf-m-primary" href="/signin">
            <span class="pf-v6-c-button__text">Sign in</span>
          </a>
        }
      >
        Sign in to see your own repositories.
      </EmptyState>
    );
  }
  return (
    <EmptyState title="No repositories yet">
      Push an image and its repository appears here:
      <Commands
        lines={[`podman login ${registryHost}`, `podman push ${registryHost}/${viewer.username}/<repo>:<tag>`]}
      />
    </EmptyState>
  );
}

export function RepoTable(props: RepoTableProps) {
  return (
    <div id={REPO_TABLE_ID} class="qs-swappable">
      {props.rows.length === 0 ? (
        <NothingHere {...props} />
      ) : (
        <>
          <table class="pf-v6-c-table pf-m-grid-md" role="grid" aria-label="Repositories">
            <thead class="pf-v6-c-table__thead">
              <tr class="pf-v6-c-table__tr" role="row">
                <th class="pf-v6-c-table__th" role="columnheader" scope="col">Name</th>
                <th class="pf-v6-c-table__th" role="columnheader" scope="col">Visibility</th>
                <th class="pf-v6-c-table__th" role="columnheader" scope="col">Description</th>
                <th class="pf-v6-c-table__th" role="columnheader" scope="col">Created</th>
              </tr>
            </thead>
            <tbody class="pf-v6-c-table__tbody" role="rowgroup">
              {props.rows.map((repo) => (
                <tr class="pf-v6-c-table__tr" role="row" data-testid="repo-row">
                  <td class="pf-v6-c-table__td" role="cell" data-label="Name">
                    <a href={`/repository/${repo.namespace}/${repo.name}`}>
                      {repo.namespace}/{repo.name}
                    </a>
                  </td>
                  <td class="pf-v6-c-table__td" role="cell" data-label="Visibility">
                    <VisibilityLabel visibility={repo.visibility} />
                  </td>
                  <td class="pf-v6-c-table__td qs-muted" role="cell" data-label="Description">
                    {repo.description}
                  </td>
                  <td class="pf-v6-c-table__td" role="cell" data-label="Created">
                    <time datetime={isoTime(repo.createdAt)} title={isoTime(repo.createdAt)}>
                      {timeAgo(repo.createdAt, props.now)}
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

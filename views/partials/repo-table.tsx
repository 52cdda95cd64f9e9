// The repository list's table (also the htmx partial the filter box and pager swap in).
import type { Child } from "hono/jsx";
import { Cell, DataTable, TimeAgo } from "./data-table.tsx";
import { Commands, EmptyState, NoMatches } from "./empty-state.tsx";
import type { PagerProps } from "./pager.tsx";
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
  /** What to show when there are no rows, where the site-wide list's wording does not fit (an organization's page). */
  empty?: Child;
}

function NothingHere({ filter, viewer, registryHost }: RepoTableProps) {
  if (filter) {
    return (
      <NoMatches title="No repositories match" clearHref="/repositories">
        Nothing you can see has “{filter}” in its name.
      </NoMatches>
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
    <DataTable
      id={REPO_TABLE_ID}
      label="Repositories"
      columns={["Name", "Visibility", "Description", "Created"]}
      rows={props.rows}
      empty={props.empty ?? <NothingHere {...props} />}
      pager={props.pager}
      row={(repo) => (
        <tr class="pf-v6-c-table__tr" data-testid="repo-row">
          <Cell label="Name">
            <a href={`/repository/${repo.namespace}/${repo.name}`}>
              {repo.namespace}/{repo.name}
            </a>
          </Cell>
          <Cell label="Visibility">
            <VisibilityLabel visibility={repo.visibility} />
          </Cell>
          <Cell label="Description" muted>
            {repo.description}
          </Cell>
          <Cell label="Created">
            <TimeAgo date={repo.createdAt} now={props.now} />
          </Cell>
        </tr>
      )}
    />
  );
}

// A repository's Tags tab table (also the htmx partial its filter box, view toggle and pager swap
// in). Each tag is a row group (`<tbody>`): its row, then, when opened, the child manifests of a
// multi-arch tag, and in the expanded view its labels. A row group is its own htmx target, so
// opening one fetches only it.
import type { Child } from "hono/jsx";
import { humanSize, isoTime, shortDigest } from "../format.ts";
import { CopyField } from "./copy-field.tsx";
import { Cell, DataTable, TimeAgo } from "./data-table.tsx";
import { EmptyState } from "./empty-state.tsx";
import { CursorPager } from "./pager.tsx";
import { ScanSummary, type ScanView } from "./scan-status.tsx";

export const TAG_TABLE_ID = "tag-table";
/** The Tags tab's toolbar and table together: what the view toggle swaps. */
export const TAGS_TAB_ID = "tags-tab";
/** The id of one tag's row group (tag names are valid ids: word characters, `.` and `-`). */
export const tagGroupId = (tag: string) => `tag-${tag}`;

export type TagTableView = "compact" | "expanded";

export interface ChildManifestRow {
  digest: string;
  size: number;
  os: string | null;
  architecture: string | null;
  variant: string | null;
}

export interface TagRow {
  name: string;
  manifestDigest: string;
  /** Compressed size of the layers; an index (multi-arch) has none of its own. */
  size: number;
  isIndex: boolean;
  lastModified: Date;
  /** When it was last pulled by this name; null if never (since it was last created). */
  lastPulled: Date | null;
  expiresAt: Date | null;
  /** The manifest's labels, present in the expanded view. */
  labels?: { key: string; value: string }[];
  /** The child manifests, present when a multi-arch tag is opened. */
  children?: ChildManifestRow[];
  /** Its image's scan (null when the scanner is off; an index has none of its own). */
  scan?: ScanView | null;
  /** Whether its "Fetch tag" commands come open with the page (asked for without JavaScript). */
  pullCommands?: boolean;
}

/** What the list shows: the query parameters its links keep. */
export interface TagListState {
  filter: string;
  view: TagTableView;
  /** Keyset positions (`tag-listings.ts`) of the page shown. */
  after?: string;
  before?: string;
}

/** The Tags tab's address for a state, plus a tag to open (`expand`). */
export function tagsTabHref(pageHref: string, state: TagListState, expand?: string): string {
  const params = new URLSearchParams({ tab: "tags" });
  if (state.view === "expanded") params.set("view", "expanded");
  if (state.filter) params.set("filter", state.filter);
  if (state.after) params.set("after", state.after);
  if (state.before) params.set("before", state.before);
  if (expand) params.set("expand", expand);
  return `${pageHref}?${params}`;
}

export interface TagTableProps {
  rows: TagRow[];
  state: TagListState;
  /** Positions of the neighbouring pages, or null at either end. */
  newer: string | null;
  older: string | null;
  /** How many tags match, counted up to `totalCap`. */
  total: number;
  totalCap: number;
  /** The repository page's URL. */
  pageHref: string;
  /** `namespace/name`, for pull commands and links. */
  repoPath: string;
  registryHost: string;
  /** Writers get a link to each tag's page. */
  writer: boolean;
  now: Date;
}

function NothingHere({ state, pageHref }: TagTableProps) {
  if (state.filter) {
    return (
      <EmptyState
        title="No tags match"
        actions={
          <a class="pf-v6-c-button pf-m-link" href={tagsTabHref(pageHref, { filter: "", view: state.view })}>
            <span class="pf-v6-c-button__text">Clear filter</span>
          </a>
        }
      >
        No tag has “{state.filter}” in its name.
      </EmptyState>
    );
  }
  return <EmptyState title="No tags yet">This repository has no tags. Push an image with the commands on the Information tab.</EmptyState>;
}

/** "2026-12-01 10:00 UTC": an expiry is a moment to plan for, so shown exactly. */
const utcMinute = (date: Date) => `${isoTime(date).slice(0, 16).replace("T", " ")} UTC`;

function ChevronIcon() {
  return (
    <svg class="pf-v6-svg" fill="currentColor" viewBox="0 0 320 512" aria-hidden="true" role="img" width="1em" height="1em">
      <path d="M285.476 272.971L91.132 467.314c-9.373 9.373-24.569 9.373-33.941 0l-22.667-22.667c-9.357-9.357-9.375-24.522-.04-33.901L188.505 256 34.484 101.255c-9.335-9.379-9.317-24.544.04-33.901l22.667-22.667c9.373-9.373 24.569-9.373 33.941 0L285.475 239.03c9.373 9.372 9.373 24.568.001 33.941z" />
    </svg>
  );
}

/** Opens or closes a multi-arch tag's child manifests: a link without JavaScript, its row group swapped with htmx. */
function ChildToggle({ tag, props }: { tag: TagRow; props: TagTableProps }) {
  const open = tag.children !== undefined;
  // Closing asks for the row group without `expand`; htmx names the group in HX-Target.
  const href = tagsTabHref(props.pageHref, props.state, open ? undefined : tag.name);
  const fragmentHref = open ? `${tagsTabHref(props.pageHref, props.state)}&row=${encodeURIComponent(tag.name)}` : href;
  return (
    <a
      class={`pf-v6-c-button pf-m-plain${open ? " pf-m-expanded" : ""}`}
      href={href}
      hx-get={fragmentHref}
      hx-target="closest tbody"
      hx-swap="outerHTML"
      aria-expanded={open ? "true" : "false"}
      aria-label={`${open ? "Hide" : "Show"} the manifests of ${tag.name}`}
      data-testid="child-toggle"
    >
      <span class="pf-v6-c-table__toggle-icon">
        <ChevronIcon />
      </span>
    </a>
  );
}

function ChildManifests({ tag, repoPath, colspan }: { tag: TagRow; repoPath: string; colspan: number }) {
  const children = tag.children ?? [];
  return (
    <tr class="pf-v6-c-table__expandable-row pf-m-expanded" data-testid="child-manifests">
      <td class="pf-v6-c-table__td" colspan={colspan}>
        <div class="pf-v6-c-table__expandable-row-content">
          {children.length === 0 ? (
            <p class="qs-muted">This index lists no manifests.</p>
          ) : (
            <table class="pf-v6-c-table pf-m-compact pf-m-grid-md" aria-label={`Manifests of ${tag.name}`}>
              <thead class="pf-v6-c-table__thead">
                <tr class="pf-v6-c-table__tr">
                  {["OS", "Architecture", "Variant", "Manifest", "Size"].map((column) => (
                    <th class="pf-v6-c-table__th" scope="col">
                      {column}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody class="pf-v6-c-table__tbody">
                {children.map((child) => (
                  <tr class="pf-v6-c-table__tr" data-testid="child-manifest">
                    <Cell label="OS">{child.os ?? "–"}</Cell>
                    <Cell label="Architecture">{child.architecture ?? "–"}</Cell>
                    <Cell label="Variant">{child.variant ?? "–"}</Cell>
                    <Cell label="Manifest">
                      <a class="qs-digest" href={`/repository/${repoPath}/manifest/${child.digest}`} title={child.digest}>
                        {shortDigest(child.digest)}
                      </a>
                    </Cell>
                    <Cell label="Size">{humanSize(child.size)}</Cell>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      </td>
    </tr>
  );
}

function Labels({ tag, colspan }: { tag: TagRow; colspan: number }) {
  const labels = tag.labels ?? [];
  return (
    <tr class="pf-v6-c-table__tr" data-testid="tag-labels">
      <td class="pf-v6-c-table__td" colspan={colspan} data-label="Labels">
        {labels.length === 0 ? (
          <span class="qs-muted">No labels</span>
        ) : (
          <ul class="pf-v6-c-label-group__list qs-label-list" role="list" aria-label={`Labels of ${tag.name}`}>
            {labels.map((l) => (
              <li class="pf-v6-c-label-group__list-item">
                <span class="pf-v6-c-label pf-m-outline" data-testid="label">
                  <span class="pf-v6-c-label__content">
                    <span class="pf-v6-c-label__text">
                      {l.key} = {l.value}
                    </span>
                  </span>
                </span>
              </li>
            ))}
          </ul>
        )}
      </td>
    </tr>
  );
}

/** The id of a tag's "Fetch tag" panel, which htmx fills when it is first opened. */
export const pullCommandsId = (tag: string) => `pull-commands-${tag}`;

/** "Fetch tag": pull commands by tag and by digest, each with a copy button. */
export function PullCommands({ tag, image }: { tag: Pick<TagRow, "name" | "manifestDigest">; image: string }) {
  const commands: Array<[string, string, string]> = [
    ["podman-tag", "Podman pull by tag", `podman pull ${image}:${tag.name}`],
    ["docker-tag", "Docker pull by tag", `docker pull ${image}:${tag.name}`],
    ["podman-digest", "Podman pull by digest", `podman pull ${image}@${tag.manifestDigest}`],
    ["docker-digest", "Docker pull by digest", `docker pull ${image}@${tag.manifestDigest}`],
  ];
  return (
    <div class="qs-fetch-panel" id={pullCommandsId(tag.name)}>
      {commands.map(([kind, label, text]) => (
        <div class="qs-fetch-line">
          <span class="qs-fetch-label">{label}</span>
          <CopyField id={`fetch-${tag.name}-${kind}`} label={`${label}: ${tag.name}`} text={text} />
        </div>
      ))}
    </div>
  );
}

/**
 * The "Fetch tag" disclosure. Its commands come with the row only when asked for (`?fetch=`);
 * otherwise htmx fetches them the first time it opens, which keeps a page of 25 rows small.
 */
function FetchTag({ tag, props }: { tag: TagRow; props: TagTableProps }) {
  const href = `${tagsTabHref(props.pageHref, props.state)}&fetch=${encodeURIComponent(tag.name)}`;
  const summary = <summary class="pf-v6-c-button pf-m-link pf-m-inline">Fetch tag</summary>;
  if (tag.pullCommands) {
    return (
      <details class="qs-fetch" data-testid="fetch-tag" open>
        {summary}
        <PullCommands tag={tag} image={`${props.registryHost}/${props.repoPath}`} />
      </details>
    );
  }
  return (
    <details class="qs-fetch" data-testid="fetch-tag" hx-get={href} hx-trigger="toggle once" hx-target="find .qs-fetch-panel" hx-swap="outerHTML">
      {summary}
      <div class="qs-fetch-panel" id={pullCommandsId(tag.name)}>
        <a href={`${href}#${tagGroupId(tag.name)}`}>Show the pull commands</a>
      </div>
    </details>
  );
}

const COLUMNS = ["Tag", "Last modified", "Last pulled", "Security scan", "Size", "Expires", "Manifest"];

/** One tag's row group (also alone, for htmx opening or closing it). */
export function TagGroup({ tag, props }: { tag: TagRow; props: TagTableProps }) {
  const colspan = COLUMNS.length + 2;
  return (
    <tbody class={`pf-v6-c-table__tbody${tag.children ? " pf-m-expanded" : ""}`} id={tagGroupId(tag.name)} data-testid="tag-group">
      <tr class="pf-v6-c-table__tr" data-testid="tag-row">
        <td class="pf-v6-c-table__td pf-v6-c-table__toggle">{tag.isIndex && <ChildToggle tag={tag} props={props} />}</td>
        <Cell label="Tag">
          <span data-testid="tag-name">{tag.name}</span>
        </Cell>
        <Cell label="Last modified">
          <TimeAgo date={tag.lastModified} now={props.now} />
        </Cell>
        <Cell label="Last pulled" muted={tag.lastPulled === null}>
          <span data-testid="tag-last-pulled">{tag.lastPulled ? <TimeAgo date={tag.lastPulled} now={props.now} /> : "Never"}</span>
        </Cell>
        <Cell label="Security scan" muted={tag.isIndex}>
          {tag.isIndex ? "See child manifests" : <ScanSummary scan={tag.scan ?? null} repoPath={props.repoPath} digest={tag.manifestDigest} />}
        </Cell>
        <Cell label="Size">{tag.isIndex ? <span class="qs-muted">multi-arch</span> : humanSize(tag.size)}</Cell>
        <Cell label="Expires">
          {tag.expiresAt ? (
            <time datetime={isoTime(tag.expiresAt)} data-testid="tag-expires">
              {utcMinute(tag.expiresAt)}
            </time>
          ) : (
            <span class="qs-muted" data-testid="tag-expires">
              Never
            </span>
          )}
        </Cell>
        <Cell label="Manifest">
          <a class="qs-digest" href={`/repository/${props.repoPath}/manifest/${tag.manifestDigest}`} title={tag.manifestDigest}>
            {shortDigest(tag.manifestDigest)}
          </a>
        </Cell>
        <td class="pf-v6-c-table__td qs-tag-actions" data-label="Actions">
          <FetchTag tag={tag} props={props} />
          {props.writer && (
            <a class="pf-v6-c-button pf-m-link pf-m-inline" href={`/repository-tag/${props.repoPath}?tag=${encodeURIComponent(tag.name)}`} aria-label={`Manage tag ${tag.name}`}>
              Manage
            </a>
          )}
        </td>
      </tr>
      {tag.children && <ChildManifests tag={tag} repoPath={props.repoPath} colspan={colspan} />}
      {props.state.view === "expanded" && <Labels tag={tag} colspan={colspan} />}
    </tbody>
  );
}

function Summary({ total, totalCap, shown }: { total: number; totalCap: number; shown: number }): Child {
  const of = total >= totalCap ? `more than ${(totalCap - 1).toLocaleString("en-US")}` : total.toLocaleString("en-US");
  return (
    <>
      <b>{shown}</b> of <b>{of}</b> tags
    </>
  );
}

export function TagTable(props: TagTableProps) {
  const hidden = <span class="pf-v6-screen-reader">Details</span>;
  const footer =
    props.newer === null && props.older === null ? undefined : (
      <CursorPager
        summary={<Summary total={props.total} totalCap={props.totalCap} shown={props.rows.length} />}
        prevHref={props.newer === null ? null : tagsTabHref(props.pageHref, { ...props.state, after: undefined, before: props.newer })}
        nextHref={props.older === null ? null : tagsTabHref(props.pageHref, { ...props.state, before: undefined, after: props.older })}
        target={TAG_TABLE_ID}
      />
    );
  return (
    <DataTable
      id={TAG_TABLE_ID}
      label="Tags"
      columns={[hidden, ...COLUMNS, <span class="pf-v6-screen-reader">Actions</span>]}
      rows={props.rows}
      empty={<NothingHere {...props} />}
      pager={null}
      footer={footer}
      rowGroups
      row={(tag) => <TagGroup tag={tag} props={props} />}
    />
  );
}

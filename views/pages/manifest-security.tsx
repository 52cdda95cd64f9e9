// An image's Security page: its scan's state, the vulnerabilities counted by severity (a bar per
// severity) and a table of them (advisory with its link, severity, package, installed and fixed-in
// versions, the layer that brought the package with its Dockerfile instruction), filtered by text
// and "only fixable" and paged; the toolbar and pager swap only the table under htmx.
import type { Severity } from "../../server/domain/notifications/catalog.ts";
import { shortDigest } from "../format.ts";
import { type Chrome, Layout, Section } from "../layout.tsx";
import { Breadcrumb } from "../partials/breadcrumb.tsx";
import { Cell, DataTable } from "../partials/data-table.tsx";
import { EmptyState, NoMatches } from "../partials/empty-state.tsx";
import { FilterInput } from "../partials/filter-box.tsx";
import { ManifestTabs } from "../partials/manifest-tabs.tsx";
import type { PagerProps } from "../partials/pager.tsx";
import { type ScanView, SeverityLabel } from "../partials/scan-status.tsx";
import { manifestHref } from "./manifest.tsx";

export const VULNERABILITY_TABLE_ID = "vulnerability-table";

/** The layer that brought a package: its position (1 = base) and the instruction that made it. */
export interface IntroducingLayer {
  number: number;
  digest: string;
  instruction: string | null;
}

export interface VulnerabilityView {
  id: string;
  link: string;
  summary: string;
  severity: Severity;
  packageName: string;
  packageVersion: string;
  fixedBy: string;
  layer: IntroducingLayer;
}

export interface VulnerabilityTableProps {
  rows: VulnerabilityView[];
  filter: string;
  onlyFixable: boolean;
  pager: PagerProps | null;
  /** The page without filters. */
  clearHref: string;
}

export interface ScanStateView {
  /** False when the registry's scanner is switched off. */
  enabled: boolean;
  status: ScanView["status"];
  error: string | null;
  distribution: string | null;
}

export interface SecurityPageProps {
  chrome: Chrome;
  path: string;
  digest: string;
  state: ScanStateView;
  counts: ScanView;
  table: VulnerabilityTableProps;
}

/** What the page says instead of a report, when there is none (yet). */
export function ScanNotice({ state }: { state: ScanStateView }) {
  if (!state.enabled) return <EmptyState title="Security scanning is switched off">The registry's administrator has switched the built-in scanner off.</EmptyState>;
  if (state.status === "queued") return <EmptyState title="Queued for scanning">The scan has not finished yet. Reload this page in a moment.</EmptyState>;
  if (state.status === "unsupported")
    return <EmptyState title="This manifest cannot be scanned">The scanner reads container images; multi-architecture indexes are scanned per image, and other artifacts not at all.</EmptyState>;
  return (
    <EmptyState title="The scan failed">
      {state.error ? <>The scanner said: <code>{state.error}</code>. It tries again a few times.</> : "It will be tried again."}
    </EmptyState>
  );
}

function SeverityChart({ counts }: { counts: ScanView }) {
  const top = Math.max(1, ...Object.values(counts.bySeverity));
  const severities = Object.keys(counts.bySeverity) as Severity[];
  return (
    <figure class="qs-severity-chart" data-testid="severity-chart">
      <figcaption class="qs-gap-below" data-testid="severity-total">
        {counts.total === 0 ? "No known vulnerabilities." : `${counts.total} vulnerabilities, ${counts.fixable} of them fixable.`}
      </figcaption>
      <ul class="qs-severity-bars" aria-label="Vulnerabilities by severity">
        {severities.map((s) => (
          <li data-testid="severity-count" data-severity={s}>
            <SeverityLabel severity={s} />
            <span class="qs-severity-bar" aria-hidden="true">
              <span class={`qs-severity-fill qs-severity-${s.toLowerCase()}`} style={`width:${((counts.bySeverity[s] / top) * 100).toFixed(1)}%`} />
            </span>
            <b class="qs-severity-number">{counts.bySeverity[s]}</b>
          </li>
        ))}
      </ul>
    </figure>
  );
}

/** "Layer 2" with the instruction that made it. */
export function LayerCell({ layer }: { layer: IntroducingLayer }) {
  return (
    <Cell label="Introduced in">
      <span title={layer.digest}>Layer {layer.number}</span>
      {layer.instruction && (
        <>
          {" "}
          <code class="qs-instruction" title={layer.instruction} data-testid="layer-instruction">
            {layer.instruction}
          </code>
        </>
      )}
    </Cell>
  );
}

export function VulnerabilityTable(props: VulnerabilityTableProps) {
  const filtered = props.filter !== "" || props.onlyFixable;
  return (
    <DataTable
      id={VULNERABILITY_TABLE_ID}
      label="Vulnerabilities"
      columns={["Advisory", "Severity", "Package", "Current version", "Fixed in", "Introduced in"]}
      rows={props.rows}
      pager={props.pager}
      empty={
        filtered ? (
          <NoMatches title="No vulnerabilities match" clearHref={props.clearHref}>
            None has “{props.filter}” in its advisory, package or summary{props.onlyFixable ? " and a fix" : ""}.
          </NoMatches>
        ) : (
          <EmptyState title="No known vulnerabilities">No imported advisory affects the packages of this image.</EmptyState>
        )
      }
      row={(v) => (
        <tr class="pf-v6-c-table__tr" data-testid="vulnerability-row">
          <Cell label="Advisory">
            {v.link ? (
              <a href={v.link} rel="noopener noreferrer" title={v.summary} data-testid="advisory">
                {v.id}
              </a>
            ) : (
              <span title={v.summary} data-testid="advisory">
                {v.id}
              </span>
            )}
          </Cell>
          <Cell label="Severity">
            <SeverityLabel severity={v.severity} />
          </Cell>
          <Cell label="Package">{v.packageName}</Cell>
          <Cell label="Current version">
            <code>{v.packageVersion}</code>
          </Cell>
          <Cell label="Fixed in" muted={!v.fixedBy}>
            {v.fixedBy ? <code>{v.fixedBy}</code> : "No fix yet"}
          </Cell>
          <LayerCell layer={v.layer} />
        </tr>
      )}
    />
  );
}

/** Text and "only fixable": a GET form; with htmx each change swaps the table. */
function VulnerabilityFilter({ action, table }: { action: string; table: VulnerabilityTableProps }) {
  return (
    <form
      method="get"
      action={action}
      role="search"
      class="pf-v6-c-toolbar"
      hx-get={action}
      hx-trigger="input changed delay:300ms from:input[type=search], change from:input[type=checkbox], search"
      hx-target={`#${VULNERABILITY_TABLE_ID}`}
      hx-swap="outerHTML"
      hx-push-url="true"
    >
      <input type="hidden" name="tab" value="security" />
      <div class="pf-v6-c-toolbar__content">
        <div class="pf-v6-c-toolbar__content-section">
          <div class="pf-v6-c-toolbar__item qs-filter">
            <FilterInput value={table.filter} placeholder="Filter by advisory, package or summary" label="Filter vulnerabilities" />
          </div>
          <div class="pf-v6-c-toolbar__item">
            <div class="pf-v6-c-check">
              <input class="pf-v6-c-check__input" type="checkbox" id="only-fixable" name="fixable" value="1" checked={table.onlyFixable} />
              <label class="pf-v6-c-check__label" for="only-fixable">
                Only fixable
              </label>
            </div>
          </div>
          <noscript>
            <div class="pf-v6-c-toolbar__item">
              <button class="pf-v6-c-button pf-m-secondary" type="submit">
                <span class="pf-v6-c-button__text">Apply</span>
              </button>
            </div>
          </noscript>
        </div>
      </div>
    </form>
  );
}

/** Breadcrumb, heading and tabs of an image's Security and Packages pages. */
export function ManifestTabHeader({ path, digest, title, current }: { path: string; digest: string; title: string; current: "security" | "packages" }) {
  return (
    <>
      <Breadcrumb
        trail={[
          { href: "/repositories", label: "Repositories" },
          { href: `/repository/${path}`, label: path },
          { href: manifestHref(path, digest), label: shortDigest(digest) },
        ]}
      />
      <h1 class="pf-v6-c-title pf-m-2xl qs-gap-below">{title}</h1>
      <ManifestTabs path={path} digest={digest} current={current} />
    </>
  );
}

export function SecurityPage({ chrome, path, digest, state, counts, table }: SecurityPageProps) {
  const scanned = state.enabled && state.status === "scanned";
  return (
    <Layout chrome={chrome} title={`Security of ${path}@${shortDigest(digest)}`}>
      <Section>
        <ManifestTabHeader path={path} digest={digest} title={`Security scan of ${shortDigest(digest)}`} current="security" />
        {scanned ? (
          <>
            {state.distribution && <p class="qs-muted qs-gap-below">Built on {state.distribution}.</p>}
            <SeverityChart counts={counts} />
          </>
        ) : (
          <ScanNotice state={state} />
        )}
      </Section>
      {scanned && (
        <Section>
          <h2 class="pf-v6-c-title pf-m-lg">Vulnerabilities</h2>
          <VulnerabilityFilter action={manifestHref(path, digest)} table={table} />
          <VulnerabilityTable {...table} />
        </Section>
      )}
    </Layout>
  );
}

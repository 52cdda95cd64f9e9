// An image's Packages page: every package the scan found (name, version, kind), each with its
// vulnerability summary and the layer that brought it, filtered by name and paged (htmx swaps the
// table alone).
import type { Severity } from "../../server/domain/notifications/catalog.ts";
import { shortDigest } from "../format.ts";
import { type Chrome, Layout, Section } from "../layout.tsx";
import { Cell, DataTable } from "../partials/data-table.tsx";
import { EmptyState, NoMatches } from "../partials/empty-state.tsx";
import { FilterToolbar } from "../partials/filter-box.tsx";
import type { PagerProps } from "../partials/pager.tsx";
import { SeverityLabel } from "../partials/scan-status.tsx";
import { manifestHref } from "./manifest.tsx";
import { type IntroducingLayer, LayerCell, ManifestTabHeader, ScanNotice, type ScanStateView } from "./manifest-security.tsx";

export const PACKAGE_TABLE_ID = "package-table";

/** How each ecosystem's packages are named for people. */
const KINDS: Record<string, string> = {
  dpkg: "Debian package",
  apk: "Alpine package",
  rpm: "RPM package",
  pypi: "Python",
  npm: "Node.js",
  go: "Go module",
  maven: "Java (Maven)",
  gem: "Ruby gem",
};

export interface PackageView {
  name: string;
  version: string;
  ecosystem: string;
  vulnerabilities: number;
  fixable: number;
  highest: Severity | null;
  layer: IntroducingLayer;
}

export interface PackageTableProps {
  rows: PackageView[];
  filter: string;
  pager: PagerProps | null;
  clearHref: string;
}

export function PackageTable(props: PackageTableProps) {
  return (
    <DataTable
      id={PACKAGE_TABLE_ID}
      label="Packages"
      columns={["Package", "Version", "Kind", "Vulnerabilities", "Introduced in"]}
      rows={props.rows}
      pager={props.pager}
      empty={
        props.filter ? (
          <NoMatches title="No packages match" clearHref={props.clearHref}>
            No package has “{props.filter}” in its name.
          </NoMatches>
        ) : (
          <EmptyState title="No packages found">The scanner found no package database or language package in this image.</EmptyState>
        )
      }
      row={(p) => (
        <tr class="pf-v6-c-table__tr" data-testid="package-row">
          <Cell label="Package">{p.name}</Cell>
          <Cell label="Version">
            <code>{p.version}</code>
          </Cell>
          <Cell label="Kind">{KINDS[p.ecosystem] ?? p.ecosystem}</Cell>
          <Cell label="Vulnerabilities" muted={p.highest === null}>
            {p.highest === null ? (
              "None"
            ) : (
              <SeverityLabel severity={p.highest}>{`${p.vulnerabilities} (highest ${p.highest})${p.fixable > 0 ? ` · ${p.fixable} fixable` : ""}`}</SeverityLabel>
            )}
          </Cell>
          <LayerCell layer={p.layer} />
        </tr>
      )}
    />
  );
}

export interface PackagesPageProps {
  chrome: Chrome;
  path: string;
  digest: string;
  state: ScanStateView;
  table: PackageTableProps;
}

export function PackagesPage({ chrome, path, digest, state, table }: PackagesPageProps) {
  const scanned = state.enabled && state.status === "scanned";
  return (
    <Layout chrome={chrome} title={`Packages of ${path}@${shortDigest(digest)}`}>
      <Section>
        <ManifestTabHeader path={path} digest={digest} title={`Packages in ${shortDigest(digest)}`} current="packages" />
        {scanned ? (
          <>
            <FilterToolbar
              action={manifestHref(path, digest)}
              value={table.filter}
              target={PACKAGE_TABLE_ID}
              label="Filter packages"
              placeholder="Filter by package name"
              params={{ tab: "packages" }}
            />
            <PackageTable {...table} />
          </>
        ) : (
          <ScanNotice state={state} />
        )}
      </Section>
    </Layout>
  );
}

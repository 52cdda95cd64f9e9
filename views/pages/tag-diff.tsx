// Compare two tags of a repository (`/repository-tagdiff/{repo}?from=&to=`): pick the tags, then
// the packages added, removed and changed between their images and the vulnerabilities fixed and
// introduced, from their scans.
import { shortDigest } from "../format.ts";
import { type Chrome, Layout, Section } from "../layout.tsx";
import { Breadcrumb } from "../partials/breadcrumb.tsx";
import { Cell, DataTable } from "../partials/data-table.tsx";
import { EmptyState } from "../partials/empty-state.tsx";
import { FormActions, TextField } from "../partials/form-field.tsx";
import { Notice } from "../partials/notice.tsx";
import { SeverityLabel } from "../partials/scan-status.tsx";
import { SectionCard } from "../partials/section-card.tsx";
import type { DiffSide, TagDiff } from "../../server/domain/scanning/tag-diff.ts";
import { manifestHref } from "./manifest.tsx";

export interface TagDiffForm {
  from: string;
  to: string;
  errors: { from?: string; to?: string };
}

export interface TagDiffPageProps {
  chrome: Chrome;
  /** `namespace/name`. */
  path: string;
  /** Live tag names offered while typing. */
  tagNames: string[];
  form: TagDiffForm;
  diff: TagDiff | null;
}

export const tagDiffHref = (path: string, from?: string, to?: string) =>
  `/repository-tagdiff/${path}${from !== undefined && to !== undefined ? `?${new URLSearchParams({ from, to })}` : ""}`;

interface PackageRow {
  change: "Added" | "Removed" | "Changed";
  name: string;
  ecosystem: string;
  from: string[];
  to: string[];
}

function packageRows(diff: TagDiff): PackageRow[] {
  const { added, removed, changed } = diff.packages;
  return [
    ...added.map((p) => ({ change: "Added" as const, name: p.name, ecosystem: p.ecosystem, from: [], to: p.versions })),
    ...removed.map((p) => ({ change: "Removed" as const, name: p.name, ecosystem: p.ecosystem, from: p.versions, to: [] })),
    ...changed.map((p) => ({ change: "Changed" as const, ...p })),
  ];
}

function waitingNotice(diff: TagDiff): string | null {
  const waiting = [diff.from, diff.to].filter((s) => s.status !== "scanned");
  if (waiting.length === 0) return null;
  const say = (s: DiffSide) => `${s.tag} (${s.status === "unsupported" ? "not an image the scanner reads" : `scan ${s.status}`})`;
  return `Nothing to compare yet: ${waiting.map(say).join(" and ")}.`;
}

function Results({ path, diff }: { path: string; diff: TagDiff }) {
  const notice = waitingNotice(diff);
  const packages = packageRows(diff);
  const vulnerabilities = [
    ...diff.vulnerabilities.fixed.map((v) => ({ change: "Fixed", ...v })),
    ...diff.vulnerabilities.introduced.map((v) => ({ change: "Introduced", ...v })),
  ];
  const side = (s: DiffSide) => (
    <a href={manifestHref(path, s.digest)} title={s.digest}>
      {s.tag} ({shortDigest(s.digest)})
    </a>
  );
  return (
    <Section>
      <p class="qs-gap-below" data-testid="tagdiff-sides">
        From {side(diff.from)} to {side(diff.to)}
      </p>
      {notice ? (
        <Notice text={notice} testid="tagdiff-waiting" />
      ) : (
        <p class="qs-gap-below" data-testid="tagdiff-summary">
          {`${diff.packages.added.length} added, ${diff.packages.removed.length} removed, ${diff.packages.changed.length} changed; ` +
            `${diff.vulnerabilities.fixed.length} vulnerabilities fixed, ${diff.vulnerabilities.introduced.length} introduced.`}
        </p>
      )}
      <SectionCard id="tagdiff-packages-card" title="Packages">
        <DataTable
          id="tagdiff-packages"
          label="Packages added, removed and changed"
          columns={["Change", "Package", "Kind", "From", "To"]}
          rows={packages}
          pager={null}
          empty={<EmptyState title="No package changes">Both images hold the same packages.</EmptyState>}
          row={(p) => (
            <tr class="pf-v6-c-table__tr" data-testid="tagdiff-package">
              <Cell label="Change">{p.change}</Cell>
              <Cell label="Package">{p.name}</Cell>
              <Cell label="Kind" muted>
                {p.ecosystem}
              </Cell>
              <Cell label="From">{p.from.join(", ") || "—"}</Cell>
              <Cell label="To">{p.to.join(", ") || "—"}</Cell>
            </tr>
          )}
        />
      </SectionCard>
      <SectionCard id="tagdiff-vulnerabilities-card" title="Vulnerabilities">
        <DataTable
          id="tagdiff-vulnerabilities"
          label="Vulnerabilities fixed and introduced"
          columns={["Change", "Advisory", "Severity", "Package", "Version", "Fixed in"]}
          rows={vulnerabilities}
          pager={null}
          empty={<EmptyState title="No vulnerability changes">The same vulnerabilities affect both images.</EmptyState>}
          row={(v) => (
            <tr class="pf-v6-c-table__tr" data-testid="tagdiff-vulnerability">
              <Cell label="Change">{v.change}</Cell>
              <Cell label="Advisory">{v.link ? <a href={v.link} rel="noopener noreferrer">{v.id}</a> : v.id}</Cell>
              <Cell label="Severity">
                <SeverityLabel severity={v.severity} />
              </Cell>
              <Cell label="Package">{v.packageName}</Cell>
              <Cell label="Version">{v.packageVersion}</Cell>
              <Cell label="Fixed in">{v.fixedBy || "—"}</Cell>
            </tr>
          )}
        />
      </SectionCard>
    </Section>
  );
}

export function TagDiffPage({ chrome, path, tagNames, form, diff }: TagDiffPageProps) {
  return (
    <Layout chrome={chrome} title={`Compare tags of ${path}`}>
      <Section>
        <Breadcrumb trail={[{ href: "/repositories", label: "Repositories" }, { href: `/repository/${path}?tab=tags`, label: path }]} />
        <h1 class="pf-v6-c-title pf-m-2xl qs-gap-below">Compare tags</h1>
        <form class="pf-v6-c-form" method="get" action={tagDiffHref(path)} novalidate>
          <TextField name="from" label="From tag" value={form.from} error={form.errors.from} list="tag-names" autocomplete="off" required autofocus={Boolean(form.errors.from)} />
          <TextField name="to" label="To tag" value={form.to} error={form.errors.to} list="tag-names" autocomplete="off" required autofocus={!form.errors.from && Boolean(form.errors.to)} />
          <datalist id="tag-names">
            {tagNames.map((name) => (
              <option value={name} />
            ))}
          </datalist>
          <FormActions submit="Compare" />
        </form>
      </Section>
      {diff && <Results path={path} diff={diff} />}
    </Layout>
  );
}

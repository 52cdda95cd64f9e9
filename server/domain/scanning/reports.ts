// What a scan found, as people and scripts read it: a manifest's status, its vulnerabilities
// (each package's matches, counted once per package and advisory id however many paths hold the
// package or advisory rows name it), counts by severity with how many have a fix, its packages
// with their vulnerability summary, and the layer that brought each. Reads only: indexing and
// matching write these tables (indexing.ts, matching.ts).
import { type SQL, sql } from "drizzle-orm";
import type { DbOrTx } from "../../../db/client.ts";
import { SEVERITY_INDEX, type Severity } from "../notifications/catalog.ts";

/**
 * A scan's state as Quay's API names it: a manifest nobody has indexed yet, or one being indexed,
 * is `queued`; an index, artifact or schema 1 manifest is `unsupported`.
 */
export type ScanStatus = "queued" | "scanned" | "failed" | "unsupported";

export const SEVERITIES = Object.keys(SEVERITY_INDEX) as Severity[];

export interface SeverityCounts {
  /** Vulnerabilities per severity (every severity present, 0 when none). */
  bySeverity: Record<Severity, number>;
  total: number;
  /** Vulnerabilities with a fixed-by version. */
  fixable: number;
  /** The highest severity found; null when there are none. */
  highest: Severity | null;
}

export interface ScanSummary extends SeverityCounts {
  status: ScanStatus;
}

export interface FoundVulnerability {
  /** The advisory's id (CVE-…, GHSA-…, DSA-…). */
  id: string;
  aliases: string[];
  severity: Severity;
  link: string;
  summary: string;
  description: string;
  /** Where the advisory came from (its importer's source name). */
  source: string;
  distroId: string;
  distroRelease: string;
  /** The version that fixes it; "" when none is known. */
  fixedBy: string;
}

export interface VulnerabilityRow extends FoundVulnerability {
  packageName: string;
  packageVersion: string;
  ecosystem: string;
  /** The layer that introduced the package (its lowest, when several copies are installed). */
  layerIndex: number;
  layerDigest: string;
}

export interface PackageRow {
  name: string;
  version: string;
  ecosystem: string;
  layerIndex: number;
  layerDigest: string;
  vulnerabilities: number;
  fixable: number;
  highest: Severity | null;
}

/** A package with its vulnerabilities, as Quay's API lists features. */
export interface ReportFeature {
  name: string;
  version: string;
  ecosystem: string;
  layerDigest: string;
  layerIndex: number;
  vulnerabilities: FoundVulnerability[];
}

export interface ListWindow {
  offset: number;
  limit: number;
}

export interface VulnerabilityQuery extends ListWindow {
  /** Text that the id, package name or summary holds (any case); "" for all. */
  filter: string;
  onlyFixable: boolean;
}

const emptyCounts = (): SeverityCounts => ({
  bySeverity: Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>,
  total: 0,
  fixable: 0,
  highest: null,
});

/** Severity as a sortable number (Critical first); unknown words sort with Unknown. */
const severityRank = (column: SQL) =>
  sql`(case ${column} ${sql.join(
    SEVERITIES.map((s) => sql`when ${s} then ${sql.raw(String(SEVERITY_INDEX[s]))}`),
    sql` `,
  )} else ${sql.raw(String(SEVERITY_INDEX.Unknown))} end)`;

const asSeverity = (value: string): Severity => (value in SEVERITY_INDEX ? (value as Severity) : "Unknown");

/**
 * The vulnerabilities of the manifests `digests`, one row per manifest, package and advisory id:
 * the most severe of the advisory's rows (`advisory_row`), with a fix if any row has one, the
 * package at its lowest layer. Narrow rows (no texts), so sorting thousands stays cheap; the
 * advisory's texts are joined to the rows a reader keeps (`described`).
 */
function vulnerabilities(digests: string[]): SQL {
  return sql`
    select distinct on (p.manifest_digest, p.package_id, a.advisory_id)
      p.manifest_digest, p.package_id, a.id as advisory_row, a.advisory_id as id, a.severity, pv.fixed_by,
      p.layer_index, p.layer_digest, ${severityRank(sql`a.severity`)} as rank
    from (
      select manifest_digest, package_id, min(layer_index) as layer_index,
        (array_agg(layer_digest order by layer_index))[1] as layer_digest
      from manifest_packages
      where manifest_digest = any(${sql.param(digests)}::text[])
      group by manifest_digest, package_id
    ) p
    join package_vulnerabilities pv on pv.package_id = p.package_id
    join advisories a on a.id = pv.advisory_id
    order by p.manifest_digest, p.package_id, a.advisory_id, rank, pv.fixed_by = ''`;
}

/** Rows `v` of `vulnerabilities` (with `order`) and their advisory's texts and package. */
const described = (rows: SQL, order: SQL) => sql`
  select v.*, a.aliases, a.link, a.summary, a.description, a.source, a.distro_id, a.distro_release, sp.name, sp.version, sp.ecosystem
  from (${rows}) v
  join advisories a on a.id = v.advisory_row
  join scanned_packages sp on sp.id = v.package_id
  order by ${order}`;

interface ScanRow extends Record<string, unknown> {
  digest: string;
  status: string;
}

function apiStatus(stored: string | undefined): ScanStatus {
  if (stored === "scanned" || stored === "failed" || stored === "unsupported") return stored;
  return "queued";
}

/** Each manifest's scan status and vulnerability counts (the Tags tab's column), by digest. */
export async function scanSummaries(db: DbOrTx, digests: string[]): Promise<Map<string, ScanSummary>> {
  const unique = [...new Set(digests)];
  const summaries = new Map<string, ScanSummary>(unique.map((d) => [d, { status: "queued", ...emptyCounts() }]));
  if (unique.length === 0) return summaries;
  const [scans, counts] = await Promise.all([
    db.execute<ScanRow>(sql`select digest, status from manifest_scans where digest = any(${sql.param(unique)}::text[])`),
    db.execute<{ manifest_digest: string; severity: string; n: number; fixable: number }>(sql`
      select v.manifest_digest, v.severity, count(*)::int as n, count(*) filter (where v.fixed_by <> '')::int as fixable
      from (${vulnerabilities(unique)}) v
      group by v.manifest_digest, v.severity`),
  ]);
  for (const scan of scans) summaries.get(scan.digest)!.status = apiStatus(scan.status);
  for (const row of counts) addCount(summaries.get(row.manifest_digest)!, asSeverity(row.severity), row.n, row.fixable);
  return summaries;
}

function addCount(counts: SeverityCounts, severity: Severity, n: number, fixable: number): void {
  counts.bySeverity[severity] += n;
  counts.total += n;
  counts.fixable += fixable;
  if (counts.highest === null || SEVERITY_INDEX[severity] < SEVERITY_INDEX[counts.highest]) counts.highest = severity;
}

/** One manifest's scan status and counts. */
export async function scanSummary(db: DbOrTx, digest: string): Promise<ScanSummary> {
  return (await scanSummaries(db, [digest])).get(digest)!;
}

/**
 * The filter's condition on a vulnerability row `v` with its package `sp` (text anywhere in id,
 * package name or the advisory's summary).
 */
function vulnerabilityFilter(q: Pick<VulnerabilityQuery, "filter" | "onlyFixable">): SQL {
  const conditions: SQL[] = [sql`true`];
  if (q.filter) {
    const text = q.filter.toLowerCase();
    conditions.push(
      sql`(strpos(lower(v.id), ${text}) > 0 or strpos(lower(sp.name), ${text}) > 0 or exists (select from advisories f where f.id = v.advisory_row and strpos(lower(f.summary), ${text}) > 0))`,
    );
  }
  if (q.onlyFixable) conditions.push(sql`v.fixed_by <> ''`);
  return sql.join(conditions, sql` and `);
}

interface VulnerabilitySqlRow extends Record<string, unknown> {
  id: string;
  aliases: string[];
  severity: string;
  link: string;
  summary: string;
  description: string;
  source: string;
  distro_id: string;
  distro_release: string;
  fixed_by: string;
  name: string;
  version: string;
  ecosystem: string;
  layer_index: number;
  layer_digest: string;
}

const foundVulnerability = (r: VulnerabilitySqlRow): FoundVulnerability => ({
  id: r.id,
  aliases: r.aliases ?? [],
  severity: asSeverity(r.severity),
  link: r.link,
  summary: r.summary,
  description: r.description,
  source: r.source,
  distroId: r.distro_id,
  distroRelease: r.distro_release,
  fixedBy: r.fixed_by,
});

/** A page of a manifest's vulnerabilities, most severe first, and how many match the query. */
export async function vulnerabilityPage(db: DbOrTx, digest: string, q: VulnerabilityQuery): Promise<{ rows: VulnerabilityRow[]; total: number }> {
  const order = sql`v.rank, v.id, sp.name, sp.version`;
  const rows = await db.execute<VulnerabilitySqlRow & { total: number }>(
    described(
      sql`
        select v.*, count(*) over ()::int as total
        from (${vulnerabilities([digest])}) v
        join scanned_packages sp on sp.id = v.package_id
        where ${vulnerabilityFilter(q)}
        order by ${order}
        offset ${q.offset} limit ${q.limit}`,
      order,
    ),
  );
  return {
    rows: rows.map((r) => ({
      ...foundVulnerability(r),
      packageName: r.name,
      packageVersion: r.version,
      ecosystem: r.ecosystem,
      layerIndex: r.layer_index,
      layerDigest: r.layer_digest,
    })),
    total: rows[0]?.total ?? (q.offset > 0 ? await countVulnerabilities(db, digest, q) : 0),
  };
}

/** How many vulnerabilities match (asked only for a page past the end, which has no rows to say). */
async function countVulnerabilities(db: DbOrTx, digest: string, q: VulnerabilityQuery): Promise<number> {
  const [row] = await db.execute<{ n: number }>(sql`
    select count(*)::int as n from (${vulnerabilities([digest])}) v
    join scanned_packages sp on sp.id = v.package_id
    where ${vulnerabilityFilter(q)}`);
  return row?.n ?? 0;
}

/** A page of a manifest's packages by name (those whose name holds `filter`), each with its vulnerability summary. */
export async function packagePage(db: DbOrTx, digest: string, q: ListWindow & { filter: string }): Promise<{ rows: PackageRow[]; total: number }> {
  const rows = await db.execute<{
    name: string;
    version: string;
    ecosystem: string;
    layer_index: number;
    layer_digest: string;
    vulnerabilities: number;
    fixable: number;
    top_rank: number | null;
    total: number;
  }>(sql`
    with pkgs as (
      select mp.package_id, min(mp.layer_index) as layer_index, (array_agg(mp.layer_digest order by mp.layer_index))[1] as layer_digest
      from manifest_packages mp
      where mp.manifest_digest = ${digest}
      group by mp.package_id
    ), vulns as (
      select v.package_id, count(*)::int as n, count(*) filter (where v.fixed_by <> '')::int as fixable, min(v.rank) as top_rank
      from (${vulnerabilities([digest])}) v
      group by v.package_id
    )
    select sp.name, sp.version, sp.ecosystem, p.layer_index, p.layer_digest,
      coalesce(vulns.n, 0) as vulnerabilities, coalesce(vulns.fixable, 0) as fixable, vulns.top_rank,
      count(*) over ()::int as total
    from pkgs p
    join scanned_packages sp on sp.id = p.package_id
    left join vulns on vulns.package_id = p.package_id
    where ${q.filter ? sql`strpos(lower(sp.name), ${q.filter.toLowerCase()}) > 0` : sql`true`}
    order by sp.name, sp.version, sp.ecosystem
    offset ${q.offset} limit ${q.limit}`);
  return {
    rows: rows.map((r) => ({
      name: r.name,
      version: r.version,
      ecosystem: r.ecosystem,
      layerIndex: r.layer_index,
      layerDigest: r.layer_digest,
      vulnerabilities: r.vulnerabilities,
      fixable: r.fixable,
      highest: r.top_rank === null ? null : SEVERITIES.find((s) => SEVERITY_INDEX[s] === r.top_rank)!,
    })),
    total: rows[0]?.total ?? 0,
  };
}

/** Every package of a manifest with its vulnerabilities, by name (Quay's `Features`); `maxLayerIndex` keeps those of the lower layers only. */
export async function reportFeatures(db: DbOrTx, digest: string, maxLayerIndex = Number.MAX_SAFE_INTEGER): Promise<ReportFeature[]> {
  const [packages, found] = await Promise.all([
    db.execute<{ package_id: number; name: string; version: string; ecosystem: string; layer_index: number; layer_digest: string }>(sql`
      select mp.package_id, sp.name, sp.version, sp.ecosystem, min(mp.layer_index) as layer_index,
        (array_agg(mp.layer_digest order by mp.layer_index))[1] as layer_digest
      from manifest_packages mp
      join scanned_packages sp on sp.id = mp.package_id
      where mp.manifest_digest = ${digest}
      group by mp.package_id, sp.name, sp.version, sp.ecosystem
      order by sp.name, sp.version, mp.package_id`),
    db.execute<VulnerabilitySqlRow & { package_id: number }>(described(vulnerabilities([digest]), sql`v.rank, v.id`)),
  ]);
  const byPackage = new Map<number, FoundVulnerability[]>();
  for (const row of found) {
    const list = byPackage.get(row.package_id) ?? [];
    list.push(foundVulnerability(row));
    byPackage.set(row.package_id, list);
  }
  return packages
    .filter((p) => p.layer_index <= maxLayerIndex)
    .map((p) => ({
      name: p.name,
      version: p.version,
      ecosystem: p.ecosystem,
      layerDigest: p.layer_digest,
      layerIndex: p.layer_index,
      vulnerabilities: byPackage.get(p.package_id) ?? [],
    }));
}

export interface ScanState {
  status: ScanStatus;
  /** The stored reason of a failed scan. */
  error: string | null;
  distribution: { id: string; versionId: string; prettyName?: string } | null;
}

/** A manifest's scan state (no row yet: queued). */
export async function scanState(db: DbOrTx, digest: string): Promise<ScanState> {
  const [row] = await db.execute<{ status: string; error: string | null; distribution: ScanState["distribution"] }>(
    sql`select status, error, distribution from manifest_scans where digest = ${digest}`,
  );
  return { status: apiStatus(row?.status), error: row?.error ?? null, distribution: row?.distribution ?? null };
}

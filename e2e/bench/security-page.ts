// The Security page (issue 15: an image with 5 000 vulnerabilities), its filtered table, the
// Packages page and Quay's security API for the same image. The scan's rows are written straight
// into the bench server's database for the scale rows' image: 500 Debian packages with 10
// advisories each, every severity, a third of them fixable. One connection, as the Tags tab rows.
import postgres from "postgres";
import type { Row } from "./measure.ts";
import { quaysideDatabaseUrl } from "./quayside-db.ts";
import { type Scale, TAGS_REPO } from "./scale.ts";
import type { BenchServer } from "./server-process.ts";
import { latencyRow } from "./tags-tab.ts";

const PACKAGES = 500;
const PER_PACKAGE = 10;

/** Stores a scanned report of `digest` holding PACKAGES × PER_PACKAGE vulnerabilities. */
async function storeLargeScan(server: BenchServer, digest: string): Promise<void> {
  const sql = postgres(quaysideDatabaseUrl(server), { max: 1, onnotice: () => {} });
  try {
    // The push queued a real scan of the image: let it finish first, so it cannot replace this one.
    for (let waited = 0; waited < 60_000; waited += 250) {
      const [row] = await sql<{ status: string }[]>`select status from manifest_scans where digest = ${digest}`;
      if (row && row.status !== "queued" && row.status !== "scanning") break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    await sql.begin(async (tx) => {
      await tx`
        insert into manifest_scans (digest, status, distribution, scanned_at)
        values (${digest}, 'scanned', ${tx.json({ id: "debian", versionId: "12" })}, now())
        on conflict (digest) do update set status = 'scanned', error = null, distribution = excluded.distribution`;
      await tx`
        insert into scanned_packages (ecosystem, name, version, distro_id, distro_version_id)
        select 'dpkg', 'bench-pkg-' || p, '1.0-' || p, 'debian', '12' from generate_series(1, ${PACKAGES}) p
        on conflict do nothing`;
      await tx`
        insert into manifest_packages (manifest_digest, package_id, path, layer_index, layer_digest)
        select ${digest}, id, 'var/lib/dpkg/status', 0, ${digest} from scanned_packages where name like 'bench-pkg-%'
        on conflict do nothing`;
      await tx`
        insert into advisories (source, advisory_id, severity, ecosystem, package_name, distro_id, distro_release, summary, description, link)
        select 'bench', 'CVE-2024-' || (10000 + p * ${PER_PACKAGE} + k),
          (array['Critical', 'High', 'Medium', 'Low', 'Negligible', 'Unknown'])[1 + (p * ${PER_PACKAGE} + k) % 6],
          'dpkg', 'bench-pkg-' || p, 'debian', '12', 'A flaw in bench-pkg-' || p, repeat('A description of the flaw. ', 20),
          'https://security-tracker.debian.org/tracker/CVE-2024-' || (10000 + p * ${PER_PACKAGE} + k)
        from generate_series(1, ${PACKAGES}) p, generate_series(0, ${PER_PACKAGE - 1}) k
        on conflict do nothing`;
      await tx`
        insert into package_vulnerabilities (package_id, advisory_id, fixed_by)
        select sp.id, a.id, case when a.id % 3 = 0 then '2.0' else '' end
        from advisories a join scanned_packages sp on sp.ecosystem = a.ecosystem and sp.name = a.package_name
        where a.source = 'bench'
        on conflict do nothing`;
    });
    await sql`analyze manifest_packages, scanned_packages, advisories, package_vulnerabilities, manifest_scans`;
  } finally {
    await sql.end();
  }
}

export async function securityPageRows(s: Scale, server: BenchServer): Promise<Row[]> {
  await storeLargeScan(server, s.tagDigest);
  const total = PACKAGES * PER_PACKAGE;
  const count = total.toLocaleString("en-US");
  const manifest = `/repository/${TAGS_REPO}/manifest/${s.tagDigest}`;
  const hasRows = (html: string) => html.includes(`${total} vulnerabilities`) && html.includes('data-testid="vulnerability-row"');
  const note = "Quayside only; 50 rows, the counts by severity and the layers' instructions";
  return [
    await latencyRow(s.bench, `Security page, image with ${count} vulnerabilities (first page of 50, 1 connection)`, `${manifest}?tab=security`, hasRows, note, 100),
    await latencyRow(
      s.bench,
      `Security page, image with ${count} vulnerabilities (text filter + only fixable, 1 connection)`,
      `${manifest}?tab=security&filter=pkg-42&fixable=1`,
      (html) => html.includes('data-testid="vulnerability-row"'),
      note,
      100,
    ),
    await latencyRow(
      s.bench,
      `Packages page, image with ${count} vulnerabilities in ${PACKAGES} packages (first page of 50, 1 connection)`,
      `${manifest}?tab=packages`,
      (html) => html.includes('data-testid="package-row"'),
      "Quayside only",
      100,
    ),
    await latencyRow(
      s.bench,
      `GET /api/v1/repository/{repo}/manifest/{digest}/security, ${count} vulnerabilities (whole report, 1 connection)`,
      `/api/v1/repository/${TAGS_REPO}/manifest/${s.tagDigest}/security?vulnerabilities=true`,
      (json) => (JSON.parse(json) as { data: { Layer: { Features: unknown[] } } }).data.Layer.Features.length === PACKAGES,
      "Quayside only; Quay's Clair-shaped JSON, about 4 MB",
      500,
    ),
  ];
}

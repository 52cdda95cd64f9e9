// Re-matching after an advisory import: 10 000 scanned manifests (100 repositories of 100 tagged
// images, each a Debian base at one of 5 versions plus 10 npm packages from a pool of 2 000 names
// at 5 versions) are stored directly in the bench server's database, as the indexer would leave
// them; then one OSV file naming openssl and 200 npm packages is imported through the domain's
// importAdvisories. Timed: the whole import (parse, store, re-match the named packages, queue
// vulnerability_found through pg-boss for the 10 repositories with a notification). Between runs
// the location is imported empty, which removes the advisories and their matches again.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import PgBoss from "pg-boss";
import postgres from "postgres";
import { connect } from "../../db/client.ts";
import { loadConfig } from "../../server/config.ts";
import { systemClock } from "../../server/domain/clock.ts";
import { importAdvisories } from "../../server/domain/scanning/vulnerability-db.ts";
import type { Row, Sample } from "./measure.ts";
import { summarize } from "./measure.ts";
import type { Bench } from "./operations.ts";
import { quaysideDatabaseUrl } from "./quayside-db.ts";
import type { BenchServer } from "./server-process.ts";

const MANIFESTS = 10_000;
const REPOSITORIES = 100;
const BASE_VERSIONS = 5;
const BASE_PACKAGES = 20;
const NPM_NAMES = 2_000;
const NPM_PER_IMAGE = 10;
const ADVISED_NPM = 200;
const NOTIFIED_REPOSITORIES = 10;

/** Stores the scanned manifests with their packages, repositories, tags and notifications. */
async function fill(sql: postgres.Sql, namespace: string): Promise<void> {
  await sql`
    insert into repositories (namespace_id, name)
    select n.id, 'vulndb-' || r from namespaces n, generate_series(0, ${REPOSITORIES - 1}) r where n.name = ${namespace}`;
  await sql`
    insert into manifests (repository_id, digest, media_type, raw)
    select r.id, 'sha256:' || md5('m' || i) || md5('n' || i), 'application/vnd.oci.image.manifest.v1+json', '\\x7b7d'::bytea
    from generate_series(0, ${MANIFESTS - 1}) i
    join repositories r on r.name = 'vulndb-' || (i % ${REPOSITORIES})`;
  await sql`
    insert into tags (repository_id, name, manifest_id, lifetime_start)
    select m.repository_id, 't' || m.id, m.id, now() from manifests m join repositories r on r.id = m.repository_id where r.name like 'vulndb-%'`;
  await sql`
    insert into repository_notifications (repository_id, event, method, config)
    select id, 'vulnerability_found', 'quay_notification', '{}'::jsonb from repositories
    where name in (select 'vulndb-' || g from generate_series(0, ${NOTIFIED_REPOSITORIES - 1}) g)`;
  await sql`
    insert into manifest_scans (digest, status, distribution, scanned_at)
    select 'sha256:' || md5('m' || i) || md5('n' || i), 'scanned', '{"id":"debian","versionId":"12","versionCodename":"bookworm"}'::jsonb, now()
    from generate_series(0, ${MANIFESTS - 1}) i`;
  await sql`
    insert into scanned_packages (ecosystem, name, version, source_name, source_version, distro_id, distro_version_id, distro_codename)
    select 'dpkg', case when p = 0 then 'libssl3' else 'base-pkg-' || p end, '3.0.' || v || '-1', case when p = 0 then 'openssl' else '' end,
           case when p = 0 then '3.0.' || v || '-1' else '' end, 'debian', '12', 'bookworm'
    from generate_series(0, ${BASE_PACKAGES - 1}) p, generate_series(0, ${BASE_VERSIONS - 1}) v`;
  await sql`
    insert into scanned_packages (ecosystem, name, version)
    select 'npm', 'bench-npm-' || n, '1.0.' || v from generate_series(0, ${NPM_NAMES - 1}) n, generate_series(0, ${BASE_VERSIONS - 1}) v`;
  // Image i: the base at version i % 5, and npm names (7i + 13k) % 2000 at version (i + k) % 5.
  await sql`
    insert into manifest_packages (manifest_digest, package_id, path, layer_index, layer_digest)
    select 'sha256:' || md5('m' || i) || md5('n' || i), s.id, 'var/lib/dpkg/status', 0, 'sha256:base'
    from generate_series(0, ${MANIFESTS - 1}) i
    join scanned_packages s on s.ecosystem = 'dpkg' and s.version = '3.0.' || (i % ${BASE_VERSIONS}) || '-1'`;
  await sql`
    insert into manifest_packages (manifest_digest, package_id, path, layer_index, layer_digest)
    select distinct on (1, 2) 'sha256:' || md5('m' || i) || md5('n' || i), s.id, 'app/node_modules/' || s.name || '/package.json', 1, 'sha256:app'
    from generate_series(0, ${MANIFESTS - 1}) i cross join generate_series(0, ${NPM_PER_IMAGE - 1}) k
    join scanned_packages s on s.ecosystem = 'npm' and s.name = 'bench-npm-' || ((7 * i + 13 * k) % ${NPM_NAMES})
      and s.version = '1.0.' || ((i + k) % ${BASE_VERSIONS})`;
  await sql`analyze`;
}

/** openssl before 3.0.3-1 (3 of 5 bases) and 200 npm names before 1.0.3. */
function advisoryFile(): string {
  const record = (id: string, ecosystem: string, name: string, fixed: string) => ({
    id,
    modified: "2024-01-01T00:00:00Z",
    summary: `bench advisory for ${name}`,
    severity: [{ type: "CVSS_V3", score: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" }],
    affected: [{ package: { ecosystem, name }, ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed }] }] }],
  });
  return JSON.stringify([
    record("BENCH-DEB-1", "Debian:12", "openssl", "3.0.3-1"),
    ...Array.from({ length: ADVISED_NPM }, (_, n) => record(`BENCH-NPM-${n}`, "npm", `bench-npm-${n * (NPM_NAMES / ADVISED_NPM)}`, "1.0.3")),
  ]);
}

export async function vulndbRematchRow(b: Bench, server: BenchServer, namespace: string): Promise<Row> {
  const url = quaysideDatabaseUrl(server);
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const database = connect(url, { max: 4 });
  const boss = new PgBoss({ connectionString: url, max: 2, schedule: false, supervise: false });
  try {
    await fill(sql, namespace);
    await boss.start();
    const location = join(b.workDir, "vulndb-bench.json");
    const svc = {
      db: database.db,
      clock: systemClock,
      jobs: boss,
      config: loadConfig({ QUAYSIDE_PUBLIC_URL: server.url }),
    };
    const samples: Sample[] = [];
    let last: Awaited<ReturnType<typeof importAdvisories>> | undefined;
    // The import runs in this process (as `quayside vulndb import` or the refresh job would run it), against the server's database.
    for (let rep = 0; rep < b.reps; rep++) {
      await writeFile(location, advisoryFile());
      const started = performance.now();
      last = await importAdvisories(svc, location, { format: "osv" });
      samples.push({ value: (performance.now() - started) / 1000 });
      await writeFile(location, "[]");
      await importAdvisories(svc, location, { format: "osv" });
    }
    const row: Row = {
      section: "Scale",
      name: `Advisory import re-matching ${MANIFESTS.toLocaleString("en")} stored manifests (201 advisories; packages named by them matched again, vulnerability_found queued)`,
      unit: "s",
      higherIsBetter: false,
      quayside: summarize(samples),
      limits: [],
      target: { kind: "none", text: "no layer read; only named packages matched" },
      note: last
        ? `${last.packagesMatched} packages matched again, ${last.newMatches} new matches, ${last.eventsQueued} events queued (${NOTIFIED_REPOSITORIES} of ${REPOSITORIES} repositories have a notification)`
        : undefined,
    };
    return row;
  } finally {
    await boss.stop({ graceful: false, wait: true });
    await database.close();
    await sql.end();
  }
}

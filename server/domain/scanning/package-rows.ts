// Writing an indexed image's packages: each distinct package once in scanned_packages (shared by
// every image holding it, so matching works per package), and the manifest's own list in
// manifest_packages with the path and the layer that introduced each.
import { sql } from "drizzle-orm";
import type { Tx } from "../../../db/client.ts";
import type { ImageContents } from "./layers/combine.ts";
import type { Ecosystem } from "./package-types.ts";

/** Ecosystems of the distribution's own package manager: their advisories depend on the release. */
const DISTRIBUTION_ECOSYSTEMS = new Set<Ecosystem>(["dpkg", "apk", "rpm"]);

type PackageRow = {
  ecosystem: string;
  name: string;
  version: string;
  source_name: string;
  source_version: string;
  arch: string;
  distro_id: string;
  distro_version_id: string;
  distro_codename: string;
};

/** The columns of scanned_packages_identity, as one string. */
const identity = (p: PackageRow) =>
  [p.ecosystem, p.distro_id, p.distro_version_id, p.name, p.version, p.source_name, p.source_version, p.arch].join("\0");

function packageRow(pkg: ImageContents["packages"][number], distribution: ImageContents["distribution"]): PackageRow {
  const distro = DISTRIBUTION_ECOSYSTEMS.has(pkg.ecosystem) ? distribution : null;
  return {
    ecosystem: pkg.ecosystem,
    name: pkg.name,
    version: pkg.version,
    source_name: pkg.sourceName ?? "",
    source_version: pkg.sourceVersion ?? "",
    arch: pkg.arch ?? "",
    distro_id: distro?.id ?? "",
    distro_version_id: distro?.versionId ?? "",
    distro_codename: distro?.versionCodename ?? "",
  };
}

/**
 * The ids of these packages, inserting those not yet known. The rows found are held (FOR KEY
 * SHARE) until the caller's transaction ends, so garbage collection's pruning of packages no
 * image holds (scan-gc.ts) cannot take one away before manifest_packages refers to it. A row
 * another transaction inserts meanwhile is not in this statement's snapshot: asked again.
 */
async function packageIds(tx: Tx, rows: PackageRow[]): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  let missing = rows;
  for (let round = 0; missing.length > 0; round++) {
    if (round === 3) throw new Error("scanned packages kept changing while they were written");
    const found = await tx.execute<PackageRow & { id: number }>(sql`
      with input as (
        select * from jsonb_to_recordset(${JSON.stringify(missing)}::jsonb) as x(
          ecosystem text, name text, version text, source_name text, source_version text, arch text,
          distro_id text, distro_version_id text, distro_codename text)
      ), inserted as (
        insert into scanned_packages (ecosystem, name, version, source_name, source_version, arch, distro_id, distro_version_id, distro_codename)
        select ecosystem, name, version, source_name, source_version, arch, distro_id, distro_version_id, distro_codename from input
        on conflict do nothing
        returning *
      ), existing as (
        select p.* from scanned_packages p
        join input i using (ecosystem, distro_id, distro_version_id, name, version, source_name, source_version, arch)
        for key share of p
      )
      select * from inserted union all select * from existing`);
    for (const row of found) ids.set(identity(row), Number(row.id));
    missing = missing.filter((row) => !ids.has(identity(row)));
  }
  return ids;
}

/** Replaces the manifest's package list with the image's; the ids of its distinct packages. */
export async function writeManifestPackages(tx: Tx, digest: string, image: ImageContents): Promise<number[]> {
  const rows = new Map<string, PackageRow>();
  const placed = image.packages.map((pkg) => {
    const row = packageRow(pkg, image.distribution);
    rows.set(identity(row), row);
    return { key: identity(row), path: pkg.path, layerIndex: pkg.layerIndex, layerDigest: pkg.layerDigest };
  });
  // Sorted, so two scans inserting the same new packages lock them in one order.
  const ids = await packageIds(tx, [...rows.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, row]) => row));
  const links = new Map<string, { package_id: number; path: string; layer_index: number; layer_digest: string }>();
  for (const p of placed) {
    const packageId = ids.get(p.key)!;
    // One row per package and path (the table's key): the first, lowest layer wins.
    const key = `${packageId}\0${p.path}`;
    if (!links.has(key)) links.set(key, { package_id: packageId, path: p.path, layer_index: p.layerIndex, layer_digest: p.layerDigest });
  }
  await tx.execute(sql`delete from manifest_packages where manifest_digest = ${digest}`);
  if (links.size > 0) {
    await tx.execute(sql`
      insert into manifest_packages (manifest_digest, package_id, path, layer_index, layer_digest)
      select ${digest}, package_id, path, layer_index, layer_digest
      from jsonb_to_recordset(${JSON.stringify([...links.values()])}::jsonb) as x(package_id int, path text, layer_index int, layer_digest text)`);
  }
  return [...new Set(ids.values())];
}

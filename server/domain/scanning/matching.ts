// Matching stored packages against imported advisories: each package is compared with the
// advisories of its ecosystem and name (distribution packages also by their source package, as
// Debian's and Alpine's trackers name them), only those whose distribution release applies, in
// the ecosystem's own version ordering. The result is kept in package_vulnerabilities, so a
// report reads matches and an import re-matches only the packages its changes name — no layer is
// read again.
import { inArray, sql, type SQLWrapper } from "drizzle-orm";
import type { Db } from "../../../db/client.ts";
import { advisories, packageVulnerabilities, scannedPackages } from "../../../db/schema.ts";
import { appliesToDistribution } from "./advisories/advisory.ts";
import type { Distribution, Ecosystem } from "./package-types.ts";
import { matchAffected, type VersionRange } from "./versions/index.ts";

/** A package newly found affected by an advisory (both by row id), and the fix ("" if none yet). */
export interface NewMatch {
  packageId: number;
  advisoryId: number;
  fixedBy: string;
}

export interface MatchResult {
  /** Packages compared. */
  packages: number;
  /** Matches that did not exist before. */
  added: NewMatch[];
  /** Matches that no longer hold (the advisory changed or the version is fixed). */
  removed: number;
}

/** An (ecosystem, package name) pair, the key advisories are filed under. */
export interface PackageKey {
  ecosystem: string;
  name: string;
}

type PackageRow = typeof scannedPackages.$inferSelect;
type AdvisoryRow = Pick<typeof advisories.$inferSelect, "id" | "ecosystem" | "packageName" | "distroId" | "distroRelease" | "ranges" | "versions">;

/** Packages per round trip: the advisories of a few thousand names fit comfortably in memory. */
const BATCH = 2000;

/** `(ecosystem, name)` of a column pair is one of `keys` (sent as one JSON parameter). */
export function keyIn(ecosystemColumn: SQLWrapper, nameColumn: SQLWrapper, keys: readonly PackageKey[]) {
  return sql`(${ecosystemColumn}, ${nameColumn}) in (select k.ecosystem, k.name from json_to_recordset(${JSON.stringify(keys)}::json) as k(ecosystem text, name text))`;
}

const keyText = (ecosystem: string, name: string) => `${ecosystem}\u0000${name}`;

function distributionOf(pkg: PackageRow): Distribution | undefined {
  if (!pkg.distroId) return undefined;
  return { id: pkg.distroId, versionId: pkg.distroVersionId, versionCodename: pkg.distroCodename || undefined };
}

/** The advisories that hold for one package, with the version that fixes each ("" if none yet). */
export function packageMatches(pkg: PackageRow, candidates: readonly AdvisoryRow[]): Map<number, string> {
  const found = new Map<number, string>();
  const ecosystem = pkg.ecosystem as Ecosystem;
  const distribution = distributionOf(pkg);
  for (const advisory of candidates) {
    if (found.has(advisory.id)) continue;
    const target = advisory.distroId ? { id: advisory.distroId, release: advisory.distroRelease } : undefined;
    if (!appliesToDistribution(target, distribution)) continue;
    // Trackers that name the source package give the source package's versions.
    const bySource = advisory.packageName !== pkg.name;
    const version = bySource && pkg.sourceVersion ? pkg.sourceVersion : pkg.version;
    const match = matchAffected(ecosystem, version, { ranges: advisory.ranges as VersionRange[], versions: advisory.versions });
    if (match) found.set(advisory.id, match.fixed ?? "");
  }
  return found;
}

/**
 * Matches the packages against every advisory that names them and brings package_vulnerabilities
 * in line (new matches added, ones that no longer hold removed, changed fixes updated). Idempotent.
 */
export async function matchPackages(svc: { db: Db }, packageIds: readonly number[]): Promise<MatchResult> {
  const result: MatchResult = { packages: 0, added: [], removed: 0 };
  const ids = [...new Set(packageIds)];
  for (let i = 0; i < ids.length; i += BATCH) {
    const batch = await matchBatch(svc.db, ids.slice(i, i + BATCH));
    result.packages += batch.packages;
    result.added.push(...batch.added);
    result.removed += batch.removed;
  }
  return result;
}

async function matchBatch(db: Db, ids: number[]): Promise<MatchResult> {
  const packages = await db.select().from(scannedPackages).where(inArray(scannedPackages.id, ids));
  const keys = new Map<string, PackageKey>();
  for (const pkg of packages) {
    keys.set(keyText(pkg.ecosystem, pkg.name), { ecosystem: pkg.ecosystem, name: pkg.name });
    if (pkg.sourceName) keys.set(keyText(pkg.ecosystem, pkg.sourceName), { ecosystem: pkg.ecosystem, name: pkg.sourceName });
  }
  const candidates = keys.size === 0 ? [] : await db
    .select({
      id: advisories.id,
      ecosystem: advisories.ecosystem,
      packageName: advisories.packageName,
      distroId: advisories.distroId,
      distroRelease: advisories.distroRelease,
      ranges: advisories.ranges,
      versions: advisories.versions,
    })
    .from(advisories)
    .where(keyIn(advisories.ecosystem, advisories.packageName, [...keys.values()]));
  const byKey = new Map<string, AdvisoryRow[]>();
  for (const advisory of candidates) {
    const key = keyText(advisory.ecosystem, advisory.packageName);
    byKey.set(key, [...(byKey.get(key) ?? []), advisory]);
  }
  const wanted = new Map<string, { packageId: number; advisoryId: number; fixedBy: string }>();
  for (const pkg of packages) {
    const named = [
      ...(byKey.get(keyText(pkg.ecosystem, pkg.name)) ?? []),
      ...(pkg.sourceName && pkg.sourceName !== pkg.name ? byKey.get(keyText(pkg.ecosystem, pkg.sourceName)) ?? [] : []),
    ];
    for (const [advisoryId, fixedBy] of packageMatches(pkg, named)) wanted.set(`${pkg.id}:${advisoryId}`, { packageId: pkg.id, advisoryId, fixedBy });
  }
  return db.transaction(async (tx) => {
    const existing = await tx
      .select()
      .from(packageVulnerabilities)
      .where(inArray(packageVulnerabilities.packageId, ids))
      .for("update");
    const had = new Map(existing.map((row) => [`${row.packageId}:${row.advisoryId}`, row]));
    const gone = existing.filter((row) => !wanted.has(`${row.packageId}:${row.advisoryId}`));
    const upserts = [...wanted.entries()].filter(([key, row]) => had.get(key)?.fixedBy !== row.fixedBy).map(([, row]) => row);
    for (let i = 0; i < gone.length; i += 1000) {
      const pairs = JSON.stringify(gone.slice(i, i + 1000).map(({ packageId, advisoryId }) => ({ packageId, advisoryId })));
      await tx.delete(packageVulnerabilities).where(
        sql`(${packageVulnerabilities.packageId}, ${packageVulnerabilities.advisoryId}) in (select p."packageId", p."advisoryId" from json_to_recordset(${pairs}::json) as p("packageId" int, "advisoryId" int))`,
      );
    }
    for (let i = 0; i < upserts.length; i += 5000) {
      await tx
        .insert(packageVulnerabilities)
        .values(upserts.slice(i, i + 5000))
        .onConflictDoUpdate({ target: [packageVulnerabilities.packageId, packageVulnerabilities.advisoryId], set: { fixedBy: sql`excluded.fixed_by` } });
    }
    const added = upserts.filter((row) => !had.has(`${row.packageId}:${row.advisoryId}`));
    return { packages: packages.length, added, removed: gone.length };
  });
}

/** The stored packages an advisory filed under one of `keys` may concern: by name or by source package. */
export async function packagesNamed(db: Db, keys: readonly PackageKey[]): Promise<number[]> {
  if (keys.length === 0) return [];
  const rows = await db
    .select({ id: scannedPackages.id })
    .from(scannedPackages)
    .where(sql`${keyIn(scannedPackages.ecosystem, scannedPackages.name, keys)} or ${keyIn(scannedPackages.ecosystem, scannedPackages.sourceName, keys)}`);
  return rows.map((row) => row.id);
}

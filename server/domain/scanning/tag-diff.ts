// What changed between two tags of a repository, from their scans: packages added, removed and
// changed (same ecosystem and name, other versions), and vulnerabilities fixed (the older image
// had them, the newer has not) and introduced. A vulnerability is an advisory id on a package
// name, so an upgrade that leaves a CVE unfixed neither fixes nor introduces it. A tag on a
// multi-architecture index is compared through one platform's image: linux/amd64, else the first.
import { SEVERITY_INDEX, type Severity } from "../notifications/catalog.ts";
import { findManifest } from "../content/manifests.ts";
import { parseManifest } from "../content/manifest-formats.ts";
import { DomainError } from "../errors.ts";
import type { Repository } from "../repositories/repositories.ts";
import type { Services } from "../services.ts";
import { reportFeatures, type ReportFeature, type ScanStatus, scanState } from "./reports.ts";

export interface DiffSide {
  tag: string;
  /** The image compared: the tag's manifest, or the chosen platform's for an index. */
  digest: string;
  status: ScanStatus;
}

export interface DiffPackage {
  ecosystem: string;
  name: string;
  versions: string[];
}

export interface PackageChange {
  ecosystem: string;
  name: string;
  from: string[];
  to: string[];
}

export interface DiffVulnerability {
  id: string;
  severity: Severity;
  link: string;
  ecosystem: string;
  packageName: string;
  /** The package's version on the side that has the vulnerability. */
  packageVersion: string;
  fixedBy: string;
}

export interface TagDiff {
  from: DiffSide;
  to: DiffSide;
  /** Both sides are scanned (otherwise the lists are empty). */
  complete: boolean;
  packages: { added: DiffPackage[]; removed: DiffPackage[]; changed: PackageChange[] };
  vulnerabilities: { fixed: DiffVulnerability[]; introduced: DiffVulnerability[] };
}

const PREFERRED_PLATFORM = { os: "linux", architecture: "amd64" };

/** The image a live tag names: itself, or for an index the preferred platform's child stored here. */
async function taggedImage(svc: Services, repo: Repository, tag: string): Promise<DiffSide> {
  const now = svc.clock.now();
  const manifest = await findManifest(svc.db, repo.id, { tag }, now);
  if (!manifest) throw new DomainError("NOT_FOUND", `No tag named ${tag}`);
  let digest = manifest.digest;
  const parsed = await parseManifest(manifest.raw, manifest.mediaType);
  if (parsed.isIndex) {
    const children = parsed.children;
    const preferred = children.find((d) => d.platform?.os === PREFERRED_PLATFORM.os && d.platform?.architecture === PREFERRED_PLATFORM.architecture);
    for (const child of preferred ? [preferred, ...children] : children) {
      if (await findManifest(svc.db, repo.id, { digest: child.digest }, now)) {
        digest = child.digest;
        break;
      }
    }
  }
  return { tag, digest, status: (await scanState(svc.db, digest)).status };
}

const packageKey = (p: { ecosystem: string; name: string }) => `${p.ecosystem}\0${p.name}`;
const vulnerabilityKey = (v: { id: string; ecosystem: string; packageName: string }) => `${v.id}\0${v.ecosystem}\0${v.packageName}`;

function versionsByPackage(features: ReportFeature[]): Map<string, DiffPackage> {
  const byKey = new Map<string, DiffPackage>();
  for (const f of features) {
    const entry = byKey.get(packageKey(f)) ?? { ecosystem: f.ecosystem, name: f.name, versions: [] };
    if (!entry.versions.includes(f.version)) entry.versions.push(f.version);
    byKey.set(packageKey(f), entry);
  }
  for (const entry of byKey.values()) entry.versions.sort();
  return byKey;
}

function vulnerabilitiesOf(features: ReportFeature[]): Map<string, DiffVulnerability> {
  const byKey = new Map<string, DiffVulnerability>();
  for (const f of features) {
    for (const v of f.vulnerabilities) {
      const entry = { id: v.id, severity: v.severity, link: v.link, ecosystem: f.ecosystem, packageName: f.name, packageVersion: f.version, fixedBy: v.fixedBy };
      if (!byKey.has(vulnerabilityKey(entry))) byKey.set(vulnerabilityKey(entry), entry);
    }
  }
  return byKey;
}

const byName = (a: { ecosystem: string; name: string }, b: { ecosystem: string; name: string }) =>
  a.name.localeCompare(b.name) || a.ecosystem.localeCompare(b.ecosystem);

/** Most severe first, then by id and package. */
const bySeverity = (a: DiffVulnerability, b: DiffVulnerability) =>
  SEVERITY_INDEX[a.severity] - SEVERITY_INDEX[b.severity] || a.id.localeCompare(b.id) || a.packageName.localeCompare(b.packageName);

/** Entries of `a` whose key `b` lacks. */
const missingFrom = <T>(a: Map<string, T>, b: Map<string, T>) => [...a].filter(([key]) => !b.has(key)).map(([, value]) => value);

/** The pure comparison of two scans' packages (older first). */
export function compareFeatures(from: ReportFeature[], to: ReportFeature[]): Pick<TagDiff, "packages" | "vulnerabilities"> {
  const before = versionsByPackage(from);
  const after = versionsByPackage(to);
  const changed: PackageChange[] = [];
  for (const [key, old] of before) {
    const now = after.get(key);
    if (now && now.versions.join("\0") !== old.versions.join("\0")) changed.push({ ecosystem: old.ecosystem, name: old.name, from: old.versions, to: now.versions });
  }
  const vulnerableBefore = vulnerabilitiesOf(from);
  const vulnerableAfter = vulnerabilitiesOf(to);
  return {
    packages: {
      added: missingFrom(after, before).sort(byName),
      removed: missingFrom(before, after).sort(byName),
      changed: changed.sort(byName),
    },
    vulnerabilities: {
      fixed: missingFrom(vulnerableBefore, vulnerableAfter).sort(bySeverity),
      introduced: missingFrom(vulnerableAfter, vulnerableBefore).sort(bySeverity),
    },
  };
}

/** The difference from tag `from` to tag `to` of the repository (both must be live tags). */
export async function tagDiff(svc: Services, repo: Repository, from: string, to: string): Promise<TagDiff> {
  const [fromSide, toSide] = [await taggedImage(svc, repo, from), await taggedImage(svc, repo, to)];
  const complete = fromSide.status === "scanned" && toSide.status === "scanned";
  const empty = { packages: { added: [], removed: [], changed: [] }, vulnerabilities: { fixed: [], introduced: [] } };
  if (!complete) return { from: fromSide, to: toSide, complete, ...empty };
  const [before, after] = await Promise.all([reportFeatures(svc.db, fromSide.digest), reportFeatures(svc.db, toSide.digest)]);
  return { from: fromSide, to: toSide, complete, ...compareFeatures(before, after) };
}

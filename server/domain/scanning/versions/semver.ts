// Semantic Versioning 2.0.0 ordering (npm packages and OSV's SEMVER ranges): major.minor.patch
// by value, a pre-release sorts before its release and its dot-separated identifiers compare in
// turn (numeric ones by value and below alphanumeric ones, fewer identifiers first), build
// metadata is ignored. Leniently, a leading `v`/`=` is dropped and a missing minor or patch is 0.
// Text that is no version at all sorts below every version.
import { compareDigitRuns, compareParsedOrText, compareStrings } from "./compare.ts";

export interface SemVer {
  core: [string, string, string];
  prerelease: string[];
}

const SEMVER = /^[v=]?\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

export function parseSemver(version: string): SemVer | undefined {
  const match = SEMVER.exec(version.trim());
  if (!match) return undefined;
  return { core: [match[1]!, match[2] ?? "0", match[3] ?? "0"], prerelease: match[4]?.split(".") ?? [] };
}

const isNumeric = (identifier: string): boolean => /^\d+$/.test(identifier);

function compareIdentifiers(a: string, b: string): number {
  const numericA = isNumeric(a);
  const numericB = isNumeric(b);
  if (numericA && numericB) return compareDigitRuns(a, b);
  if (numericA !== numericB) return numericA ? -1 : 1;
  return compareStrings(a, b);
}

export function compareParsedSemver(x: SemVer, y: SemVer): number {
  for (let i = 0; i < 3; i++) {
    const order = compareDigitRuns(x.core[i]!, y.core[i]!);
    if (order !== 0) return order;
  }
  // A release (no identifiers) is newer than any of its pre-releases.
  if (x.prerelease.length === 0 || y.prerelease.length === 0) {
    if (x.prerelease.length === y.prerelease.length) return 0;
    return x.prerelease.length === 0 ? 1 : -1;
  }
  const shared = Math.min(x.prerelease.length, y.prerelease.length);
  for (let i = 0; i < shared; i++) {
    const order = compareIdentifiers(x.prerelease[i]!, y.prerelease[i]!);
    if (order !== 0) return order;
  }
  return Math.sign(x.prerelease.length - y.prerelease.length);
}

export function compareSemver(a: string, b: string): number {
  return compareParsedOrText(a, b, parseSemver, compareParsedSemver);
}

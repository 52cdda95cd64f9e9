// Each ecosystem's version ordering behind one call, and whether a version falls in an advisory's
// affected ranges, in OSV's shape (https://ossf.github.io/osv-schema/#affectedranges-field).
import type { Ecosystem } from "../package-types.ts";
import { compareApk } from "./apk.ts";
import { compareDpkg } from "./dpkg.ts";
import { compareGem } from "./gem.ts";
import { compareGo } from "./go.ts";
import { compareMaven } from "./maven.ts";
import { comparePep440 } from "./pep440.ts";
import { compareRpm } from "./rpm.ts";
import { compareSemver } from "./semver.ts";

export type VersionComparator = (a: string, b: string) => number;

const COMPARATORS: Record<Ecosystem, VersionComparator> = {
  dpkg: compareDpkg,
  apk: compareApk,
  rpm: compareRpm,
  pypi: comparePep440,
  npm: compareSemver,
  go: compareGo,
  maven: compareMaven,
  gem: compareGem,
};

/** Negative when `a` is older than `b`, 0 when the ecosystem holds them equal, positive when newer. */
export function compareVersions(ecosystem: Ecosystem, a: string, b: string): number {
  return Math.sign(COMPARATORS[ecosystem](a, b));
}

/**
 * One OSV range event: from `introduced` on (`"0"`: from the first version) a version is affected,
 * from `fixed` on it is not, nor after `last_affected`; `limit` bounds the whole range above.
 */
export type RangeEvent = { introduced: string } | { fixed: string } | { last_affected: string } | { limit: string };

/**
 * ECOSYSTEM ranges use the package's ecosystem ordering; SEMVER ranges always Semantic
 * Versioning (OSV uses them for Go and npm, and some databases for others).
 */
export interface VersionRange {
  type: "ECOSYSTEM" | "SEMVER";
  events: RangeEvent[];
}

const eventVersion = (event: RangeEvent): string => Object.values(event)[0] as string;

/**
 * Whether `version` falls in `range`, and if so the version that fixes it (the range's next
 * `fixed` event above it), undefined when nothing fixes it yet. Undefined overall when not affected.
 */
export function matchRange(ecosystem: Ecosystem, version: string, range: VersionRange): { fixed?: string } | undefined {
  const compare = range.type === "SEMVER" ? compareSemver : COMPARATORS[ecosystem];
  const limits = range.events.flatMap((event) => ("limit" in event && event.limit !== "*" ? [event.limit] : []));
  if (limits.some((limit) => compare(version, limit) >= 0)) return undefined;
  // Events in version order ("0" first); the last one at or below the version decides.
  const order = (a: RangeEvent, b: RangeEvent): number =>
    isStart(a) ? (isStart(b) ? 0 : -1) : isStart(b) ? 1 : compare(eventVersion(a), eventVersion(b));
  const events = range.events.filter((event) => !("limit" in event)).sort(order);
  let affected = false;
  for (const event of events) {
    if ("introduced" in event) {
      if (isStart(event) || compare(version, event.introduced) >= 0) affected = true;
    } else if ("fixed" in event) {
      if (compare(version, event.fixed) >= 0) affected = false;
      else if (affected) return { fixed: event.fixed };
    } else if ("last_affected" in event && compare(version, event.last_affected) > 0) {
      affected = false;
    }
  }
  return affected ? {} : undefined;
}

function isStart(event: RangeEvent): boolean {
  return "introduced" in event && event.introduced === "0";
}

/** The first range of an advisory that holds `version` (see matchRange), or an exact listed version. */
export function matchAffected(
  ecosystem: Ecosystem,
  version: string,
  affected: { ranges: VersionRange[]; versions: string[] },
): { fixed?: string } | undefined {
  for (const range of affected.ranges) {
    const match = matchRange(ecosystem, version, range);
    if (match) return match;
  }
  return affected.versions.some((listed) => listed === version || compareVersions(ecosystem, listed, version) === 0)
    ? {}
    : undefined;
}

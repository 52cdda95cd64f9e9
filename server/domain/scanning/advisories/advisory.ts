// The one advisory record every vulnerability source is parsed into: which package (in which
// ecosystem, and for distribution packages which release) a vulnerability affects, in OSV's range
// shape, with its normalized severity. A source's record that names several packages becomes
// one advisory per package.
import type { z } from "zod";
import type { Severity } from "../../notifications/catalog.ts";
import type { Distribution, Ecosystem } from "../package-types.ts";
import type { VersionRange } from "../versions/index.ts";

export type AdvisorySource = "osv" | "alpine-secdb" | "debian-tracker";

/**
 * The distribution release an advisory is scoped to: `id` as os-release's ID names it (debian,
 * ubuntu, alpine, rocky, almalinux, rhel), `release` as the source names it — a version
 * (12, 22.04, 3.18) or a codename (bookworm).
 */
export interface AdvisoryDistribution {
  id: string;
  release: string;
}

export interface AffectedPackage {
  /** For distribution packages usually the source package (Debian, Alpine), else the package itself. */
  name: string;
  ecosystem: Ecosystem;
  /** Absent for language packages, which apply whatever the distribution. */
  distribution?: AdvisoryDistribution;
}

export interface Advisory {
  source: AdvisorySource;
  /** The source's identifier (CVE-…, GHSA-…, PYSEC-…); other names for it in `aliases`. */
  id: string;
  aliases: string[];
  summary?: string;
  description?: string;
  link: string;
  severity: Severity;
  package: AffectedPackage;
  /**
   * Affected versions in OSV's shape. A tracker's "fixed in X" is `introduced 0, fixed X`, an
   * unfixed one `introduced 0`; the fix for an installed version comes from `matchAffected`.
   */
  ranges: VersionRange[];
  /** Versions listed as affected one by one (OSV's `versions`). */
  versions: string[];
  /** When the source last changed it (OSV's `modified`), if it says. */
  modified?: string;
}

/** What parsing a source gave: its advisories, and the entries left out with why. */
export interface ParsedAdvisories {
  advisories: Advisory[];
  skipped: { id: string; reason: string }[];
}

/** The input is not the format it was read as (not JSON, or the wrong shape at the top). */
export class AdvisoryFormatError extends Error {}

/** `text` as JSON of the given shape, or an AdvisoryFormatError naming the format and the first problem. */
export function readJson<T>(text: string, schema: z.ZodType<T>, format: string): T {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new AdvisoryFormatError(`not ${format}: ${(error as Error).message}`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new AdvisoryFormatError(`not ${format}: ${parsed.error.issues[0]?.message ?? "invalid"}`);
  return parsed.data;
}

/** The range a tracker's fixed version means: affected from the first version until `fixed` (always, without one). */
export function fixedInRange(fixed: string | undefined): VersionRange {
  return { type: "ECOSYSTEM", events: fixed === undefined ? [{ introduced: "0" }] : [{ introduced: "0" }, { fixed }] };
}

/**
 * Whether an advisory scoped to `target` applies to an image on `distribution`: same id, and the
 * release named by its version id, its major.minor (Alpine's 3.18 for 3.18.4) or its codename.
 * Advisories for language packages (no target) apply everywhere.
 */
export function appliesToDistribution(target: AdvisoryDistribution | undefined, distribution: Distribution | undefined): boolean {
  if (!target) return true;
  if (!distribution || distribution.id.toLowerCase() !== target.id) return false;
  const { versionId, versionCodename } = distribution;
  return target.release === versionId || target.release === versionCodename || versionId.startsWith(`${target.release}.`);
}

// The Debian security tracker's JSON (https://security-tracker.debian.org/tracker/data/json):
// source package → vulnerability → release (by codename) → status, fixed version and urgency.
// "resolved" with a fixed version gives the fix; a fixed version of "0" means that release was
// never affected (no advisory); "open" and "undetermined" are affected with no fix yet.
import { z } from "zod";
import { normalizeSeverity } from "../severity.ts";
import { fixedInRange, readJson, type ParsedAdvisories } from "./advisory.ts";

const releaseSchema = z.object({
  status: z.string(),
  fixed_version: z.string().optional(),
  urgency: z.string().optional(),
});

const vulnerabilitySchema = z.object({
  description: z.string().optional(),
  releases: z.record(z.string(), releaseSchema),
});

const trackerSchema = z.record(z.string(), z.record(z.string(), z.unknown()));

const NEVER_AFFECTED = "0";
/** Statuses of a release still affected, with no fix to name. */
const AFFECTED_UNFIXED = new Set(["open", "undetermined"]);

export function parseDebianTracker(text: string): ParsedAdvisories {
  const tracker = readJson(text, trackerSchema, "Debian security tracker JSON");
  const result: ParsedAdvisories = { advisories: [], skipped: [] };
  for (const [sourcePackage, vulnerabilities] of Object.entries(tracker)) {
    for (const [id, raw] of Object.entries(vulnerabilities)) {
      // One malformed entry costs only itself, not the whole tracker.
      const entry = vulnerabilitySchema.safeParse(raw);
      if (!entry.success) {
        result.skipped.push({ id, reason: `malformed entry for ${sourcePackage}` });
        continue;
      }
      for (const [codename, release] of Object.entries(entry.data.releases)) {
        const fixed = release.status === "resolved" ? release.fixed_version : undefined;
        if (fixed === NEVER_AFFECTED) continue;
        if (!(fixed !== undefined || AFFECTED_UNFIXED.has(release.status))) {
          result.skipped.push({ id, reason: `${codename}: status ${release.status} without a fixed version` });
          continue;
        }
        result.advisories.push({
          source: "debian-tracker",
          id,
          aliases: [],
          description: entry.data.description,
          link: `https://security-tracker.debian.org/tracker/${encodeURIComponent(id)}`,
          severity: normalizeSeverity("debian", release.urgency),
          package: { name: sourcePackage, ecosystem: "dpkg", distribution: { id: "debian", release: codename } },
          ranges: [fixedInRange(fixed)],
          versions: [],
        });
      }
    }
  }
  return result;
}

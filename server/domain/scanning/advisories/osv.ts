// OSV advisories (https://ossf.github.io/osv-schema/): one JSON record per file, a JSON array of
// records, or a zip of such files (as osv.dev's per-ecosystem `all.zip` exports). Each affected
// package in an ecosystem Quayside scans becomes one advisory; GIT ranges, withdrawn records and
// other ecosystems are left out and reported.
import { z } from "zod";
import { readZipEntry, zipEntries } from "../zip.ts";
import { severityFromOsv } from "../severity.ts";
import type { Ecosystem } from "../package-types.ts";
import type { VersionRange } from "../versions/index.ts";
import {
  AdvisoryFormatError,
  readJson,
  type Advisory,
  type AdvisoryDistribution,
  type ParsedAdvisories,
} from "./advisory.ts";

const severitySchema = z.array(z.object({ type: z.string(), score: z.string() })).optional();

const eventSchema = z.union([
  z.object({ introduced: z.string() }),
  z.object({ fixed: z.string() }),
  z.object({ last_affected: z.string() }),
  z.object({ limit: z.string() }),
]);

const recordSchema = z.object({
  id: z.string().min(1),
  modified: z.string().optional(),
  withdrawn: z.string().optional(),
  aliases: z.array(z.string()).nullish(),
  summary: z.string().optional(),
  details: z.string().optional(),
  severity: severitySchema,
  references: z.array(z.object({ type: z.string(), url: z.string() })).nullish(),
  affected: z
    .array(
      z.object({
        package: z.object({ ecosystem: z.string(), name: z.string() }).optional(),
        severity: severitySchema,
        ranges: z.array(z.object({ type: z.string(), events: z.array(eventSchema) })).nullish(),
        versions: z.array(z.string()).nullish(),
      }),
    )
    .nullish(),
});

type OsvRecord = z.infer<typeof recordSchema>;

/** Language ecosystems by OSV's names. */
const LANGUAGE_ECOSYSTEMS: Record<string, Ecosystem> = {
  PyPI: "pypi",
  npm: "npm",
  Go: "go",
  Maven: "maven",
  RubyGems: "gem",
};

/** Distribution ecosystems (`Name:release[:…]`): package format and os-release ID. */
const DISTRIBUTION_ECOSYSTEMS: Record<string, { ecosystem: Ecosystem; id: string }> = {
  Debian: { ecosystem: "dpkg", id: "debian" },
  Ubuntu: { ecosystem: "dpkg", id: "ubuntu" },
  Alpine: { ecosystem: "apk", id: "alpine" },
  "Rocky Linux": { ecosystem: "rpm", id: "rocky" },
  AlmaLinux: { ecosystem: "rpm", id: "almalinux" },
  "Red Hat": { ecosystem: "rpm", id: "rhel" },
};

/** Where an OSV ecosystem string points, or undefined for ecosystems Quayside does not scan. */
export function osvEcosystem(name: string): { ecosystem: Ecosystem; distribution?: AdvisoryDistribution } | undefined {
  const language = LANGUAGE_ECOSYSTEMS[name];
  if (language) return { ecosystem: language };
  const [base, ...rest] = name.split(":");
  const known = DISTRIBUTION_ECOSYSTEMS[base!];
  // The release is the first part that is a version (Ubuntu:Pro:18.04:LTS, Alpine:v3.18, Red Hat:enterprise_linux:9::appstream).
  const release = rest.map((part) => part.replace(/^v(?=\d)/, "")).find((part) => /^\d+(\.\d+)*$/.test(part));
  if (!known || !release) return undefined;
  return { ecosystem: known.ecosystem, distribution: { id: known.id, release } };
}

function link(record: OsvRecord): string {
  const references = record.references ?? [];
  const preferred = references.find((ref) => ref.type === "ADVISORY") ?? references.find((ref) => ref.type === "WEB");
  return preferred?.url ?? `https://osv.dev/vulnerability/${encodeURIComponent(record.id)}`;
}

/** One OSV record (already parsed JSON) into advisories. */
export function parseOsvRecord(json: unknown): ParsedAdvisories {
  const parsed = recordSchema.safeParse(json);
  if (!parsed.success) {
    const id = typeof json === "object" && json !== null && "id" in json ? String(json.id) : "(no id)";
    return { advisories: [], skipped: [{ id, reason: `not an OSV record: ${parsed.error.issues[0]?.message ?? "invalid"}` }] };
  }
  const record = parsed.data;
  if (record.withdrawn) return { advisories: [], skipped: [{ id: record.id, reason: "withdrawn" }] };
  const result: ParsedAdvisories = { advisories: [], skipped: [] };
  for (const affected of record.affected ?? []) {
    const where = affected.package && osvEcosystem(affected.package.ecosystem);
    if (!affected.package || !where) {
      result.skipped.push({ id: record.id, reason: `ecosystem not scanned: ${affected.package?.ecosystem ?? "(none)"}` });
      continue;
    }
    const ranges: VersionRange[] = (affected.ranges ?? []).flatMap((range) =>
      range.type === "ECOSYSTEM" || range.type === "SEMVER" ? [{ type: range.type, events: range.events }] : [],
    );
    const versions = affected.versions ?? [];
    if (ranges.length === 0 && versions.length === 0) {
      result.skipped.push({ id: record.id, reason: `no ECOSYSTEM or SEMVER range for ${affected.package.name}` });
      continue;
    }
    const advisory: Advisory = {
      source: "osv",
      id: record.id,
      aliases: record.aliases ?? [],
      summary: record.summary,
      description: record.details,
      link: link(record),
      severity: severityFromOsv(affected.severity ?? record.severity ?? []),
      package: { name: affected.package.name, ...where },
      ranges,
      versions,
      modified: record.modified,
    };
    result.advisories.push(advisory);
  }
  return result;
}

function merge(into: ParsedAdvisories, from: ParsedAdvisories): void {
  into.advisories.push(...from.advisories);
  into.skipped.push(...from.skipped);
}

/** An OSV JSON file: one record, or an array of records. */
export function parseOsvJson(text: string): ParsedAdvisories {
  // Records are checked one by one, so one bad record costs only itself.
  const json = readJson(text, z.union([z.array(z.unknown()), z.record(z.string(), z.unknown())]), "OSV JSON");
  const result: ParsedAdvisories = { advisories: [], skipped: [] };
  for (const record of Array.isArray(json) ? json : [json]) merge(result, parseOsvRecord(record));
  return result;
}

/** A single OSV record is a few kilobytes; one past this is not a record worth reading. */
const MAX_RECORD_BYTES = 8 * 1024 * 1024;

/** A zip of OSV JSON files; other entries are ignored, unreadable ones reported. */
export function parseOsvZip(zip: Uint8Array): ParsedAdvisories {
  const result: ParsedAdvisories = { advisories: [], skipped: [] };
  const decoder = new TextDecoder();
  for (const entry of zipEntries(zip)) {
    if (!entry.name.endsWith(".json")) continue;
    const bytes = readZipEntry(zip, entry, MAX_RECORD_BYTES);
    if (!bytes) {
      result.skipped.push({ id: entry.name, reason: "too large or not readable" });
      continue;
    }
    try {
      merge(result, parseOsvJson(decoder.decode(bytes)));
    } catch (error) {
      if (!(error instanceof AdvisoryFormatError)) throw error;
      result.skipped.push({ id: entry.name, reason: error.message });
    }
  }
  return result;
}

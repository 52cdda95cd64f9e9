// Severities normalized exactly as Quay documents for Clair: each vulnerability source's own words
// (or a CVSS score) become one of Unknown, Negligible, Low, Medium, High, Critical. Words are
// matched without regard to case; anything not in a source's table is Unknown.
import type { Severity } from "../notifications/catalog.ts";
import { cvss2BaseScore, cvss3BaseScore } from "./cvss.ts";

export type SeveritySource = "alpine" | "aws" | "debian" | "oracle" | "rhel" | "suse" | "ubuntu";

const RHEL_AND_SUSE: Record<string, Severity> = {
  none: "Unknown",
  low: "Low",
  moderate: "Medium",
  important: "High",
  critical: "Critical",
};

const TABLES: Record<SeveritySource, Record<string, Severity>> = {
  // Alpine's secdb carries no severities.
  alpine: {},
  aws: { low: "Low", medium: "Medium", important: "High", critical: "Critical" },
  // Debian's urgencies sit one step below the normalized names.
  debian: { unimportant: "Low", low: "Medium", medium: "High", high: "Critical" },
  oracle: { "n/a": "Unknown", low: "Low", moderate: "Medium", important: "High", critical: "Critical" },
  rhel: RHEL_AND_SUSE,
  suse: RHEL_AND_SUSE,
  ubuntu: {
    untriaged: "Unknown",
    negligible: "Negligible",
    low: "Low",
    medium: "Medium",
    high: "High",
    critical: "Critical",
  },
};

export function normalizeSeverity(source: SeveritySource, value: string | undefined): Severity {
  return TABLES[source][value?.trim().toLowerCase() ?? ""] ?? "Unknown";
}

/** CVSS v3 base score bands: 0.0 Negligible, 0.1–3.9 Low, 4.0–6.9 Medium, 7.0–8.9 High, 9.0–10.0 Critical. */
export function severityFromCvss3Score(score: number): Severity {
  if (!(score >= 0 && score <= 10)) return "Unknown";
  if (score === 0) return "Negligible";
  if (score < 4) return "Low";
  if (score < 7) return "Medium";
  if (score < 9) return "High";
  return "Critical";
}

/** CVSS v2 base score bands: 0–3.9 Low, 4.0–6.9 Medium, 7.0–10.0 High. */
export function severityFromCvss2Score(score: number): Severity {
  if (!(score >= 0 && score <= 10)) return "Unknown";
  if (score < 4) return "Low";
  if (score < 7) return "Medium";
  return "High";
}

/** A CVSS score given either as a number or as a vector string to compute the base score from. */
function cvssScore(value: string, fromVector: (vector: string) => number | undefined): number | undefined {
  const text = value.trim();
  return /^\d+(\.\d+)?$/.test(text) ? Number(text) : fromVector(text);
}

/** One entry of an OSV record's `severity` list. */
export interface OsvSeverity {
  type: string;
  score: string;
}

/**
 * An OSV record's severity: by its CVSS v3 score when it has one, else by its CVSS v2 score,
 * else by an Ubuntu priority (OSV's `Ubuntu` type), else Unknown.
 */
export function severityFromOsv(severities: readonly OsvSeverity[]): Severity {
  const find = (type: string): string | undefined => severities.find((entry) => entry.type === type)?.score;
  const v3 = find("CVSS_V3");
  const v3Score = v3 === undefined ? undefined : cvssScore(v3, cvss3BaseScore);
  if (v3Score !== undefined) return severityFromCvss3Score(v3Score);
  const v2 = find("CVSS_V2");
  const v2Score = v2 === undefined ? undefined : cvssScore(v2, cvss2BaseScore);
  if (v2Score !== undefined) return severityFromCvss2Score(v2Score);
  const ubuntu = find("Ubuntu");
  return ubuntu === undefined ? "Unknown" : normalizeSeverity("ubuntu", ubuntu);
}

// Alpine's security database (secdb: https://secdb.alpinelinux.org/v3.18/main.json): per
// release and repository, each package's `secfixes` map a fixed version to the vulnerabilities it
// fixes. A version of "0" means Alpine's package was never affected, so it gives no advisory.
// Alpine publishes no severities (all Unknown, as Quay normalizes them).
import { z } from "zod";
import { normalizeSeverity } from "../severity.ts";
import { fixedInRange, readJson, type ParsedAdvisories } from "./advisory.ts";

const secdbSchema = z.object({
  distroversion: z.string().min(1),
  packages: z.array(
    z.object({
      pkg: z.object({
        name: z.string().min(1),
        secfixes: z.record(z.string(), z.array(z.string()).nullable()).nullish(),
      }),
    }),
  ),
});

const NEVER_AFFECTED = "0";

export function parseAlpineSecdb(text: string): ParsedAdvisories {
  const secdb = readJson(text, secdbSchema, "Alpine secdb JSON");
  const release = secdb.distroversion.replace(/^v/, "");
  const result: ParsedAdvisories = { advisories: [], skipped: [] };
  for (const { pkg } of secdb.packages) {
    for (const [fixed, entries] of Object.entries(pkg.secfixes ?? {})) {
      if (fixed === NEVER_AFFECTED) continue;
      for (const entry of entries ?? []) {
        // An entry may name the same vulnerability several ways ("CVE-2023-1234 GHSA-…").
        const [id, ...aliases] = entry.trim().split(/\s+/);
        if (!id) continue;
        result.advisories.push({
          source: "alpine-secdb",
          id,
          aliases,
          link: `https://security.alpinelinux.org/vuln/${encodeURIComponent(id)}`,
          severity: normalizeSeverity("alpine", undefined),
          package: { name: pkg.name, ecosystem: "apk", distribution: { id: "alpine", release } },
          ranges: [fixedInRange(fixed)],
          versions: [],
        });
      }
    }
  }
  return result;
}

// `GET /api/v1/repository/{repo}/tagdiff?from=<tag>&to=<tag>` (beyond Quay): what changed from one
// tag's image to another's, from their scans — packages added, removed and changed, and
// vulnerabilities fixed and introduced. `complete` is false (and the lists empty) until both
// images are scanned; each side's `scan_status` says which is waiting. Unknown tags are 404.
import type { RepoRef } from "../domain/names.ts";
import { type DiffPackage, type DiffSide, type DiffVulnerability, tagDiff } from "../domain/scanning/tag-diff.ts";
import { authorizeExistingRepository } from "./auth.ts";
import { invalidRequest } from "./errors.ts";
import type { ApiRequest } from "./request.ts";

const side = (s: DiffSide) => ({ tag: s.tag, manifest_digest: s.digest, scan_status: s.status });
const pkg = (p: DiffPackage) => ({ name: p.name, ecosystem: p.ecosystem, versions: p.versions });
const vulnerability = (v: DiffVulnerability) => ({
  id: v.id,
  severity: v.severity,
  link: v.link,
  package: v.packageName,
  ecosystem: v.ecosystem,
  package_version: v.packageVersion,
  fixed_by: v.fixedBy,
});

export async function tagDiffHandler(r: ApiRequest, ref: RepoRef): Promise<Response> {
  const from = r.c.req.query("from") ?? "";
  const to = r.c.req.query("to") ?? "";
  if (!from || !to) throw invalidRequest("Name two tags: from and to");
  const { repo } = await authorizeExistingRepository(r.deps, r.caller, ref, "read");
  const diff = await tagDiff(r.deps, repo, from, to);
  return r.c.json({
    from: side(diff.from),
    to: side(diff.to),
    complete: diff.complete,
    packages: {
      added: diff.packages.added.map(pkg),
      removed: diff.packages.removed.map(pkg),
      changed: diff.packages.changed.map((c) => ({ name: c.name, ecosystem: c.ecosystem, from_versions: c.from, to_versions: c.to })),
    },
    vulnerabilities: { fixed: diff.vulnerabilities.fixed.map(vulnerability), introduced: diff.vulnerabilities.introduced.map(vulnerability) },
  });
}

export const TAG_DIFF_ROUTES = [{ pattern: /^(.+)\/tagdiff$/, methods: { GET: tagDiffHandler } }];

// Quay's security scan API in the shape Quay gives Clair's reports:
// `GET /repository/{repo}/manifest/{digest}/security` and the legacy
// `GET /repository/{repo}/image/{image_id}/security` that older scripts call. `status` is
// scanned | queued | failed | unsupported and `data` is null unless scanned. As Quay with Clair v4,
// vulnerabilities are always included (the `vulnerabilities` parameter is accepted and ignored).
// With the scanner switched off both answer 404, as Quay's FEATURE_SECURITY_SCANNER does.
import type { RepoRef } from "../domain/names.ts";
import { getLegacyImage } from "../domain/content/legacy-images.ts";
import { findManifest } from "../domain/content/manifests.ts";
import { type FoundVulnerability, type ReportFeature, reportFeatures, scanState } from "../domain/scanning/reports.ts";
import { authorizeExistingRepository } from "./auth.ts";
import { notFound } from "./errors.ts";
import type { ApiRequest } from "./request.ts";

const CVE = /CVE-\d{4}-\d{4,7}/g;

/** The CVE ids an advisory names (its id, aliases and link), sorted, each once. */
function cveIds(v: FoundVulnerability): string[] {
  return [v.id, ...v.aliases, v.link].flatMap((text) => text.match(CVE) ?? []);
}

function vulnerabilityItem(v: FoundVulnerability) {
  return {
    Severity: v.severity,
    NamespaceName: v.source,
    Link: v.link,
    FixedBy: v.fixedBy,
    Description: v.description || v.summary,
    Name: v.id,
    Metadata: {
      UpdatedBy: v.source,
      RepoName: null,
      RepoLink: null,
      DistroName: v.distroId || null,
      DistroVersion: v.distroRelease || null,
      // No CVSS enrichment is kept; Quay gives these empty without one.
      NVD: { CVSSv3: { Vectors: "", Score: "" } },
    },
  };
}

function featureItem(f: ReportFeature) {
  return {
    Name: f.name,
    VersionFormat: "",
    NamespaceName: "",
    AddedBy: f.layerDigest,
    Version: f.version,
    BaseScores: [],
    CVEIds: [...new Set(f.vulnerabilities.flatMap(cveIds))].sort(),
    Vulnerabilities: f.vulnerabilities.map(vulnerabilityItem),
  };
}

/** Quay's `{status, data}` for a manifest's scan; `name`/`parent` name the Layer (a digest, or legacy image ids). */
async function securityInfo(r: ApiRequest, digest: string, layer: { name: string; parent: string; maxLayerIndex?: number }) {
  const state = await scanState(r.deps.db, digest);
  if (state.status !== "scanned") return r.c.json({ status: state.status, data: null });
  const features = await reportFeatures(r.deps.db, digest, layer.maxLayerIndex);
  return r.c.json({
    status: "scanned",
    data: {
      Layer: { Name: layer.name, ParentName: layer.parent, NamespaceName: "", IndexedByVersion: 4, Features: features.map(featureItem) },
    },
  });
}

function requireScanner(r: ApiRequest): void {
  if (!r.deps.config.features.securityScanner) throw notFound();
}

export async function manifestSecurityHandler(r: ApiRequest, ref: RepoRef, [digest]: string[]): Promise<Response> {
  requireScanner(r);
  const { repo } = await authorizeExistingRepository(r.deps, r.caller, ref, "read");
  const manifest = await findManifest(r.deps.db, repo.id, { digest: digest! }, r.deps.clock.now());
  if (!manifest) throw notFound();
  return securityInfo(r, manifest.digest, { name: manifest.digest, parent: "" });
}

/** A legacy image's scan: its manifest's packages from the layers up to the image's own. */
export async function imageSecurityHandler(r: ApiRequest, ref: RepoRef, [id]: string[]): Promise<Response> {
  requireScanner(r);
  const { repo } = await authorizeExistingRepository(r.deps, r.caller, ref, "read");
  const found = await getLegacyImage(r.deps, repo.id, id!);
  if (!found) throw notFound();
  return securityInfo(r, found.manifestDigest, { name: found.image.id, parent: found.ancestors[0]?.id ?? "", maxLayerIndex: found.topLayerIndex });
}

// A scanned manifest's SBOM (beyond Quay): `GET …/manifest/{digest}/sbom?format=spdx|cyclonedx`
// answers the SPDX 2.3 or CycloneDX 1.5 JSON document as a download; `POST` the same path
// (repo:write) pushes it into the repository as an OCI referrer artifact of the manifest and
// answers its digest. Until the manifest's scan has finished both answer 400 saying its state.
import type { RepoRef } from "../domain/names.ts";
import { DIGEST } from "./manifests.ts";
import { attachSbom } from "../domain/scanning/sbom-referrer.ts";
import { isSbomFormat, manifestSbom, SBOM_FORMATS, type SbomFormat } from "../domain/scanning/sbom.ts";
import { sbomRequest } from "../sbom-request.ts";
import { authorizeExistingRepository } from "./auth.ts";
import { invalidRequest } from "./errors.ts";
import type { ApiRequest } from "./request.ts";

function formatOf(r: ApiRequest): SbomFormat {
  const format = r.c.req.query("format") ?? "spdx";
  if (!isSbomFormat(format)) throw invalidRequest(`Unknown SBOM format ${format}: use ${Object.keys(SBOM_FORMATS).join(" or ")}`);
  return format;
}

export async function getSbomHandler(r: ApiRequest, ref: RepoRef, [digest]: string[]): Promise<Response> {
  const format = formatOf(r);
  const { repo } = await authorizeExistingRepository(r.deps, r.caller, ref, "read");
  const { sbom } = await manifestSbom(r.deps.db, sbomRequest(r.deps, r.c, repo, digest!, format));
  return new Response(sbom.bytes, {
    headers: { "Content-Type": sbom.mediaType, "Content-Disposition": `attachment; filename="${sbom.filename}"` },
  });
}

export async function attachSbomHandler(r: ApiRequest, ref: RepoRef, [digest]: string[]): Promise<Response> {
  const format = formatOf(r);
  const { repo } = await authorizeExistingRepository(r.deps, r.caller, ref, "write");
  const { sbom, subject } = await manifestSbom(r.deps.db, sbomRequest(r.deps, r.c, repo, digest!, format));
  const artifact = await attachSbom(r.deps, r.actor, repo, sbom, subject);
  return r.c.json({ digest: artifact, artifact_type: sbom.mediaType, subject: subject.digest }, 201);
}

export const SBOM_ROUTES = [
  { pattern: new RegExp(`^(.+)/manifest/(${DIGEST})/sbom$`), methods: { GET: getSbomHandler, POST: attachSbomHandler } },
];

// An SBOM pushed back into the repository as an OCI artifact whose subject is the manifest it
// describes (OCI image spec 1.1: artifactType = the SBOM's media type, the empty config, the
// document as its one layer), so the referrers API and any OCI client find it. Pushed by digest
// through the same path as a client's push (checks, audit log, caches); the same scan gives the
// same bytes, so attaching twice stores one artifact.
import { createHash } from "node:crypto";
import type { Actor } from "../access/principal.ts";
import { findBlobInRepo } from "../content/blobs.ts";
import { pushManifest, type StoredManifest } from "../content/manifests.ts";
import { uploadWhole } from "../content/uploads.ts";
import type { Repository } from "../repositories/repositories.ts";
import type { Services } from "../services.ts";
import type { RenderedSbom } from "./sbom.ts";

const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
/** The OCI empty descriptor's content, `{}`. */
const EMPTY_CONFIG = new TextEncoder().encode("{}");

const sha256 = (bytes: Uint8Array) => `sha256:${createHash("sha256").update(bytes).digest("hex")}`;

async function storeBlob(svc: Services, repo: Repository, bytes: Uint8Array): Promise<string> {
  const digest = sha256(bytes);
  if (!(await findBlobInRepo(svc.db, repo.id, digest))) {
    await uploadWhole(svc, repo.id, digest, (async function* () {
      yield bytes;
    })());
  }
  return digest;
}

/** The artifact manifest for `sbom` about `subject` (bytes as pushed). */
export function sbomArtifactManifest(sbom: RenderedSbom, sbomDigest: string, subject: StoredManifest): Uint8Array {
  const manifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    artifactType: sbom.mediaType,
    config: { mediaType: "application/vnd.oci.empty.v1+json", digest: sha256(EMPTY_CONFIG), size: EMPTY_CONFIG.byteLength, data: "e30=" },
    layers: [
      {
        mediaType: sbom.mediaType,
        digest: sbomDigest,
        size: sbom.bytes.byteLength,
        annotations: { "org.opencontainers.image.title": sbom.filename },
      },
    ],
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.raw.byteLength },
  };
  return new TextEncoder().encode(JSON.stringify(manifest));
}

/** Stores the SBOM and its artifact manifest in the repository; the artifact's digest. */
export async function attachSbom(svc: Services, actor: Actor, repo: Repository, sbom: RenderedSbom, subject: StoredManifest): Promise<string> {
  await storeBlob(svc, repo, EMPTY_CONFIG);
  const sbomDigest = await storeBlob(svc, repo, sbom.bytes);
  const bytes = sbomArtifactManifest(sbom, sbomDigest, subject);
  const pushed = await pushManifest(svc, actor, repo, sha256(bytes), bytes, OCI_MANIFEST);
  return pushed.digest;
}

// Software bills of materials of a scanned manifest: SPDX 2.3 JSON and CycloneDX 1.5 JSON, built
// from the packages the scan stored (no layer is read again), each package with its purl and the
// layer that brought it. A document depends only on the manifest and its scan, so the same scan
// always gives the same bytes (pushing it twice as a referrer stores one artifact).
import { createHash } from "node:crypto";
import { sql } from "drizzle-orm";
import type { DbOrTx } from "../../../db/client.ts";
import { findManifest, type StoredManifest } from "../content/manifests.ts";
import { DomainError } from "../errors.ts";
import { repoPath } from "../names.ts";
import type { Repository } from "../repositories/repositories.ts";
import type { Distribution } from "./package-types.ts";
import { imageUrl, packageUrl, type PurlPackage } from "./purl.ts";

export type SbomFormat = "spdx" | "cyclonedx";

export const SBOM_FORMATS: Record<SbomFormat, { mediaType: string; extension: string; label: string }> = {
  spdx: { mediaType: "application/spdx+json", extension: "spdx.json", label: "SPDX 2.3" },
  cyclonedx: { mediaType: "application/vnd.cyclonedx+json", extension: "cdx.json", label: "CycloneDX 1.5" },
};

export const isSbomFormat = (value: string): value is SbomFormat => value in SBOM_FORMATS;

export interface SbomPackage extends PurlPackage {
  /** Where the package's record is in the image (several when copies are installed). */
  paths: string[];
  /** The lowest layer holding it, base first. */
  layerIndex: number;
  layerDigest: string;
}

export interface SbomInput {
  /** `host/namespace/name`, as pulled. */
  repository: string;
  digest: string;
  scannedAt: Date;
  distribution: Distribution | null;
  packages: SbomPackage[];
  toolVersion: string;
  /** Where SPDX document namespaces live (the server's public URL). */
  baseUrl: string;
}

/** SPDX and CycloneDX want whole seconds in UTC. */
const timestamp = (d: Date) => `${d.toISOString().slice(0, 19)}Z`;

/** A UUID-shaped name derived from what the document describes (stable for one scan). */
function stableUuid(...parts: string[]): string {
  const h = createHash("sha256").update(parts.join("\0")).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

const digestParts = (digest: string) => {
  const [algorithm = "", hex = ""] = digest.split(":");
  return { algorithm: algorithm.toUpperCase(), hex };
};

const locationText = (p: SbomPackage) => `layer ${p.layerIndex + 1} (${p.layerDigest}) at ${p.paths.map((path) => `/${path}`).join(", ")}`;

export function spdxDocument(input: SbomInput): Record<string, unknown> {
  const image = "SPDXRef-Image";
  const os = input.distribution ? "SPDXRef-OperatingSystem" : null;
  const { algorithm, hex } = digestParts(input.digest);
  const packages: Record<string, unknown>[] = [
    {
      SPDXID: image,
      name: input.repository,
      versionInfo: input.digest,
      downloadLocation: "NOASSERTION",
      filesAnalyzed: false,
      primaryPackagePurpose: "CONTAINER",
      ...(algorithm === "SHA256" || algorithm === "SHA512" ? { checksums: [{ algorithm, checksumValue: hex }] } : {}),
      externalRefs: [{ referenceCategory: "PACKAGE-MANAGER", referenceType: "purl", referenceLocator: imageUrl(input.repository, input.digest) }],
    },
  ];
  if (input.distribution && os) {
    packages.push({
      SPDXID: os,
      name: input.distribution.id,
      versionInfo: input.distribution.versionId,
      downloadLocation: "NOASSERTION",
      filesAnalyzed: false,
      // The SPDX 2.3 JSON schema's spelling (the specification's prose has OPERATING-SYSTEM, which that schema refuses).
      primaryPackagePurpose: "OPERATING_SYSTEM",
      ...(input.distribution.prettyName ? { description: input.distribution.prettyName } : {}),
    });
  }
  input.packages.forEach((p, i) => {
    packages.push({
      SPDXID: `SPDXRef-Package-${i + 1}`,
      name: p.name,
      versionInfo: p.version,
      downloadLocation: "NOASSERTION",
      filesAnalyzed: false,
      licenseConcluded: "NOASSERTION",
      licenseDeclared: "NOASSERTION",
      copyrightText: "NOASSERTION",
      sourceInfo: `Found in ${locationText(p)}`,
      externalRefs: [{ referenceCategory: "PACKAGE-MANAGER", referenceType: "purl", referenceLocator: packageUrl(p) }],
    });
  });
  const contains = (id: string) => ({ spdxElementId: image, relationshipType: "CONTAINS", relatedSpdxElement: id });
  return {
    spdxVersion: "SPDX-2.3",
    dataLicense: "CC0-1.0",
    SPDXID: "SPDXRef-DOCUMENT",
    name: `${input.repository}@${input.digest}`,
    documentNamespace: `${input.baseUrl}/spdx/${input.repository}/${input.digest}-${stableUuid("spdx", input.digest, timestamp(input.scannedAt))}`,
    creationInfo: { created: timestamp(input.scannedAt), creators: [`Tool: quayside-${input.toolVersion}`] },
    documentDescribes: [image],
    packages,
    relationships: [
      { spdxElementId: "SPDXRef-DOCUMENT", relationshipType: "DESCRIBES", relatedSpdxElement: image },
      ...(os ? [contains(os)] : []),
      ...input.packages.map((_, i) => contains(`SPDXRef-Package-${i + 1}`)),
    ],
  };
}

export function cycloneDxDocument(input: SbomInput): Record<string, unknown> {
  const imageRef = imageUrl(input.repository, input.digest);
  const { algorithm, hex } = digestParts(input.digest);
  const cdxAlgorithm = { SHA256: "SHA-256", SHA512: "SHA-512" }[algorithm];
  const refs = new Set<string>();
  /** bom-refs are unique: a purl twice (names that normalize alike) gets a suffix. */
  const uniqueRef = (ref: string) => {
    let candidate = ref;
    for (let n = 2; refs.has(candidate); n++) candidate = `${ref}#${n}`;
    refs.add(candidate);
    return candidate;
  };
  const components: Record<string, unknown>[] = [];
  if (input.distribution) {
    components.push({
      type: "operating-system",
      "bom-ref": uniqueRef(`os:${input.distribution.id}@${input.distribution.versionId}`),
      name: input.distribution.id,
      version: input.distribution.versionId,
      ...(input.distribution.prettyName ? { description: input.distribution.prettyName } : {}),
    });
  }
  for (const p of input.packages) {
    const purl = packageUrl(p);
    components.push({
      type: "library",
      "bom-ref": uniqueRef(purl),
      name: p.name,
      version: p.version,
      purl,
      properties: [
        { name: "quayside:package:ecosystem", value: p.ecosystem },
        { name: "quayside:layer:index", value: String(p.layerIndex) },
        { name: "quayside:layer:digest", value: p.layerDigest },
        ...p.paths.map((path) => ({ name: "quayside:package:path", value: `/${path}` })),
        ...(p.sourceName ? [{ name: "quayside:package:source", value: p.sourceVersion ? `${p.sourceName} ${p.sourceVersion}` : p.sourceName }] : []),
      ],
    });
  }
  return {
    bomFormat: "CycloneDX",
    specVersion: "1.5",
    serialNumber: `urn:uuid:${stableUuid("cyclonedx", input.digest, timestamp(input.scannedAt))}`,
    version: 1,
    metadata: {
      timestamp: timestamp(input.scannedAt),
      tools: { components: [{ type: "application", name: "quayside", version: input.toolVersion }] },
      component: {
        type: "container",
        "bom-ref": imageRef,
        name: input.repository,
        version: input.digest,
        purl: imageRef,
        ...(cdxAlgorithm ? { hashes: [{ alg: cdxAlgorithm, content: hex }] } : {}),
      },
    },
    components,
    dependencies: [{ ref: imageRef, dependsOn: components.map((c) => c["bom-ref"] as string) }],
  };
}

export interface RenderedSbom {
  format: SbomFormat;
  mediaType: string;
  /** A file name for downloads: `<name>_<hex prefix>.spdx.json`. */
  filename: string;
  bytes: Uint8Array<ArrayBuffer>;
}

export function renderSbom(format: SbomFormat, input: SbomInput): RenderedSbom {
  const document = format === "spdx" ? spdxDocument(input) : cycloneDxDocument(input);
  const base = input.repository.slice(input.repository.lastIndexOf("/") + 1).replace(/[^A-Za-z0-9._-]/g, "_");
  return {
    format,
    mediaType: SBOM_FORMATS[format].mediaType,
    filename: `${base}_${digestParts(input.digest).hex.slice(0, 12)}.${SBOM_FORMATS[format].extension}`,
    bytes: new TextEncoder().encode(`${JSON.stringify(document, null, 2)}\n`),
  };
}

/** A scanned manifest's packages, each once, with every path that holds it and its lowest layer; by ecosystem, name and version. */
export async function sbomPackages(db: DbOrTx, digest: string): Promise<SbomPackage[]> {
  const rows = await db.execute<{
    ecosystem: string;
    name: string;
    version: string;
    arch: string;
    source_name: string;
    source_version: string;
    distro_id: string;
    distro_version_id: string;
    paths: string[];
    layer_index: number;
    layer_digest: string;
  }>(sql`
    select sp.ecosystem, sp.name, sp.version, sp.arch, sp.source_name, sp.source_version, sp.distro_id, sp.distro_version_id,
      array_agg(distinct mp.path order by mp.path) as paths, min(mp.layer_index) as layer_index,
      (array_agg(mp.layer_digest order by mp.layer_index))[1] as layer_digest
    from manifest_packages mp
    join scanned_packages sp on sp.id = mp.package_id
    where mp.manifest_digest = ${digest}
    group by sp.id
    order by sp.ecosystem, sp.name, sp.version, sp.id`);
  return rows.map((r) => ({
    ecosystem: r.ecosystem,
    name: r.name,
    version: r.version,
    arch: r.arch,
    sourceName: r.source_name,
    sourceVersion: r.source_version,
    distroId: r.distro_id,
    distroVersionId: r.distro_version_id,
    paths: r.paths,
    layerIndex: r.layer_index,
    layerDigest: r.layer_digest,
  }));
}

export interface SbomRequest {
  repo: Repository;
  digest: string;
  format: SbomFormat;
  /** The registry's host as clients pull from it, for names and purls. */
  registryHost: string;
  baseUrl: string;
  toolVersion: string;
  now: Date;
}

/**
 * The SBOM of a live manifest of the repository. Refused (CONFLICT) until its scan has finished,
 * and for what the scanner does not read (an index: ask for one of its platforms).
 */
export async function manifestSbom(db: DbOrTx, req: SbomRequest): Promise<{ sbom: RenderedSbom; subject: StoredManifest }> {
  const manifest = await findManifest(db, req.repo.id, { digest: req.digest }, req.now);
  if (!manifest) throw new DomainError("MANIFEST_UNKNOWN", "manifest unknown to registry", { digest: req.digest });
  const [scan] = await db.execute<{ status: string; scanned_at: Date | string | null; distribution: Distribution | null }>(
    sql`select status, scanned_at, distribution from manifest_scans where digest = ${req.digest}`,
  );
  if (scan?.status !== "scanned" || !scan.scanned_at) {
    const status = scan?.status ?? "queued";
    const why = status === "unsupported" ? "the scanner does not read this kind of manifest" : `its scan is ${status}`;
    throw new DomainError("CONFLICT", `No SBOM for ${req.digest}: ${why}`);
  }
  const sbom = renderSbom(req.format, {
    repository: `${req.registryHost}/${repoPath(req.repo)}`,
    digest: req.digest,
    scannedAt: new Date(scan.scanned_at),
    distribution: scan.distribution,
    packages: await sbomPackages(db, req.digest),
    toolVersion: req.toolVersion,
    baseUrl: req.baseUrl,
  });
  return { sbom, subject: manifest };
}

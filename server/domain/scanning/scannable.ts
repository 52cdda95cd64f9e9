// Which pushed manifests the scanner reads. As Quay does with Clair: an image's layers are
// indexed; an index (manifest list) is not itself, its platform images are, each under its own
// digest; anything else — an artifact (Helm chart, signature, SBOM), a schema 1 manifest, an
// image without layers or with foreign (non-distributable) layers — is "unsupported".
import { MEDIA_TYPES, type Descriptor, type ParsedManifest } from "../content/manifest-formats.ts";

export type ScanSubject =
  | { kind: "image"; layers: Descriptor[] }
  | { kind: "index"; children: Descriptor[] }
  | { kind: "unsupported"; reason: string };

const IMAGE_CONFIG_TYPES = new Set(["application/vnd.oci.image.config.v1+json", "application/vnd.docker.container.image.v1+json"]);
const SCHEMA1 = new Set<string>([MEDIA_TYPES.dockerSchema1, MEDIA_TYPES.dockerSchema1Signed]);
/** OCI's `image.layer.v1.tar[+gzip|+zstd]` (and the nondistributable ones) and Docker's `rootfs.diff.tar[.gzip]`. */
const TAR_LAYER = /^application\/vnd\.(oci\.image\.layer\.(nondistributable\.)?v1\.tar|docker\.image\.rootfs\.(foreign\.)?diff\.tar)/;

export function scanSubject(manifest: ParsedManifest): ScanSubject {
  if (manifest.isIndex) return { kind: "index", children: manifest.children };
  if (SCHEMA1.has(manifest.mediaType)) return { kind: "unsupported", reason: "Docker schema 1 manifests are not scanned" };
  const configType = manifest.config?.mediaType;
  if (manifest.artifactType || !configType || !IMAGE_CONFIG_TYPES.has(configType)) {
    return { kind: "unsupported", reason: `not a container image (${manifest.artifactType ?? configType ?? "no config"})` };
  }
  if (manifest.allLayers.length === 0) return { kind: "unsupported", reason: "the image has no layers" };
  const other = manifest.allLayers.find((layer) => !TAR_LAYER.test(layer.mediaType));
  if (other) return { kind: "unsupported", reason: `a layer is not a filesystem archive (${other.mediaType})` };
  if (manifest.layers.length !== manifest.allLayers.length) {
    return { kind: "unsupported", reason: "the image has foreign layers this registry does not hold" };
  }
  return { kind: "image", layers: manifest.layers };
}

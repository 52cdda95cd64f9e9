import { describe, expect, it } from "vitest";
import { MEDIA_TYPES, type Descriptor, type ParsedManifest } from "../content/manifest-formats.ts";
import { scanSubject } from "./scannable.ts";

const layer = (mediaType: string, urls?: string[]): Descriptor => ({ mediaType, digest: `sha256:${"1".repeat(64)}`, size: 1, ...(urls ? { urls } : {}) });
const IMAGE_CONFIG = { mediaType: "application/vnd.oci.image.config.v1+json", digest: `sha256:${"2".repeat(64)}`, size: 2 };

function image(layers: Descriptor[], extra: Partial<ParsedManifest> = {}): ParsedManifest {
  const held = layers.filter((l) => !l.urls);
  return { mediaType: MEDIA_TYPES.ociManifest, digest: "sha256:x", isIndex: false, config: IMAGE_CONFIG, layers: held, allLayers: layers, children: [], sizesDeclared: true, ...extra };
}

describe("what the scanner reads", () => {
  it("reads images of OCI and Docker tar layers, compressed or not", () => {
    const layers = [
      layer("application/vnd.oci.image.layer.v1.tar"),
      layer("application/vnd.oci.image.layer.v1.tar+gzip"),
      layer("application/vnd.oci.image.layer.v1.tar+zstd"),
      layer("application/vnd.docker.image.rootfs.diff.tar.gzip"),
    ];
    expect(scanSubject(image(layers))).toEqual({ kind: "image", layers });
    const docker = image([layers[3]!], { mediaType: MEDIA_TYPES.dockerManifest, config: { ...IMAGE_CONFIG, mediaType: "application/vnd.docker.container.image.v1+json" } });
    expect(scanSubject(docker).kind).toBe("image");
  });

  it("leaves an index to its platform images", () => {
    const children = [{ mediaType: MEDIA_TYPES.ociManifest, digest: "sha256:c", size: 1 }];
    expect(scanSubject({ ...image([]), isIndex: true, config: undefined, children })).toEqual({ kind: "index", children });
  });

  it("calls artifacts, schema 1, layerless images and foreign layers unsupported, saying why", () => {
    const tar = layer("application/vnd.oci.image.layer.v1.tar");
    const reason = (m: ParsedManifest) => {
      const subject = scanSubject(m);
      return subject.kind === "unsupported" ? subject.reason : subject.kind;
    };
    expect(reason(image([tar], { artifactType: "application/vnd.dev.cosign.artifact.sig.v1+json" }))).toMatch(/not a container image \(application\/vnd.dev.cosign/);
    expect(reason(image([layer("application/vnd.cncf.helm.chart.content.v1.tar+gzip")], { config: { ...IMAGE_CONFIG, mediaType: "application/vnd.cncf.helm.config.v1+json" } }))).toMatch(/helm/);
    expect(reason(image([layer("application/octet-stream")]))).toBe("a layer is not a filesystem archive (application/octet-stream)");
    expect(reason(image([tar], { mediaType: MEDIA_TYPES.dockerSchema1Signed, config: undefined }))).toMatch(/schema 1/);
    expect(reason(image([]))).toBe("the image has no layers");
    expect(reason(image([layer("application/vnd.docker.image.rootfs.foreign.diff.tar.gzip", ["https://example.com/l"]), tar]))).toMatch(/foreign layers/);
  });
});

import { describe, expect, it } from "vitest";
import { artifactKind } from "./manifest-details.ts";

describe("artifactKind", () => {
  it("names artifacts by their artifact type (or config media type), images and indexes otherwise", () => {
    expect(artifactKind(false, null)).toBe("image");
    expect(artifactKind(false, "application/vnd.oci.image.config.v1+json")).toBe("image");
    expect(artifactKind(false, "application/vnd.docker.container.image.v1+json")).toBe("image");
    expect(artifactKind(true, null)).toBe("index");
    expect(artifactKind(false, "application/vnd.cncf.helm.config.v1+json")).toBe("helm-chart");
    expect(artifactKind(false, "application/vnd.dev.cosign.artifact.sig.v1+json")).toBe("signature");
    expect(artifactKind(false, "application/vnd.cncf.notary.signature")).toBe("signature");
    expect(artifactKind(false, "application/vnd.dev.sigstore.bundle.v0.3+json")).toBe("signature");
    expect(artifactKind(false, "application/spdx+json")).toBe("sbom");
    expect(artifactKind(false, "application/vnd.cyclonedx+json")).toBe("sbom");
    expect(artifactKind(false, "application/vnd.in-toto+json")).toBe("attestation");
    expect(artifactKind(false, "application/vnd.example.thing")).toBe("artifact");
  });
});

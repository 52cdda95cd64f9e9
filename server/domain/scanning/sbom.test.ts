import { describe, expect, it } from "vitest";
import { schemaErrors } from "./fixtures/sbom-schemas/validate.ts";
import { renderSbom, type SbomInput, type SbomPackage } from "./sbom.ts";

const LAYER0 = `sha256:${"a".repeat(64)}`;
const LAYER1 = `sha256:${"b".repeat(64)}`;
const DIGEST = `sha256:${"c".repeat(64)}`;

const pkg = (p: Partial<SbomPackage> & Pick<SbomPackage, "ecosystem" | "name" | "version">): SbomPackage => ({
  arch: "",
  sourceName: "",
  sourceVersion: "",
  distroId: "",
  distroVersionId: "",
  paths: ["var/lib/dpkg/status"],
  layerIndex: 0,
  layerDigest: LAYER0,
  ...p,
});

const input: SbomInput = {
  repository: "registry.test/alice/app",
  digest: DIGEST,
  scannedAt: new Date("2024-03-05T12:00:00.123Z"),
  distribution: { id: "debian", versionId: "12", versionCodename: "bookworm", prettyName: "Debian GNU/Linux 12 (bookworm)" },
  toolVersion: "0.1.0",
  baseUrl: "http://registry.test",
  packages: [
    pkg({ ecosystem: "dpkg", name: "libssl3", version: "3.0.11-1~deb12u2", arch: "amd64", sourceName: "openssl", sourceVersion: "3.0.11-1~deb12u2", distroId: "debian", distroVersionId: "12" }),
    pkg({ ecosystem: "pypi", name: "requests", version: "2.31.0", paths: ["usr/lib/python3/dist-packages/requests-2.31.0.dist-info/METADATA"], layerIndex: 1, layerDigest: LAYER1 }),
    pkg({ ecosystem: "npm", name: "@babel/core", version: "7.24.0", paths: ["app/node_modules/@babel/core/package.json", "srv/node_modules/@babel/core/package.json"], layerIndex: 1, layerDigest: LAYER1 }),
    pkg({ ecosystem: "go", name: "stdlib", version: "go1.21.5", paths: ["usr/bin/tool"], layerIndex: 1, layerDigest: LAYER1 }),
    pkg({ ecosystem: "maven", name: "org.apache.logging.log4j:log4j-core", version: "2.14.1", paths: ["app/app.jar"], layerIndex: 1, layerDigest: LAYER1 }),
    pkg({ ecosystem: "gem", name: "rack", version: "2.2.8", paths: ["usr/lib/ruby/gems/3.1.0/specifications/rack-2.2.8.gemspec"], layerIndex: 1, layerDigest: LAYER1 }),
    // Two pypi names that normalize to one purl: both kept, with distinct bom-refs.
    pkg({ ecosystem: "pypi", name: "Foo_Bar", version: "1.0", paths: ["a/METADATA"] }),
    pkg({ ecosystem: "pypi", name: "foo-bar", version: "1.0", paths: ["b/METADATA"] }),
  ],
};

const parse = (bytes: Uint8Array) => JSON.parse(new TextDecoder().decode(bytes)) as Record<string, any>;

describe("SPDX 2.3", () => {
  const sbom = renderSbom("spdx", input);
  const doc = parse(sbom.bytes);

  it("validates against the SPDX 2.3 schema", () => {
    expect(schemaErrors("spdx", doc)).toEqual([]);
  });

  it("describes the image, which contains its OS and every package with its purl and layer", () => {
    expect(sbom.mediaType).toBe("application/spdx+json");
    expect(sbom.filename).toBe("app_cccccccccccc.spdx.json");
    expect(doc.creationInfo).toEqual({ created: "2024-03-05T12:00:00Z", creators: ["Tool: quayside-0.1.0"] });
    expect(doc.documentNamespace).toMatch(/^http:\/\/registry\.test\/spdx\/registry\.test\/alice\/app\/sha256:c{64}-[0-9a-f-]{36}$/);
    const image = doc.packages[0];
    expect(image).toMatchObject({ SPDXID: "SPDXRef-Image", primaryPackagePurpose: "CONTAINER", checksums: [{ algorithm: "SHA256", checksumValue: "c".repeat(64) }] });
    expect(doc.packages[1]).toMatchObject({ name: "debian", versionInfo: "12", primaryPackagePurpose: "OPERATING_SYSTEM" });
    const purls = doc.packages.slice(2).map((p: any) => p.externalRefs[0].referenceLocator);
    expect(purls).toEqual([
      "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl",
      "pkg:pypi/requests@2.31.0",
      "pkg:npm/%40babel/core@7.24.0",
      "pkg:golang/stdlib@go1.21.5",
      "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
      "pkg:gem/rack@2.2.8",
      "pkg:pypi/foo-bar@1.0",
      "pkg:pypi/foo-bar@1.0",
    ]);
    expect(doc.packages[4].sourceInfo).toBe(`Found in layer 2 (${LAYER1}) at /app/node_modules/@babel/core/package.json, /srv/node_modules/@babel/core/package.json`);
    const contained = doc.relationships.filter((r: any) => r.relationshipType === "CONTAINS").map((r: any) => r.relatedSpdxElement);
    expect(contained).toEqual(["SPDXRef-OperatingSystem", ...input.packages.map((_, i) => `SPDXRef-Package-${i + 1}`)]);
  });

  it("is the same bytes for the same scan", () => {
    expect(renderSbom("spdx", input).bytes).toEqual(sbom.bytes);
  });

  it("is refused by the schema when a required field is missing (the check has teeth)", () => {
    const { downloadLocation: _, ...broken } = doc.packages[2];
    expect(schemaErrors("spdx", { ...doc, packages: [doc.packages[0], broken] })).not.toEqual([]);
    expect(schemaErrors("spdx", { ...doc, relationships: [{ spdxElementId: "SPDXRef-Image", relationshipType: "CONTAINS", relatedSpdxElement: "SPDXRef-Nowhere" }] })).toEqual([
      "relationship names unknown element SPDXRef-Nowhere",
    ]);
  });

  it("is refused where the official SPDX 2.3 schema refuses it", () => {
    const os = doc.packages[1];
    const withOs = (changes: Record<string, unknown>) => ({ ...doc, packages: doc.packages.map((p: object) => (p === os ? { ...os, ...changes } : p)) });
    expect(schemaErrors("spdx", withOs({ primaryPackagePurpose: "OPERATING-SYSTEM" }))).not.toEqual([]);
    expect(schemaErrors("spdx", withOs({ annotations: [{ annotationDate: "2024-03-05T12:00:00Z", annotationType: "OTHER", annotator: "Tool: x" }] }))).not.toEqual([]);
    expect(schemaErrors("spdx", { ...doc, files: [{ SPDXID: "SPDXRef-File", fileName: "./a", checksums: [] }] })).not.toEqual([]);
    expect(schemaErrors("spdx", withOs({ annotations: [{ annotationDate: "2024-03-05T12:00:00Z", annotationType: "OTHER", annotator: "Tool: x", comment: "ok" }] }))).toEqual([]);
  });
});

describe("CycloneDX 1.5", () => {
  const sbom = renderSbom("cyclonedx", input);
  const doc = parse(sbom.bytes);

  it("validates against the CycloneDX 1.5 schema", () => {
    expect(schemaErrors("cyclonedx", doc)).toEqual([]);
  });

  it("has the image as its subject and a component per package with purl, layer and paths", () => {
    expect(sbom.mediaType).toBe("application/vnd.cyclonedx+json");
    expect(doc.serialNumber).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(doc.metadata.component).toMatchObject({ type: "container", name: "registry.test/alice/app", version: DIGEST, hashes: [{ alg: "SHA-256", content: "c".repeat(64) }] });
    expect(doc.components[0]).toMatchObject({ type: "operating-system", name: "debian", version: "12" });
    const npm = doc.components.find((c: any) => c.name === "@babel/core");
    expect(npm.purl).toBe("pkg:npm/%40babel/core@7.24.0");
    expect(npm.properties).toEqual([
      { name: "quayside:package:ecosystem", value: "npm" },
      { name: "quayside:layer:index", value: "1" },
      { name: "quayside:layer:digest", value: LAYER1 },
      { name: "quayside:package:path", value: "/app/node_modules/@babel/core/package.json" },
      { name: "quayside:package:path", value: "/srv/node_modules/@babel/core/package.json" },
    ]);
    const refs = doc.components.map((c: any) => c["bom-ref"]);
    expect(new Set(refs).size).toBe(refs.length);
    expect(refs).toContain("pkg:pypi/foo-bar@1.0#2");
    expect(doc.dependencies).toEqual([{ ref: doc.metadata.component["bom-ref"], dependsOn: refs }]);
  });

  it("is refused by the schema when a component lacks its name (the check has teeth)", () => {
    const { name: _, ...broken } = doc.components[1];
    expect(schemaErrors("cyclonedx", { ...doc, components: [broken] })).not.toEqual([]);
  });

  it("validates for an image without a distribution or packages", () => {
    const empty = parse(renderSbom("cyclonedx", { ...input, distribution: null, packages: [] }).bytes);
    expect(schemaErrors("cyclonedx", empty)).toEqual([]);
    expect(schemaErrors("spdx", parse(renderSbom("spdx", { ...input, distribution: null, packages: [] }).bytes))).toEqual([]);
  });
});

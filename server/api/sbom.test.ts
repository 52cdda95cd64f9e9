import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiClient, problem, tokenClient } from "../../e2e/support/api-client.ts";
import { pushBuiltImage, pushLayeredImage } from "../../e2e/support/built-image.ts";
import { RegistryClient, sha256 } from "../../e2e/support/registry-client.ts";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";
import { schemaErrors } from "../domain/scanning/fixtures/sbom-schemas/validate.ts";
import { storeScan } from "../domain/scanning/fixtures/scan-rows.ts";
import { gzip, tar } from "../domain/scanning/fixtures/build-layer.ts";
import { indexManifest } from "../domain/scanning/indexing.ts";

let env: TestEnv;
let writer: ApiClient;
let reader: ApiClient;
let registry: RegistryClient;
let image: { digest: string; body: string; layers: string[] };
let unscanned: { digest: string };

const sbomPath = (digest: string, format?: string) => `/repository/alice/app/manifest/${digest}/sbom${format ? `?format=${format}` : ""}`;

beforeAll(async () => {
  env = await testEnv();
  const alice = await env.user("alice");
  writer = await tokenClient(env, alice, ["repo:write"]);
  reader = await tokenClient(env, alice, ["repo:read"]);
  registry = new RegistryClient(env, { username: "alice", password: "password-alice" });
  image = await pushBuiltImage(registry, "alice/app", "v1", {});
  unscanned = await pushBuiltImage(registry, "alice/app", "v2", { other: "config" });
  await storeScan(env.database.db, image.digest, {
    distribution: { id: "debian", versionId: "12", prettyName: "Debian GNU/Linux 12 (bookworm)" },
    packages: [
      { name: "openssl", version: "3.0.11-1~deb12u2", layerIndex: 0, layerDigest: image.layers[0]! },
      { name: "requests", version: "2.31.0", ecosystem: "pypi", layerIndex: 1, layerDigest: image.layers[1]!, paths: ["usr/lib/python3/dist-packages/requests-2.31.0.dist-info/METADATA"] },
      { name: "@babel/core", version: "7.24.0", ecosystem: "npm", layerIndex: 1, layerDigest: image.layers[1]!, paths: ["app/node_modules/@babel/core/package.json"] },
    ],
  });
  await storeScan(env.database.db, unscanned.digest, { status: "queued" });
});
afterAll(() => env.close());

describe("GET …/manifest/{digest}/sbom", () => {
  it("answers an SPDX 2.3 download that validates, listing the scan's packages with purls", async () => {
    const res = await reader.get<any>(sbomPath(image.digest, "spdx"));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/spdx+json");
    expect(res.headers.get("content-disposition")).toBe(`attachment; filename="app_${image.digest.slice(7, 19)}.spdx.json"`);
    expect(schemaErrors("spdx", res.body)).toEqual([]);
    expect(res.body.name).toBe(`registry.test/alice/app@${image.digest}`);
    expect(res.body.packages.map((p: any) => [p.name, p.versionInfo, p.externalRefs?.[0].referenceLocator ?? null])).toEqual([
      ["registry.test/alice/app", image.digest, `pkg:oci/app@${image.digest}?repository_url=registry.test/alice/app`],
      ["debian", "12", null],
      ["openssl", "3.0.11-1~deb12u2", "pkg:deb/debian/openssl@3.0.11-1~deb12u2?distro=debian-12"],
      ["@babel/core", "7.24.0", "pkg:npm/%40babel/core@7.24.0"],
      ["requests", "2.31.0", "pkg:pypi/requests@2.31.0"],
    ]);
  });

  it("answers CycloneDX 1.5 that validates", async () => {
    const res = await reader.get<any>(sbomPath(image.digest, "cyclonedx"));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/vnd.cyclonedx+json");
    expect(schemaErrors("cyclonedx", res.body)).toEqual([]);
    expect(res.body.components.map((c: any) => c.purl ?? c.type)).toEqual([
      "operating-system",
      "pkg:deb/debian/openssl@3.0.11-1~deb12u2?distro=debian-12",
      "pkg:npm/%40babel/core@7.24.0",
      "pkg:pypi/requests@2.31.0",
    ]);
  });

  it("refuses an unknown format, a manifest not scanned yet, and an unknown manifest", async () => {
    expect((await reader.get(sbomPath(image.digest, "swid"))).body).toEqual(problem(400, "invalid_request", "Unknown SBOM format swid: use spdx or cyclonedx"));
    expect((await reader.get(sbomPath(unscanned.digest))).body).toEqual(problem(400, "invalid_request", `No SBOM for ${unscanned.digest}: its scan is queued`));
    expect((await reader.get(sbomPath(`sha256:${"0".repeat(64)}`))).status).toBe(404);
  });
});

describe("POST …/manifest/{digest}/sbom", () => {
  it("pushes the SBOM as a referrer artifact of the manifest, listed by the referrers API", async () => {
    const res = await writer.post<{ digest: string; artifact_type: string; subject: string }>(sbomPath(image.digest, "cyclonedx"));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ artifact_type: "application/vnd.cyclonedx+json", subject: image.digest });

    const referrers = await registry.request(`/v2/alice/app/referrers/${image.digest}`);
    expect(referrers.status).toBe(200);
    const index = (await referrers.json()) as { manifests: { digest: string; artifactType: string }[] };
    expect(index.manifests).toEqual([expect.objectContaining({ digest: res.body.digest, artifactType: "application/vnd.cyclonedx+json" })]);

    // The artifact's one layer is the very document the GET answers.
    const manifest = (await (await registry.request(`/v2/alice/app/manifests/${res.body.digest}`, { headers: { accept: "application/vnd.oci.image.manifest.v1+json" } })).json()) as {
      layers: { digest: string }[];
      subject: { digest: string };
    };
    expect(manifest.subject.digest).toBe(image.digest);
    const blob = new Uint8Array(await (await registry.request(`/v2/alice/app/blobs/${manifest.layers[0]!.digest}`)).arrayBuffer());
    expect(sha256(blob)).toBe(manifest.layers[0]!.digest);
    const download = await env.app.request(`/api/v1${sbomPath(image.digest, "cyclonedx")}`, { headers: { authorization: `Bearer ${(reader.auth as { token: string }).token}` } });
    expect(new Uint8Array(await download.arrayBuffer())).toEqual(blob);
  });

  it("stores one artifact when attached twice (same scan, same bytes)", async () => {
    const first = await writer.post<{ digest: string }>(sbomPath(image.digest, "spdx"));
    const second = await writer.post<{ digest: string }>(sbomPath(image.digest, "spdx"));
    expect(second.body.digest).toBe(first.body.digest);
    const index = (await (await registry.request(`/v2/alice/app/referrers/${image.digest}?artifactType=application/spdx%2Bjson`)).json()) as { manifests: unknown[] };
    expect(index.manifests).toHaveLength(1);
  });

  it("needs write access", async () => {
    expect((await reader.post(sbomPath(image.digest, "spdx"))).status).toBe(403);
  });
});

describe("the SBOM of an image the scanner indexed", () => {
  it("lists what indexing found, each with its architecture, distribution and layer", async () => {
    const base = gzip(
      tar([
        { path: "etc/os-release", content: 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n' },
        {
          path: "var/lib/dpkg/status",
          content: "Package: libssl3\nStatus: install ok installed\nVersion: 3.0.11-1~deb12u2\nArchitecture: amd64\nSource: openssl\n",
        },
      ]),
    );
    const app = gzip(tar([{ path: "app/node_modules/left-pad/package.json", content: JSON.stringify({ name: "left-pad", version: "1.3.0" }) }]));
    const indexed = await pushLayeredImage(registry, "alice/app", "indexed", [base, app]);
    await indexManifest(env.deps, indexed.digest);

    const res = await reader.get<any>(sbomPath(indexed.digest, "cyclonedx"));
    expect(res.status).toBe(200);
    expect(schemaErrors("cyclonedx", res.body)).toEqual([]);
    const layerOf = (c: any) => c.properties.find((p: any) => p.name === "quayside:layer:digest").value;
    expect(res.body.components.map((c: any) => [c.type, c.purl ?? `${c.name} ${c.version}`, c.properties ? layerOf(c) : null])).toEqual([
      ["operating-system", "debian 12", null],
      ["library", "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl", indexed.layers[0]],
      ["library", "pkg:npm/left-pad@1.3.0", indexed.layers[1]],
    ]);
    expect(schemaErrors("spdx", (await reader.get(sbomPath(indexed.digest, "spdx"))).body)).toEqual([]);
  });
});

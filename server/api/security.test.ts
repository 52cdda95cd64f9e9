import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiClient, ApiClient as Client, problem, tokenClient } from "../../e2e/support/api-client.ts";
import { pushBuiltImage, pushIndex } from "../../e2e/support/built-image.ts";
import { RegistryClient } from "../../e2e/support/registry-client.ts";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";
import { storeScan } from "../domain/scanning/fixtures/scan-rows.ts";

let env: TestEnv;
let reader: ApiClient;
let image: { digest: string; layers: string[] };
let queued: { digest: string };
let failed: { digest: string };
let index: { digest: string };

const securityPath = (digest: string, repo = "alice/app") => `/repository/${repo}/manifest/${digest}/security?vulnerabilities=true`;

beforeAll(async () => {
  env = await testEnv();
  const alice = await env.user("alice");
  reader = await tokenClient(env, alice, ["repo:read"]);
  const writer = await tokenClient(env, alice, ["repo:write", "repo:create"]);
  expect((await writer.post("/repository", { repository: "open", visibility: "public", description: "" })).status).toBe(201);
  const registry = new RegistryClient(env, { username: "alice", password: "password-alice" });
  image = await pushBuiltImage(registry, "alice/app", "v1", {});
  queued = await pushBuiltImage(registry, "alice/app", "v2", { version: "2" });
  failed = await pushBuiltImage(registry, "alice/app", "v3", { version: "3" });
  index = await pushIndex(registry, "alice/app", "multi", [await pushBuiltImage(registry, "alice/app", "v4", { version: "4" })]);
  await pushBuiltImage(registry, "alice/open", "latest", { repository: "open" });
  await storeScan(env.deps.db, image.digest, {
    distribution: { id: "debian", versionId: "12" },
    packages: [
      {
        name: "openssl",
        version: "3.0.11-1~deb12u1",
        layerIndex: 0,
        layerDigest: image.layers[0]!,
        vulnerabilities: [
          {
            id: "DSA-5532-1",
            aliases: ["CVE-2023-5363"],
            severity: "High",
            fixedBy: "3.0.11-1~deb12u2",
            link: "https://security-tracker.debian.org/tracker/CVE-2023-5363",
            summary: "openssl: incorrect cipher key and IV length processing",
            description: "Issue summary: A bug has been identified in the processing of key and initialisation vector lengths.",
            source: "debian-tracker",
          },
        ],
      },
      { name: "requests", version: "2.31.0", ecosystem: "pypi", layerIndex: 1, layerDigest: image.layers[1]!, vulnerabilities: [{ id: "GHSA-9wx4-h78v-vm56", severity: "Medium" }] },
    ],
  });
  await storeScan(env.deps.db, failed.digest, { status: "failed", error: "unreadable layer" });
  await storeScan(env.deps.db, index.digest, { status: "unsupported", distribution: null });
});
afterAll(() => env.close());

describe("GET /api/v1/repository/{repo}/manifest/{digest}/security", () => {
  it("answers a scanned manifest in Quay's Clair shape", async () => {
    const res = await reader.get(securityPath(image.digest));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      status: "scanned",
      data: {
        Layer: {
          Name: image.digest,
          ParentName: "",
          NamespaceName: "",
          IndexedByVersion: 4,
          Features: [
            {
              Name: "openssl",
              VersionFormat: "",
              NamespaceName: "",
              AddedBy: image.layers[0],
              Version: "3.0.11-1~deb12u1",
              BaseScores: [],
              CVEIds: ["CVE-2023-5363"],
              Vulnerabilities: [
                {
                  Severity: "High",
                  NamespaceName: "debian-tracker",
                  Link: "https://security-tracker.debian.org/tracker/CVE-2023-5363",
                  FixedBy: "3.0.11-1~deb12u2",
                  Description: "Issue summary: A bug has been identified in the processing of key and initialisation vector lengths.",
                  Name: "DSA-5532-1",
                  Metadata: {
                    UpdatedBy: "debian-tracker",
                    RepoName: null,
                    RepoLink: null,
                    DistroName: "debian",
                    DistroVersion: "12",
                    NVD: { CVSSv3: { Vectors: "", Score: "" } },
                  },
                },
              ],
            },
            {
              Name: "requests",
              VersionFormat: "",
              NamespaceName: "",
              AddedBy: image.layers[1],
              Version: "2.31.0",
              BaseScores: [],
              CVEIds: [],
              Vulnerabilities: [
                expect.objectContaining({ Name: "GHSA-9wx4-h78v-vm56", Severity: "Medium", FixedBy: "", Description: "GHSA-9wx4-h78v-vm56 in requests", Metadata: expect.objectContaining({ DistroName: null, DistroVersion: null }) }),
              ],
            },
          ],
        },
      },
    });
  });

  it("says queued, failed and unsupported with no data, as Quay", async () => {
    for (const [digest, status] of [
      [queued.digest, "queued"],
      [failed.digest, "failed"],
      [index.digest, "unsupported"],
    ] as const) {
      expect((await reader.get(securityPath(digest))).body).toEqual({ status, data: null });
    }
    // The parameter is optional (Clair v4's reports always carry the vulnerabilities).
    expect((await reader.get(`/repository/alice/app/manifest/${queued.digest}/security`)).body).toEqual({ status: "queued", data: null });
  });

  it("answers anonymous callers on public repositories only, and 404 for unknown manifests", async () => {
    const anonymous = new Client(env);
    expect((await anonymous.get(securityPath(image.digest))).status).toBe(401);
    const open = await anonymous.get<{ status: string }>(securityPath((await pushedDigest("alice/open", "latest"))!, "alice/open"));
    expect(open.status).toBe(200);
    expect(open.body.status).toBe("queued");
    expect((await reader.get(securityPath(`sha256:${"0".repeat(64)}`))).body).toEqual(problem(404, "not_found", "Not Found"));
    // A manifest of another repository is not this one's.
    expect((await reader.get(securityPath(image.digest, "alice/open"))).status).toBe(404);
  });
});

describe("GET /api/v1/repository/{repo}/image/{image_id}/security", () => {
  it("answers an image's scan: the leaf image the manifest's, an ancestor the packages of its layers", async () => {
    const list = await reader.get<{ images: { id: string; tags: string[]; ancestors: string }[] }>("/repository/alice/app/image/");
    const leaf = list.body.images.find((i) => i.tags.includes("v1"))!;
    const [parent, , base] = leaf.ancestors.split("/").filter(Boolean);
    const whole = await reader.get<{ status: string; data: { Layer: { Name: string; ParentName: string; Features: { Name: string }[] } } }>(
      `/repository/alice/app/image/${leaf.id}/security?vulnerabilities=true`,
    );
    expect(whole.body.status).toBe("scanned");
    expect(whole.body.data.Layer).toMatchObject({ Name: leaf.id, ParentName: parent });
    expect(whole.body.data.Layer.Features.map((f) => f.Name)).toEqual(["openssl", "requests"]);
    const first = await reader.get<typeof whole.body>(`/repository/alice/app/image/${base}/security`);
    expect(first.body.data.Layer).toMatchObject({ Name: base, ParentName: "" });
    expect(first.body.data.Layer.Features.map((f) => f.Name)).toEqual(["openssl"]);
    expect((await reader.get(`/repository/alice/app/image/${"f".repeat(64)}/security`)).status).toBe(404);
  });
});

describe("with the scanner switched off", () => {
  it("answers 404 as Quay does without FEATURE_SECURITY_SCANNER", async () => {
    const off = await testEnv({ QUAYSIDE_SECURITY_SCANNER: "false" });
    try {
      const bob = await tokenClient(off, await off.user("bob"), ["repo:read", "repo:write"]);
      const pushed = await pushBuiltImage(new RegistryClient(off, { username: "bob", password: "password-bob" }), "bob/app", "v1", {});
      expect((await bob.get(securityPath(pushed.digest, "bob/app"))).body).toEqual(problem(404, "not_found", "Not Found"));
    } finally {
      await off.close();
    }
  });
});

async function pushedDigest(repo: string, tag: string): Promise<string | undefined> {
  const res = await reader.get<{ tags: { name: string; manifest_digest: string }[] }>(`/repository/${repo}/tag/?specificTag=${tag}`);
  return res.body.tags[0]?.manifest_digest;
}

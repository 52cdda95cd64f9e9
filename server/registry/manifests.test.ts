import { and, eq, isNull } from "drizzle-orm";
import { exportJWK, FlattenedSign, generateKeyPair } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog, manifestBlobs, manifests, tags } from "../../db/schema.ts";
import { RegistryClient, sha256 } from "../../e2e/support/registry-client.ts";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";

const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
const DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
const DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";

let env: TestEnv;
let alice: RegistryClient;
const repo = "alice/manifests";

beforeAll(async () => {
  env = await testEnv();
  await env.user("alice");
  alice = new RegistryClient(env, { username: "alice", password: "password-alice" });
});
afterAll(() => env.close());

async function errorOf(res: Response): Promise<{ code: string; detail: unknown }> {
  const json = (await res.json()) as { errors: { code: string; detail: unknown }[] };
  return json.errors[0]!;
}

async function imageManifest(mediaType: string, configType: string, extra: Record<string, unknown> = {}) {
  const config = JSON.stringify({ created: new Date().toISOString(), nonce: Math.random() });
  const layer = `layer ${Math.random()}`;
  const configDigest = await alice.pushBlob(repo, config);
  const layerDigest = await alice.pushBlob(repo, layer);
  return JSON.stringify({
    schemaVersion: 2,
    mediaType,
    config: { mediaType: configType, digest: configDigest, size: config.length },
    layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: layerDigest, size: layer.length }],
    ...extra,
  });
}

describe("image manifests", () => {
  it("pushes an OCI manifest by tag and serves it by tag and digest", async () => {
    const body = await imageManifest(OCI_MANIFEST, "application/vnd.oci.image.config.v1+json");
    const digest = sha256(body);
    const put = await alice.pushManifest(repo, "v1", body, OCI_MANIFEST);
    expect(put.status).toBe(201);
    expect(put.headers.get("location")).toBe(`/v2/${repo}/manifests/${digest}`);
    expect(put.headers.get("docker-content-digest")).toBe(digest);
    for (const ref of ["v1", digest]) {
      const get = await alice.request(`/v2/${repo}/manifests/${ref}`);
      expect(get.status).toBe(200);
      expect(get.headers.get("content-type")).toBe(OCI_MANIFEST);
      expect(get.headers.get("docker-content-digest")).toBe(digest);
      expect(get.headers.get("content-length")).toBe(String(Buffer.byteLength(body)));
      expect(await get.text()).toBe(body);
      const head = await alice.request(`/v2/${repo}/manifests/${ref}`, { method: "HEAD" });
      expect(head.status).toBe(200);
      expect(head.headers.get("docker-content-digest")).toBe(digest);
      expect(head.headers.get("content-length")).toBe(String(Buffer.byteLength(body)));
    }
  });

  it("pushes a Docker schema 2 manifest", async () => {
    const body = await imageManifest(DOCKER_MANIFEST, "application/vnd.docker.container.image.v1+json");
    expect((await alice.pushManifest(repo, "docker", body, DOCKER_MANIFEST)).status).toBe(201);
    const get = await alice.request(`/v2/${repo}/manifests/docker`);
    expect(get.headers.get("content-type")).toBe(DOCKER_MANIFEST);
  });

  it("accepts arbitrary config media types (Helm charts)", async () => {
    const body = await imageManifest(OCI_MANIFEST, "application/vnd.cncf.helm.config.v1+json");
    expect((await alice.pushManifest(repo, "chart-1.0.0", body, OCI_MANIFEST)).status).toBe(201);
  });

  it("pushes by digest and rejects a digest that does not match", async () => {
    const body = await imageManifest(OCI_MANIFEST, "application/vnd.oci.image.config.v1+json");
    expect((await alice.pushManifest(repo, sha256(body), body, OCI_MANIFEST)).status).toBe(201);
    const wrong = await alice.pushManifest(repo, sha256("not it"), body, OCI_MANIFEST);
    expect(wrong.status).toBe(400);
    expect((await errorOf(wrong)).code).toBe("DIGEST_INVALID");
  });

  it("rejects a manifest that references a missing blob", async () => {
    const missing = sha256("never pushed");
    const body = JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: missing, size: 12 },
      layers: [],
    });
    const res = await alice.pushManifest(repo, "broken", body, OCI_MANIFEST);
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toEqual({ code: "MANIFEST_BLOB_UNKNOWN", message: "blob unknown to registry", detail: { digest: missing } });
    expect((await alice.request(`/v2/${repo}/manifests/broken`)).status).toBe(404);
  });

  it("rejects descriptor sizes that differ from the stored blobs with MANIFEST_INVALID", async () => {
    const config = await alice.pushBlob(repo, "{}");
    const layer = await alice.pushBlob(repo, "12345");
    const manifest = (configSize: number, layerSize: number) =>
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: config, size: configSize },
        layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar", digest: layer, size: layerSize }],
      });
    for (const [body, digest, declared, stored] of [
      [manifest(2, 123_456_789), layer, 123_456_789, 5],
      [manifest(3, 5), config, 3, 2],
      [manifest(2, 0), layer, 0, 5],
    ] as const) {
      const res = await alice.pushManifest(repo, "fake-size", body, OCI_MANIFEST);
      expect(res.status).toBe(400);
      expect(await errorOf(res)).toMatchObject({ code: "MANIFEST_INVALID", detail: { digest, size: declared, stored } });
    }
    expect((await alice.request(`/v2/${repo}/manifests/fake-size`)).status).toBe(404);
    expect((await alice.pushManifest(repo, "true-size", manifest(2, 5), OCI_MANIFEST)).status).toBe(201);
  });

  it("keeps accepting foreign layers it does not hold, whatever size they declare", async () => {
    const config = await alice.pushBlob(repo, "{}");
    const body = JSON.stringify({
      schemaVersion: 2,
      mediaType: DOCKER_MANIFEST,
      config: { mediaType: "application/vnd.docker.container.image.v1+json", digest: config, size: 2 },
      layers: [{
        mediaType: "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
        digest: sha256("windows base layer"),
        size: 123_456_789,
        urls: ["https://example.test/layer"],
      }],
    });
    expect((await alice.pushManifest(repo, "foreign", body, DOCKER_MANIFEST)).status).toBe(201);
  });

  it("refuses duplicate keys, which parsers resolve differently (exact or by case)", async () => {
    const config = await alice.pushBlob(repo, "{}");
    const present = await alice.pushBlob(repo, "present layer");
    const missing = sha256("missing layer");
    const layers = (digest: string, size: number) => JSON.stringify([{ mediaType: "application/vnd.oci.image.layer.v1.tar", digest, size }]);
    const head = `{"schemaVersion":2,"mediaType":"${OCI_MANIFEST}","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"${config}","size":2}`;
    for (const body of [
      `${head},"layers":${layers(missing, 7)},"layers":${layers(present, 13)}}`,
      `${head},"layers":${layers(present, 13)},"Layers":${layers(missing, 7)}}`,
      `${head},"layers":${layers(present, 13)},"annotations":{"a":"1","a":"2"}}`,
    ]) {
      const res = await alice.pushManifest(repo, "ambiguous", body, OCI_MANIFEST);
      expect(res.status, body).toBe(400);
      expect((await errorOf(res)).code).toBe("MANIFEST_INVALID");
    }
    // Keys that differ by escaping only are the same key.
    const escaped = `${head},"layers":${layers(present, 13)},"\u006cayers":${layers(missing, 7)}}`;
    expect((await errorOf(await alice.pushManifest(repo, "ambiguous", escaped, OCI_MANIFEST))).code).toBe("MANIFEST_INVALID");
    // The same key in different objects is fine.
    expect((await alice.pushManifest(repo, "plain", `${head},"layers":${layers(present, 13)}}`, OCI_MANIFEST)).status).toBe(201);
  });

  it("rejects malformed manifests with MANIFEST_INVALID", async () => {
    const cases: [string, string][] = [
      ["not json", OCI_MANIFEST],
      [JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, layers: [] }), OCI_MANIFEST],
      [JSON.stringify({ schemaVersion: 2, mediaType: DOCKER_MANIFEST, config: {}, layers: [] }), OCI_MANIFEST],
      [JSON.stringify({ schemaVersion: 3 }), "application/json"],
    ];
    for (const [body, type] of cases) {
      const res = await alice.pushManifest(repo, "bad", body, type);
      expect(res.status).toBe(400);
      expect((await errorOf(res)).code).toBe("MANIFEST_INVALID");
    }
  });

  it("refuses a body over 4 MiB with 413", async () => {
    const big = JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, padding: "x".repeat(4 * 1024 * 1024) });
    const res = await alice.pushManifest(repo, "huge", big, OCI_MANIFEST);
    expect(res.status).toBe(413);
    expect((await errorOf(res)).code).toBe("MANIFEST_INVALID");
  });

  it("rejects invalid tags with TAG_INVALID and bad digests with DIGEST_INVALID", async () => {
    const body = await imageManifest(OCI_MANIFEST, "application/vnd.oci.image.config.v1+json");
    const tag = await alice.pushManifest(repo, "-leading-dash", body, OCI_MANIFEST);
    expect(tag.status).toBe(400);
    expect((await errorOf(tag)).code).toBe("TAG_INVALID");
    const digest = await alice.pushManifest(repo, "md5:abc", body, OCI_MANIFEST);
    expect(digest.status).toBe(400);
    expect((await errorOf(digest)).code).toBe("DIGEST_INVALID");
  });

  it("answers 404 MANIFEST_UNKNOWN to GET, HEAD and DELETE of a reference that is neither a tag nor a digest", async () => {
    await alice.pushImage(repo, "present");
    for (const ref of [".INVALID_MANIFEST_NAME", "-leading-dash", "md5:abc", "sha256:abcd", "x".repeat(129)]) {
      for (const method of ["GET", "HEAD", "DELETE"]) {
        const res = await alice.request(`/v2/${repo}/manifests/${ref}`, { method });
        expect(res.status, `${method} ${ref}`).toBe(404);
        if (method !== "HEAD") expect((await errorOf(res)).code, `${method} ${ref}`).toBe("MANIFEST_UNKNOWN");
      }
    }
    // The repository is looked up first: a missing one is still NAME_UNKNOWN.
    const missing = await alice.request(`/v2/alice/nothing-here/manifests/.INVALID_MANIFEST_NAME`);
    expect((await errorOf(missing)).code).toBe("NAME_UNKNOWN");
  });
});

describe("indexes", () => {
  it("pushes an OCI index whose children are in the repository", async () => {
    const children = [];
    for (const arch of ["amd64", "arm64"]) {
      const body = await imageManifest(OCI_MANIFEST, "application/vnd.oci.image.config.v1+json");
      expect((await alice.pushManifest(repo, sha256(body), body, OCI_MANIFEST)).status).toBe(201);
      children.push({ mediaType: OCI_MANIFEST, digest: sha256(body), size: Buffer.byteLength(body), platform: { architecture: arch, os: "linux" } });
    }
    const index = JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: children });
    const put = await alice.pushManifest(repo, "multi", index, OCI_INDEX);
    expect(put.status).toBe(201);
    const get = await alice.request(`/v2/${repo}/manifests/multi`);
    expect(get.headers.get("content-type")).toBe(OCI_INDEX);
    expect(await get.text()).toBe(index);
    const list = JSON.stringify({ schemaVersion: 2, mediaType: DOCKER_LIST, manifests: children });
    expect((await alice.pushManifest(repo, "list", list, DOCKER_LIST)).status).toBe(201);
  });

  it("rejects an index whose child size differs from the stored child manifest", async () => {
    const body = await imageManifest(OCI_MANIFEST, "application/vnd.oci.image.config.v1+json");
    expect((await alice.pushManifest(repo, sha256(body), body, OCI_MANIFEST)).status).toBe(201);
    const index = (size: number) =>
      JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{ mediaType: OCI_MANIFEST, digest: sha256(body), size }] });
    const res = await alice.pushManifest(repo, "lying-index", index(123_456_789), OCI_INDEX);
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toMatchObject({
      code: "MANIFEST_INVALID",
      detail: { digest: sha256(body), size: 123_456_789, stored: Buffer.byteLength(body) },
    });
    expect((await alice.pushManifest(repo, "honest-index", index(Buffer.byteLength(body)), OCI_INDEX)).status).toBe(201);
  });

  it("rejects an index with a missing child", async () => {
    const missing = sha256("no such manifest");
    const index = JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [{ mediaType: OCI_MANIFEST, digest: missing, size: 10 }],
    });
    const res = await alice.pushManifest(repo, "broken-index", index, OCI_INDEX);
    expect(res.status).toBe(400);
    const error = await errorOf(res);
    expect(error.code).toBe("MANIFEST_BLOB_UNKNOWN");
    expect(error.detail).toEqual({ digest: missing });
  });
});

describe("Docker schema 1", () => {
  const SIGNED = "application/vnd.docker.distribution.manifest.v1+prettyjws";
  const v1Manifest = (layer: string) => ({
    schemaVersion: 1,
    name: repo,
    tag: "old",
    architecture: "amd64",
    fsLayers: [{ blobSum: layer }],
    history: [{ v1Compatibility: JSON.stringify({ id: "a".repeat(64) }) }],
  });

  /**
   * libtrust's format: the signed payload is the body's first `formatLength` bytes plus
   * `formatTail`; `between` is what the body holds after the signatures (normally the tail).
   */
  async function sign(payload: string, formatLength: number, options: { signed?: string; between?: string } = {}) {
    const tail = payload.slice(formatLength);
    const { privateKey, publicKey } = await generateKeyPair("ES256");
    const jwk = await exportJWK(publicKey);
    const jws = await new FlattenedSign(new TextEncoder().encode(options.signed ?? payload))
      .setProtectedHeader({ formatLength, formatTail: Buffer.from(tail).toString("base64url"), time: new Date().toISOString() })
      .setUnprotectedHeader({ alg: "ES256", jwk })
      .sign(privateKey);
    const signature = { header: { jwk, alg: "ES256" }, signature: jws.signature, protected: jws.protected };
    return `${payload.slice(0, formatLength)},\n   "signatures": [${JSON.stringify(signature)}]${options.between ?? tail}`;
  }

  async function schema1(signed: boolean, tamper = false) {
    const layer = await alice.pushBlob(repo, `schema1 layer ${Math.random()}`);
    const payload = JSON.stringify(v1Manifest(layer), null, 3);
    if (!signed) return { body: payload, digest: sha256(payload) };
    const body = await sign(payload, payload.length - 2, tamper ? { signed: payload.replace("old", "new") } : {});
    return { body, digest: sha256(payload) };
  }

  it("refuses a duplicate fsLayers after the signed payload", async () => {
    const present = await alice.pushBlob(repo, `present ${Math.random()}`);
    const missing = sha256(`missing ${Math.random()}`);
    const payload = JSON.stringify(v1Manifest(missing), null, 3);
    const body = await sign(payload, payload.length - 2, { between: `,\n   "fsLayers": [{"blobSum": "${present}"}]\n}` });
    const res = await alice.pushManifest(repo, "dup-layers", body, SIGNED);
    expect(res.status).toBe(400);
    expect((await errorOf(res)).code).toBe("MANIFEST_INVALID");
    expect((await alice.request(`/v2/${repo}/manifests/dup-layers`)).status).toBe(404);
  });

  it("takes layers from the signed payload, not from the rest of the body", async () => {
    const present = await alice.pushBlob(repo, `present ${Math.random()}`);
    const missing = sha256(`missing ${Math.random()}`);
    // The payload's fsLayers comes from its tail; the body carries another one in its place.
    const manifest = v1Manifest(missing);
    const { fsLayers: _, ...rest } = manifest;
    const payload = JSON.stringify({ ...rest, fsLayers: manifest.fsLayers }, null, 3);
    const cut = payload.indexOf(',\n   "fsLayers"');
    const body = await sign(payload, cut, { between: `,\n   "fsLayers": [{"blobSum": "${present}"}]\n}` });
    expect(body).not.toContain(missing);
    const res = await alice.pushManifest(repo, "tail-layers", body, SIGNED);
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toMatchObject({ code: "MANIFEST_BLOB_UNKNOWN", detail: { digest: missing } });
  });

  it("accepts an unsigned schema 1 manifest", async () => {
    const { body, digest } = await schema1(false);
    const res = await alice.pushManifest(repo, "schema1", body, "application/vnd.docker.distribution.manifest.v1+json");
    expect(res.status).toBe(201);
    expect(res.headers.get("docker-content-digest")).toBe(digest);
  });

  it("accepts a signed schema 1 manifest, named by the digest of its payload", async () => {
    const { body, digest } = await schema1(true);
    const res = await alice.pushManifest(repo, "signed", body, SIGNED);
    expect(res.status).toBe(201);
    expect(res.headers.get("docker-content-digest")).toBe(digest);
    const get = await alice.request(`/v2/${repo}/manifests/${digest}`);
    expect(await get.text()).toBe(body);
  });

  it("rejects a schema 1 manifest whose signature does not verify", async () => {
    const { body } = await schema1(true, true);
    const res = await alice.pushManifest(repo, "forged", body, SIGNED);
    expect(res.status).toBe(400);
    expect((await errorOf(res)).code).toBe("MANIFEST_INVALID");
  });
});

describe("referrers", () => {
  it("lists manifests whose subject is the digest, with artifactType filtering", async () => {
    const subjectBody = await imageManifest(OCI_MANIFEST, "application/vnd.oci.image.config.v1+json");
    await alice.pushManifest(repo, "signed-image", subjectBody, OCI_MANIFEST);
    const subject = { mediaType: OCI_MANIFEST, digest: sha256(subjectBody), size: Buffer.byteLength(subjectBody) };
    const emptyDigest = await alice.pushBlob(repo, "{}");
    const artifact = (type: string) =>
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        artifactType: type,
        config: { mediaType: "application/vnd.oci.empty.v1+json", digest: emptyDigest, size: 2 },
        layers: [{ mediaType: "application/vnd.oci.empty.v1+json", digest: emptyDigest, size: 2 }],
        subject,
        annotations: { "org.example.kind": type },
      });
    const sbom = artifact("application/vnd.example.sbom");
    const sig = artifact("application/vnd.example.signature");
    const put = await alice.pushManifest(repo, sha256(sbom), sbom, OCI_MANIFEST);
    expect(put.status).toBe(201);
    expect(put.headers.get("oci-subject")).toBe(subject.digest);
    await alice.pushManifest(repo, sha256(sig), sig, OCI_MANIFEST);

    const all = await alice.request(`/v2/${repo}/referrers/${subject.digest}`);
    expect(all.status).toBe(200);
    expect(all.headers.get("content-type")).toBe(OCI_INDEX);
    const index = (await all.json()) as { schemaVersion: number; mediaType: string; manifests: { digest: string; artifactType: string; size: number; annotations: Record<string, string> }[] };
    expect(index.schemaVersion).toBe(2);
    expect(index.mediaType).toBe(OCI_INDEX);
    expect(index.manifests.map((m) => m.digest).sort()).toEqual([sha256(sbom), sha256(sig)].sort());
    const sbomEntry = index.manifests.find((m) => m.digest === sha256(sbom))!;
    expect(sbomEntry).toMatchObject({
      mediaType: OCI_MANIFEST,
      artifactType: "application/vnd.example.sbom",
      size: Buffer.byteLength(sbom),
      annotations: { "org.example.kind": "application/vnd.example.sbom" },
    });

    const filtered = await alice.request(`/v2/${repo}/referrers/${subject.digest}?artifactType=application/vnd.example.sbom`);
    expect(filtered.headers.get("oci-filters-applied")).toBe("artifactType");
    const filteredIndex = (await filtered.json()) as { manifests: { digest: string }[] };
    expect(filteredIndex.manifests.map((m) => m.digest)).toEqual([sha256(sbom)]);

    // Deleting a referrer removes it from the list.
    await alice.request(`/v2/${repo}/manifests/${sha256(sig)}`, { method: "DELETE" });
    const after = (await (await alice.request(`/v2/${repo}/referrers/${subject.digest}`)).json()) as { manifests: unknown[] };
    expect(after.manifests).toHaveLength(1);
  });

  it("answers an empty index for a digest nobody refers to, and DIGEST_INVALID for a bad one", async () => {
    const res = await alice.request(`/v2/${repo}/referrers/${sha256("lonely")}`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { manifests: unknown[] }).manifests).toEqual([]);
    const bad = await alice.request(`/v2/${repo}/referrers/sha256:nothex`);
    expect(bad.status).toBe(400);
    expect((await errorOf(bad)).code).toBe("DIGEST_INVALID");
  });
});

describe("deletion", () => {
  it("DELETE by tag removes the tag but keeps the manifest by digest", async () => {
    const { digest } = await alice.pushImage(repo, "short-lived");
    expect((await alice.request(`/v2/${repo}/manifests/short-lived`, { method: "DELETE" })).status).toBe(202);
    const gone = await alice.request(`/v2/${repo}/manifests/short-lived`);
    expect(gone.status).toBe(404);
    expect((await errorOf(gone)).code).toBe("MANIFEST_UNKNOWN");
    expect((await alice.request(`/v2/${repo}/manifests/${digest}`)).status).toBe(200);
  });

  it("DELETE by digest removes the manifest and every tag pointing to it; a re-push restores it", async () => {
    const { digest, body } = await alice.pushImage(repo, "doomed");
    await alice.pushManifest(repo, "doomed-too", body, OCI_MANIFEST);
    expect((await alice.request(`/v2/${repo}/manifests/${digest}`, { method: "DELETE" })).status).toBe(202);
    for (const ref of [digest, "doomed", "doomed-too"]) {
      expect((await alice.request(`/v2/${repo}/manifests/${ref}`)).status).toBe(404);
    }
    const again = await alice.request(`/v2/${repo}/manifests/${digest}`, { method: "DELETE" });
    expect(again.status).toBe(404);
    expect((await errorOf(again)).code).toBe("MANIFEST_UNKNOWN");
    expect((await alice.pushManifest(repo, digest, body, OCI_MANIFEST)).status).toBe(201);
    expect((await alice.request(`/v2/${repo}/manifests/${digest}`)).status).toBe(200);
  });
});

describe("names and methods", () => {
  it("answers NAME_UNKNOWN for a repository that does not exist (in the caller's namespace)", async () => {
    const res = await alice.request(`/v2/alice/nothing-here/manifests/latest`);
    expect(res.status).toBe(404);
    expect((await errorOf(res)).code).toBe("NAME_UNKNOWN");
    const tags = await alice.request(`/v2/alice/nothing-here/tags/list`);
    expect((await errorOf(tags)).code).toBe("NAME_UNKNOWN");
  });

  it("answers NAME_INVALID for names outside the grammar", async () => {
    const res = await alice.request(`/v2/Alice/UPPER/manifests/latest`, { repo: "alice/x" });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).code).toBe("NAME_INVALID");
    // Quay reserves build, trigger and tag as repository names: no token is issued for them.
    const reserved = await env.app.request(`/v2/auth?service=registry.test&scope=repository:alice/tag:pull,push`, {
      headers: { authorization: `Basic ${Buffer.from("alice:password-alice").toString("base64")}` },
    });
    expect(reserved.status).toBe(400);
    expect((await errorOf(reserved)).code).toBe("NAME_INVALID");
  });

  it("answers NAME_INVALID, not 500, for a malformed percent escape in the path", async () => {
    for (const path of ["/v2/alice/x%E0%A4%A/tags/list", "/v2/alice/x%/manifests/latest", "/v2/alice%ZZ/blobs/uploads/"]) {
      const res = await alice.request(path, { repo: "alice/x" });
      expect(res.status, path).toBe(400);
      expect((await errorOf(res)).code, path).toBe("NAME_INVALID");
    }
    // In the reference of a push, the same escape is a bad tag.
    const tag = await alice.pushManifest(repo, "v%E0%A4%A", "{}", OCI_MANIFEST);
    expect(tag.status).toBe(400);
    expect((await errorOf(tag)).code).toBe("TAG_INVALID");
  });

  it("caps a huge n= on the tag list instead of failing", async () => {
    await alice.pushImage(repo, "paged");
    const res = await alice.request(`/v2/${repo}/tags/list?n=99999999999999999999`);
    expect(res.status).toBe(200);
    const bad = await alice.request(`/v2/${repo}/tags/list?n=1e3`);
    expect(bad.status).toBe(400);
  });

  it("answers UNSUPPORTED (405) for methods a route does not take", async () => {
    const res = await alice.request(`/v2/${repo}/manifests/latest`, { method: "POST" });
    expect(res.status).toBe(405);
    expect((await errorOf(res)).code).toBe("UNSUPPORTED");
  });
});

describe("what a push stores", () => {
  const rowsOf = async (digest: string) => {
    const [manifest] = await env.deps.db.select().from(manifests).where(eq(manifests.digest, digest));
    const layers = manifest
      ? await env.deps.db.select().from(manifestBlobs).where(eq(manifestBlobs.manifestId, manifest.id)).orderBy(manifestBlobs.position)
      : [];
    return { manifest, layers };
  };

  it("writes nothing at all when a referenced blob is missing", async () => {
    const config = await alice.pushBlob(repo, `config ${Math.random()}`);
    const missing = sha256(`missing ${Math.random()}`);
    const body = JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: config, size: 10 },
      layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: missing, size: 5 }],
    });
    const auditBefore = (await env.deps.db.select().from(auditLog)).length;
    const res = await alice.pushManifest(repo, "half", body, OCI_MANIFEST);
    expect(await errorOf(res)).toMatchObject({ code: "MANIFEST_BLOB_UNKNOWN", detail: { digest: missing } });
    expect((await rowsOf(sha256(body))).manifest).toBeUndefined();
    expect((await env.deps.db.select().from(auditLog)).length).toBe(auditBefore);
  });

  it("records layer rows once however often the manifest is pushed, with its push in the usage log", async () => {
    const body = await imageManifest(OCI_MANIFEST, "application/vnd.oci.image.config.v1+json");
    for (const tag of ["once", "twice", "once"]) expect((await alice.pushManifest(repo, tag, body, OCI_MANIFEST)).status).toBe(201);
    const { manifest, layers } = await rowsOf(sha256(body));
    expect(layers.map((l) => l.position)).toEqual([0, 1]);
    expect(manifest!.layersSize).toBe(layers[1]!.size);
    const pushes = await env.deps.db.select().from(auditLog).where(eq(auditLog.kind, "push_repo")).orderBy(auditLog.id);
    expect(pushes.filter((p) => p.metadata.manifest_digest === sha256(body)).map((p) => p.metadata.tag)).toEqual(["once", "twice", "once"]);
  });

  it("takes schema 1 layer sizes from the stored blobs", async () => {
    const layerText = `sized layer ${Math.random()}`;
    const layer = await alice.pushBlob(repo, layerText);
    const body = JSON.stringify({
      schemaVersion: 1,
      name: repo,
      tag: "sized",
      architecture: "amd64",
      fsLayers: [{ blobSum: layer }, { blobSum: layer }],
      history: [{ v1Compatibility: "{}" }, { v1Compatibility: "{}" }],
    });
    expect((await alice.pushManifest(repo, "sized", body, "application/vnd.docker.distribution.manifest.v1+json")).status).toBe(201);
    const { manifest, layers } = await rowsOf(sha256(body));
    expect(layers.map((l) => l.size)).toEqual([layerText.length]);
    expect(manifest!.layersSize).toBe(2 * layerText.length);
  });

  it("leaves one live tag when two pushes move it at once", async () => {
    const bodies = await Promise.all([1, 2, 3].map(() => imageManifest(OCI_MANIFEST, "application/vnd.oci.image.config.v1+json")));
    const results = await Promise.all(bodies.map((b) => alice.pushManifest(repo, "contested", b, OCI_MANIFEST)));
    expect(results.map((r) => r.status)).toEqual([201, 201, 201]);
    const live = await env.deps.db
      .select()
      .from(tags)
      .where(and(eq(tags.name, "contested"), isNull(tags.lifetimeEnd)));
    expect(live).toHaveLength(1);
  });
});

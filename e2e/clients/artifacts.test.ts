// Real clients against a real server, beyond plain images: a multi-arch index and OCI artifacts
// with a subject copied by skopeo (then found through the referrers API), and a chunked blob
// upload driven step by step by the curl binary.
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser } from "../../server/domain/accounts/users.ts";
import { type TestServer, testServer } from "../support/test-app.ts";
import {
  ClientSandbox,
  type Descriptor,
  MEDIA,
  OciLayout,
  ok,
  registryToken,
  requireTools,
  run,
  sha256,
  v2,
} from "./tools.ts";

const ALICE = { username: "alice", password: "password-alice" };
const CREDS = `${ALICE.username}:${ALICE.password}`;
const SBOM = "application/vnd.example.sbom";
const SIGNATURE = "application/vnd.example.signature";

let server: TestServer;
let work: string;
let client: ClientSandbox;

beforeAll(async () => {
  // Missing clients fail this file loudly; they are never a reason to skip.
  requireTools("skopeo", "curl");
  server = await testServer();
  await createUser(server.deps.db, ALICE, { principal: { kind: "anonymous" } });
  work = await mkdtemp(join(tmpdir(), "quayside-artifacts-"));
  client = await ClientSandbox.create();
});

afterAll(async () => {
  await client?.close();
  if (work) await rm(work, { recursive: true, force: true });
  await server?.close();
});

/** `skopeo copy` from an OCI layout to this server as alice. */
async function copyToRegistry(from: string, to: string, extra: string[] = []) {
  return ok(
    await client.skopeo(
      ["copy", ...extra, "--insecure-policy", "--dest-tls-verify=false", "--dest-creds", CREDS, from, `docker://${server.host}/${to}`],
      { timeout: 60_000 },
    ),
    `skopeo copy ${from} → ${to}`,
  );
}

async function pullToken(repo: string): Promise<string> {
  return registryToken(server, ALICE, `repository:${repo}:pull`);
}

const ACCEPT_ALL = [MEDIA.index, MEDIA.manifest, "application/vnd.docker.distribution.manifest.list.v2+json"].join(", ");

describe("skopeo copy --all of a multi-arch index", () => {
  const repo = "alice/multi";
  let layout: OciLayout;
  let amd64: { descriptor: Descriptor; raw: string };
  let arm64: { descriptor: Descriptor; raw: string };
  let index: { descriptor: Descriptor; raw: string };

  beforeAll(async () => {
    layout = await OciLayout.create(join(work, "multi"));
    amd64 = await layout.image("amd64", "hello from amd64");
    arm64 = await layout.image("arm64", "hello from arm64");
    index = await layout.index([amd64.descriptor, arm64.descriptor]);
    layout.ref(index.descriptor, "v1");
    await layout.commit();
    await copyToRegistry(`oci:${layout.dir}:v1`, `${repo}:v1`, ["--all"]);
  });

  it("stores the index under the tag and both platform manifests by digest", async () => {
    const token = await pullToken(repo);
    const tagged = await v2(server, `/v2/${repo}/manifests/v1`, token, { headers: { accept: ACCEPT_ALL } });
    expect(tagged.status).toBe(200);
    expect(tagged.headers.get("content-type")).toBe(MEDIA.index);
    expect(tagged.headers.get("docker-content-digest")).toBe(index.descriptor.digest);
    expect(await tagged.text()).toBe(index.raw);

    for (const child of [amd64, arm64]) {
      const res = await v2(server, `/v2/${repo}/manifests/${child.descriptor.digest}`, token, {
        headers: { accept: ACCEPT_ALL },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe(MEDIA.manifest);
      expect(await res.text()).toBe(child.raw);
      // Their blobs came along too.
      const manifest = JSON.parse(child.raw) as { config: Descriptor; layers: Descriptor[] };
      for (const blob of [manifest.config, ...manifest.layers]) {
        const head = await v2(server, `/v2/${repo}/blobs/${blob.digest}`, token, { method: "HEAD" });
        expect(head.status).toBe(200);
        expect(head.headers.get("content-length")).toBe(String(blob.size));
      }
    }
    const tags = await v2(server, `/v2/${repo}/tags/list`, token);
    expect(await tags.json()).toEqual({ name: repo, tags: ["v1"] });
  });

  it("gives the index back to skopeo inspect --raw, and each platform's image to skopeo inspect", async () => {
    const raw = ok(
      await client.skopeo(["inspect", "--raw", "--tls-verify=false", "--creds", CREDS, `docker://${server.host}/${repo}:v1`], {
        timeout: 30_000,
      }),
      "skopeo inspect --raw",
    );
    expect(raw.stdout.trim()).toBe(index.raw);

    for (const arch of ["amd64", "arm64"]) {
      const inspect = ok(
        await client.skopeo(
          ["--override-arch", arch, "--override-os", "linux", "inspect", "--tls-verify=false", "--creds", CREDS, `docker://${server.host}/${repo}:v1`],
          { timeout: 30_000 },
        ),
        `skopeo inspect (${arch})`,
      );
      const info = JSON.parse(inspect.stdout) as { Architecture: string; Layers: string[] };
      expect(info.Architecture).toBe(arch);
      expect(info.Layers).toHaveLength(1);
    }
  });

  it("lets podman pull the platform it asks for", async () => {
    const puller = await ClientSandbox.create();
    try {
      const ref = `${server.host}/${repo}:v1`;
      for (const [arch, child] of [["arm64", arm64], ["amd64", amd64]] as const) {
        ok(
          await puller.podman(["pull", "--tls-verify=false", "--creds", CREDS, "--arch", arch, "--os", "linux", ref], { timeout: 60_000 }),
          `podman pull --arch ${arch}`,
        );
        const [image] = JSON.parse(ok(await puller.podman(["image", "inspect", ref]), "podman image inspect").stdout) as Array<{
          Architecture: string;
          Digest: string;
          RepoDigests: string[];
        }>;
        expect(image!.Architecture).toBe(arch);
        // podman names the image by the index it came from and by the platform's own manifest.
        expect(image!.Digest).toBe(index.descriptor.digest);
        expect(image!.RepoDigests).toContain(`${server.host}/${repo}@${child.descriptor.digest}`);
      }
    } finally {
      await puller.close();
    }
  });

  it("copies the whole index back out with skopeo", async () => {
    const out = join(work, "multi-back");
    ok(
      await client.skopeo(
        ["copy", "--all", "--insecure-policy", "--src-tls-verify=false", "--src-creds", CREDS, `docker://${server.host}/${repo}:v1`, `oci:${out}:v1`],
        { timeout: 60_000 },
      ),
      "skopeo copy from the registry",
    );
    const outIndex = JSON.parse(await readFile(join(out, "index.json"), "utf8")) as { manifests: Descriptor[] };
    expect(outIndex.manifests[0]!.digest).toBe(index.descriptor.digest);
    for (const child of [amd64, arm64]) {
      expect(await readFile(join(out, "blobs", "sha256", child.descriptor.digest.slice(7)), "utf8")).toBe(child.raw);
    }
  });
});

describe("skopeo copy of OCI artifacts with a subject, found through the referrers API", () => {
  const repo = "alice/app";
  let subject: { descriptor: Descriptor; raw: string };
  let sbom: { descriptor: Descriptor; raw: string };
  let signature: { descriptor: Descriptor; raw: string };

  beforeAll(async () => {
    const layout = await OciLayout.create(join(work, "app"));
    subject = await layout.image("amd64", "the application");
    layout.ref(subject.descriptor, "v1");
    sbom = await layout.artifact(SBOM, { mediaType: "application/spdx+json", content: '{"spdxVersion":"SPDX-2.3"}' }, subject.descriptor);
    layout.ref(sbom.descriptor, "sbom");
    signature = await layout.artifact(SIGNATURE, { mediaType: "application/vnd.example.sig", content: "signed" }, subject.descriptor);
    layout.ref(signature.descriptor, "sig");
    await layout.commit();

    await copyToRegistry(`oci:${layout.dir}:v1`, `${repo}:v1`);
    // One artifact by tag, the other by digest (no tag at all).
    await copyToRegistry(`oci:${layout.dir}:sbom`, `${repo}:sbom`);
    await copyToRegistry(`oci:${layout.dir}:sig`, `${repo}@${signature.descriptor.digest}`);
  });

  it("keeps the artifacts byte for byte", async () => {
    const token = await pullToken(repo);
    for (const artifact of [sbom, signature]) {
      const res = await v2(server, `/v2/${repo}/manifests/${artifact.descriptor.digest}`, token, { headers: { accept: MEDIA.manifest } });
      expect(res.status).toBe(200);
      expect(await res.text()).toBe(artifact.raw);
    }
    const empty = await v2(server, `/v2/${repo}/blobs/sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a`, token);
    expect(empty.status).toBe(200);
    expect(await empty.text()).toBe("{}");
    expect(await (await v2(server, `/v2/${repo}/tags/list`, token)).json()).toEqual({ name: repo, tags: ["sbom", "v1"] });
  });

  it("lists both artifacts as referrers of the subject", async () => {
    const token = await pullToken(repo);
    const res = await v2(server, `/v2/${repo}/referrers/${subject.descriptor.digest}`, token);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe(MEDIA.index);
    expect(res.headers.get("oci-filters-applied")).toBeNull();
    const body = (await res.json()) as { schemaVersion: number; mediaType: string; manifests: Descriptor[] };
    expect(body.schemaVersion).toBe(2);
    expect(body.mediaType).toBe(MEDIA.index);
    const byDigest = new Map(body.manifests.map((m) => [m.digest, m]));
    expect([...byDigest.keys()].sort()).toEqual([sbom.descriptor.digest, signature.descriptor.digest].sort());
    expect(byDigest.get(sbom.descriptor.digest)).toMatchObject({
      mediaType: MEDIA.manifest,
      size: sbom.descriptor.size,
      artifactType: SBOM,
      annotations: { "org.opencontainers.image.created": "2024-01-01T00:00:00Z" },
    });
    expect(byDigest.get(signature.descriptor.digest)).toMatchObject({ artifactType: SIGNATURE, size: signature.descriptor.size });
  });

  it("filters referrers by artifactType and says so in OCI-Filters-Applied", async () => {
    const token = await pullToken(repo);
    const res = await v2(server, `/v2/${repo}/referrers/${subject.descriptor.digest}?artifactType=${encodeURIComponent(SBOM)}`, token);
    expect(res.status).toBe(200);
    expect(res.headers.get("oci-filters-applied")).toBe("artifactType");
    const body = (await res.json()) as { manifests: Descriptor[] };
    expect(body.manifests.map((m) => m.digest)).toEqual([sbom.descriptor.digest]);

    const none = await v2(
      server,
      `/v2/${repo}/referrers/${subject.descriptor.digest}?artifactType=${encodeURIComponent("application/vnd.example.none")}`,
      token,
    );
    expect(none.status).toBe(200);
    expect(none.headers.get("oci-filters-applied")).toBe("artifactType");
    expect(((await none.json()) as { manifests: unknown[] }).manifests).toEqual([]);
  });

  it("answers an empty index for a manifest nobody refers to", async () => {
    const token = await pullToken(repo);
    const res = await v2(server, `/v2/${repo}/referrers/${sbom.descriptor.digest}`, token);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ schemaVersion: 2, mediaType: MEDIA.index, manifests: [] });
  });

  it("accepts an artifact whose subject is not in the registry (yet) and lists it", async () => {
    const layout = await OciLayout.create(join(work, "orphan"));
    const absent = await layout.image("amd64", "never pushed");
    const orphan = await layout.artifact(SBOM, { mediaType: "application/spdx+json", content: '{"orphan":true}' }, absent.descriptor);
    layout.ref(orphan.descriptor, "orphan");
    await layout.commit();
    await copyToRegistry(`oci:${layout.dir}:orphan`, `${repo}@${orphan.descriptor.digest}`);

    const token = await pullToken(repo);
    const missing = await v2(server, `/v2/${repo}/manifests/${absent.descriptor.digest}`, token, { method: "HEAD" });
    expect(missing.status).toBe(404);
    const res = await v2(server, `/v2/${repo}/referrers/${absent.descriptor.digest}`, token);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { manifests: Descriptor[] }).manifests.map((m) => m.digest)).toEqual([orphan.descriptor.digest]);
  });

  it("answers a manifest PUT with a subject with OCI-Subject", async () => {
    const token = await registryToken(server, ALICE, `repository:${repo}:pull,push`);
    const res = await v2(server, `/v2/${repo}/manifests/${sbom.descriptor.digest}`, token, {
      method: "PUT",
      headers: { "content-type": MEDIA.manifest },
      body: sbom.raw,
    });
    expect(res.status).toBe(201);
    expect(res.headers.get("docker-content-digest")).toBe(sbom.descriptor.digest);
    expect(res.headers.get("oci-subject")).toBe(subject.descriptor.digest);
  });
});

// ---------------------------------------------------------------------------------------------

interface CurlResponse {
  status: number;
  headers: Headers;
  body: Buffer;
}

/** One request with the curl binary; status, the final response's headers and the body. */
async function curl(args: string[]): Promise<CurlResponse> {
  const dir = await mkdtemp(join(work, "curl-"));
  const headerFile = join(dir, "headers");
  const bodyFile = join(dir, "body");
  // `Expect:` off: no 100-continue round trip for larger bodies.
  const result = await run(
    "curl",
    ["-sS", "--max-time", "30", "-H", "Expect:", "-D", headerFile, "-o", bodyFile, "-w", "%{http_code}", ...args],
    { timeout: 40_000 },
  );
  ok(result, `curl ${args.join(" ")}`);
  const blocks = (await readFile(headerFile, "utf8")).split(/\r?\n\r?\n/).filter((b) => b.trim());
  const headers = new Headers();
  for (const line of blocks[blocks.length - 1]!.split(/\r?\n/).slice(1)) {
    const colon = line.indexOf(":");
    if (colon > 0) headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  const body = await readFile(bodyFile).catch(() => Buffer.alloc(0));
  await rm(dir, { recursive: true, force: true });
  return { status: Number(result.stdout.trim()), headers, body };
}

describe("a chunked blob upload driven by curl", () => {
  const repo = "alice/chunked";

  it("starts, appends chunks in order, rejects a chunk out of order with 416, and finishes", async () => {
    const base = `http://${server.host}`;
    const tokenRes = await curl(["-u", CREDS, `${base}/v2/auth?service=${server.host}&scope=repository:${repo}:pull,push`]);
    expect(tokenRes.status).toBe(200);
    const token = (JSON.parse(tokenRes.body.toString()) as { token: string }).token;
    const auth = ["-H", `Authorization: Bearer ${token}`];

    const chunks = [randomBytes(300_000), randomBytes(1_200_000), randomBytes(77_777)];
    const whole = Buffer.concat(chunks);
    const digest = sha256(whole);
    const files: string[] = [];
    for (const [i, chunk] of chunks.entries()) {
      const file = join(work, `chunk-${i}`);
      await writeFile(file, chunk);
      files.push(file);
    }

    const started = await curl([...auth, "-X", "POST", `${base}/v2/${repo}/blobs/uploads/`]);
    expect(started.status).toBe(202);
    expect(started.headers.get("docker-upload-uuid")).toBeTruthy();
    expect(started.headers.get("range")).toBe("0-0");
    let location = new URL(started.headers.get("location")!, base).toString();

    const patch = (file: string, start: number, length: number) =>
      curl([
        ...auth,
        "-X",
        "PATCH",
        "-H",
        "Content-Type: application/octet-stream",
        "-H",
        `Content-Range: ${start}-${start + length - 1}`,
        "--data-binary",
        `@${file}`,
        location,
      ]);

    const first = await patch(files[0]!, 0, chunks[0]!.length);
    expect(first.status).toBe(202);
    expect(first.headers.get("range")).toBe(`0-${chunks[0]!.length - 1}`);
    location = new URL(first.headers.get("location")!, base).toString();

    // The third chunk before the second: the range does not start where the upload ends.
    const outOfOrder = await patch(files[2]!, chunks[0]!.length + chunks[1]!.length, chunks[2]!.length);
    expect(outOfOrder.status).toBe(416);
    expect((JSON.parse(outOfOrder.body.toString()) as { errors: Array<{ code: string }> }).errors[0]!.code).toBe("RANGE_INVALID");

    // The upload is still there, unharmed, and says where it stands.
    const status = await curl([...auth, location]);
    expect(status.status).toBe(204);
    expect(status.headers.get("range")).toBe(`0-${chunks[0]!.length - 1}`);

    const second = await patch(files[1]!, chunks[0]!.length, chunks[1]!.length);
    expect(second.status).toBe(202);
    expect(second.headers.get("range")).toBe(`0-${chunks[0]!.length + chunks[1]!.length - 1}`);
    location = new URL(second.headers.get("location")!, base).toString();

    // The last chunk goes with the closing PUT.
    const finish = new URL(location);
    finish.searchParams.set("digest", digest);
    const done = await curl([
      ...auth,
      "-X",
      "PUT",
      "-H",
      "Content-Type: application/octet-stream",
      "-H",
      `Content-Range: ${chunks[0]!.length + chunks[1]!.length}-${whole.length - 1}`,
      "--data-binary",
      `@${files[2]!}`,
      finish.toString(),
    ]);
    expect(done.status).toBe(201);
    expect(done.headers.get("docker-content-digest")).toBe(digest);
    expect(new URL(done.headers.get("location")!, base).pathname).toBe(`/v2/${repo}/blobs/${digest}`);

    const fetched = await curl([...auth, `${base}/v2/${repo}/blobs/${digest}`]);
    expect(fetched.status).toBe(200);
    expect(fetched.headers.get("docker-content-digest")).toBe(digest);
    expect(fetched.body.length).toBe(whole.length);
    expect(fetched.body.equals(whole)).toBe(true);

    // The finished session is gone.
    const after = await curl([...auth, location]);
    expect(after.status).toBe(404);
  });
});

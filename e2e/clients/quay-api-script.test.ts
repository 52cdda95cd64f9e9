// A script that knows only Quay's API drives a real Quayside over HTTP: initialize the first
// user with a token, create a public repository, push to it with skopeo (logging in as
// `$oauthtoken`), list it and its tags, then make it private and watch anonymous access stop.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type TestServer, testServer } from "../support/test-app.ts";

const digestOf = (data: Uint8Array | string) => `sha256:${createHash("sha256").update(data).digest("hex")}`;

function run(command: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { env: { ...process.env, ...env }, timeout: 120_000, killSignal: "SIGKILL" }, (err, stdout, stderr) => {
      if (err && typeof (err as { code?: unknown }).code === "string") return reject(err);
      if (err?.killed) return reject(new Error(`${command} timed out: ${stderr}`));
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, output: `${stdout}${stderr}` });
    });
  });
}

/** A one-layer OCI image layout tagged `tag`; returns the manifest digest. */
async function writeOciLayout(dir: string, tag: string): Promise<string> {
  const blobs = join(dir, "blobs", "sha256");
  await mkdir(blobs, { recursive: true });
  const put = async (data: Uint8Array | string) => {
    const digest = digestOf(data);
    await writeFile(join(blobs, digest.slice(7)), data);
    return { digest, size: Buffer.byteLength(data) };
  };
  const content = join(dir, "content");
  await mkdir(content);
  await writeFile(join(content, "hello.txt"), `hello from ${tag}\n`);
  const layerPath = join(dir, "layer.tar");
  const tar = await run("tar", ["--create", "--file", layerPath, "--directory", content, "hello.txt"]);
  expect(tar.code, tar.output).toBe(0);
  // Compressed already, so skopeo sends the layout as is and the manifest digest survives.
  const tarBytes = await readFile(layerPath);
  const layer = await put(gzipSync(tarBytes));
  const config = await put(JSON.stringify({
    architecture: "amd64",
    os: "linux",
    config: {},
    rootfs: { type: "layers", diff_ids: [digestOf(tarBytes)] },
  }));
  const manifestText = JSON.stringify({
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: { mediaType: "application/vnd.oci.image.config.v1+json", ...config },
    layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", ...layer }],
  });
  const manifest = await put(manifestText);
  await writeFile(join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  await writeFile(join(dir, "index.json"), JSON.stringify({
    schemaVersion: 2,
    manifests: [{
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      ...manifest,
      annotations: { "org.opencontainers.image.ref.name": tag },
    }],
  }));
  return manifest.digest;
}

let server: TestServer;
let work: string;
beforeAll(async () => {
  server = await testServer();
  work = await mkdtemp(join(tmpdir(), "quay-api-script-"));
});
afterAll(async () => {
  await server?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

it("initializes, creates, pushes with skopeo, lists, and hides a repository through Quay's API", async () => {
  const api = async (method: string, path: string, token?: string, body?: unknown) => {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    const res = await fetch(`${server.url}/api/v1${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };

  // 1. The first user, with a token for automation.
  const init = await api("POST", "/user/initialize", undefined, {
    username: "admin",
    password: "a-long-password",
    email: "admin@example.com",
    access_token: true,
  });
  expect(init.status).toBe(200);
  const token = init.body.access_token as string;
  expect(token).toEqual(expect.any(String));

  // 2. A public repository.
  const created = await api("POST", "/repository", token, {
    namespace: "admin",
    repository: "hello",
    visibility: "public",
    description: "made by a script",
  });
  expect(created).toEqual({ status: 201, body: { namespace: "admin", name: "hello", kind: "image" } });

  // 3. Push with skopeo, logging in to the registry with the same token.
  const layout = join(work, "layout");
  const manifestDigest = await writeOciLayout(layout, "v1");
  const skopeoEnv = { HOME: work, REGISTRY_AUTH_FILE: join(work, "auth.json") };
  const copy = await run("skopeo", [
    "copy",
    "--insecure-policy",
    "--dest-tls-verify=false",
    "--dest-creds",
    `$oauthtoken:${token}`,
    `oci:${layout}:v1`,
    `docker://${server.host}/admin/hello:v1`,
  ], skopeoEnv);
  expect(copy.code, copy.output).toBe(0);

  // 4. The repository list shows it.
  const listed = await api("GET", "/repository?namespace=admin", token);
  expect(listed.status).toBe(200);
  expect(listed.body.repositories).toEqual([
    expect.objectContaining({ namespace: "admin", name: "hello", is_public: true, description: "made by a script" }),
  ]);

  // 5. Its tags, with the pushed manifest.
  const tags = await api("GET", "/repository/admin/hello/tag/?onlyActiveTags=true", token);
  expect(tags.status).toBe(200);
  expect(tags.body).toMatchObject({ page: 1, has_additional: false });
  expect(tags.body.tags).toEqual([
    expect.objectContaining({ name: "v1", manifest_digest: manifestDigest, is_manifest_list: false }),
  ]);

  // 6. Public: anyone may read it, through the API and the registry.
  expect((await api("GET", "/repository/admin/hello")).status).toBe(200);
  const inspectArgs = ["inspect", "--tls-verify=false", "--no-creds", "--raw", `docker://${server.host}/admin/hello:v1`];
  const publicInspect = await run("skopeo", inspectArgs, skopeoEnv);
  expect(publicInspect.code, publicInspect.output).toBe(0);

  // 7. Private: anonymous callers are turned away by both doors.
  const hidden = await api("POST", "/repository/admin/hello/changevisibility", token, { visibility: "private" });
  expect(hidden).toEqual({ status: 200, body: { success: true } });
  const anonymous = await api("GET", "/repository/admin/hello");
  expect(anonymous.status).toBe(401);
  expect(anonymous.body).toMatchObject({ error_type: "invalid_token", detail: "Requires authentication" });
  const privateInspect = await run("skopeo", inspectArgs, skopeoEnv);
  expect(privateInspect.code).not.toBe(0);
  expect((await api("GET", "/repository/admin/hello", token)).status).toBe(200);
});

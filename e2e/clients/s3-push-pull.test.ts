// skopeo against Quayside with blobs in S3 (s3rver on loopback): an image whose layer is bigger
// than S3's smallest multipart part is pushed and pulled back byte for byte, once with the
// bytes sent through Quayside and once with pulls redirected to presigned bucket URLs.
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createUser } from "../../server/domain/accounts/users.ts";
import { startS3, type TestS3 } from "../support/s3-server.ts";
import { type TestServer, testServer } from "../support/test-app.ts";
import { ClientSandbox, MEDIA, ok, OciLayout, requireTools, sha256, tarOf } from "./tools.ts";

const ALICE = { username: "alice", password: "password-alice" };
let s3: TestS3;
let work: string;
const servers: TestServer[] = [];
const sandboxes: ClientSandbox[] = [];

beforeAll(async () => {
  requireTools("skopeo");
  s3 = await startS3();
  work = await mkdtemp(join(tmpdir(), "quayside-s3-clients-"));
});

afterAll(async () => {
  await Promise.all(sandboxes.map((s) => s.close()));
  for (const server of servers) await server.close();
  await s3?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

async function serverOnS3(prefix: string, redirects: boolean): Promise<TestServer> {
  const server = await testServer({ ...s3.env(prefix), QUAYSIDE_S3_PRESIGNED_REDIRECTS: String(redirects) });
  servers.push(server);
  await createUser(server.deps.db, ALICE, { principal: { kind: "anonymous" } });
  return server;
}

/** An OCI layout holding one image whose gzipped layer is about 9 MiB of incompressible bytes. */
async function bigImage(): Promise<{ dir: string; layer: { digest: string; size: number } }> {
  const dir = join(work, "source");
  const layout = await OciLayout.create(dir);
  const layerTar = tarOf({ "random.txt": randomBytes(9 * 1024 * 1024).toString("base64") });
  const layer = await layout.blob(gzipSync(layerTar), MEDIA.layerGzip);
  const config = await layout.blob(
    JSON.stringify({ architecture: "amd64", os: "linux", config: {}, rootfs: { type: "layers", diff_ids: [sha256(layerTar)] } }),
    MEDIA.config,
  );
  const manifest = await layout.blob(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.manifest, config, layers: [layer] }), MEDIA.manifest);
  layout.ref(manifest, "v1");
  await layout.commit();
  return { dir, layer };
}

let image: Awaited<ReturnType<typeof bigImage>> | undefined;

async function pushAndPull(server: TestServer, name: string): Promise<void> {
  image ??= await bigImage();
  const s = await ClientSandbox.create();
  sandboxes.push(s);
  const creds = `${ALICE.username}:${ALICE.password}`;
  const ref = `docker://${server.host}/alice/${name}:v1`;
  ok(await s.skopeo(["copy", "--insecure-policy", "--dest-tls-verify=false", "--dest-creds", creds, `oci:${image.dir}:v1`, ref], { timeout: 60_000 }), "skopeo push");
  const pulled = join(work, `pulled-${name}`);
  ok(await s.skopeo(["copy", "--insecure-policy", "--src-tls-verify=false", "--src-creds", creds, ref, `oci:${pulled}:v1`], { timeout: 60_000 }), "skopeo pull");
  const hex = image.layer.digest.slice("sha256:".length);
  const layer = await readFile(join(pulled, "blobs", "sha256", hex));
  expect(layer.length).toBe(image.layer.size);
  expect(sha256(layer)).toBe(image.layer.digest);
}

it("skopeo pushes and pulls an image with a layer over 5 MiB, bytes through Quayside", { timeout: 120_000 }, async () => {
  await pushAndPull(await serverOnS3("proxied", false), "through");
});

it("skopeo pulls it from presigned bucket URLs when redirects are on", { timeout: 120_000 }, async () => {
  await pushAndPull(await serverOnS3("redirected", true), "redirected");
});

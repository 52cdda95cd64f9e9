// Indexing pushed manifests against a real database and blob store: a registry push queues one
// scan per digest; the job writes each package with the layer that brought it, reads a layer
// once for all images sharing it, marks indexes and artifacts unsupported, keeps a failure's
// reason and retries a bounded number of times; the backfill queues what pushes did not, and
// garbage collection drops scans no manifest holds any more.
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { advisories, layerIndexes, manifestScans, scannedPackages } from "../../../db/schema.ts";
import { OCI_INDEX, OCI_MANIFEST } from "../../../e2e/support/built-image.ts";
import { RegistryClient, sha256 } from "../../../e2e/support/registry-client.ts";
import { type TestEnv, testEnv } from "../../../e2e/support/test-app.ts";
import type { BlobStore } from "../../storage/blob-store.ts";
import { collectGarbage } from "../content/garbage-collection.ts";
import { gzip, type LayerEntry, tar } from "./fixtures/build-layer.ts";
import {
  backfillScans,
  INDEXER_VERSION,
  indexManifest,
  queueManifestScan,
  RETRY_DELAY_SECONDS,
  runScanJob,
  SCAN_ATTEMPTS,
  SCAN_QUEUE,
  type ScanJob,
  type ScanServices,
} from "./indexing.ts";

let env: TestEnv;
let registry: RegistryClient;
let sent: { queue: string; data: ScanJob; startAfter?: number }[] = [];
let now = new Date("2025-01-01T00:00:00Z");
const clock = { now: () => now };
/** Layer digests read from blob storage. */
let reads: string[] = [];

beforeAll(async () => {
  env = await testEnv({}, { clock });
  env.deps.jobs = {
    async send(queue, data, options) {
      sent.push({ queue, data: data as ScanJob, startAfter: options?.startAfter });
    },
  };
  const store = env.deps.store;
  env.deps.store = new Proxy(store, {
    get(target, key: keyof BlobStore) {
      if (key !== "read") return target[key];
      return (digest: string, range?: Parameters<BlobStore["read"]>[1]) => {
        reads.push(digest);
        return target.read(digest, range);
      };
    },
  });
  await env.user("alice");
  registry = new RegistryClient(env, { username: "alice", password: "password-alice" });
}, 60_000);

afterAll(() => env?.close());

beforeEach(() => {
  sent = [];
  reads = [];
});

const svc = (): ScanServices => env.deps;

const DEBIAN = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n';
const dpkgStatus = (...packages: [string, string][]) =>
  packages.map(([name, version]) => `Package: ${name}\nStatus: install ok installed\nVersion: ${version}\nArchitecture: amd64\n`).join("\n");
const BASE: LayerEntry[] = [
  { path: "etc/os-release", content: DEBIAN },
  { path: "var/lib/dpkg/status", content: dpkgStatus(["libc6", "2.36-9"], ["openssl", "3.0.11-1"]) },
];
const APP: LayerEntry[] = [
  { path: "usr/lib/python3/dist-packages/requests-2.31.0.dist-info/METADATA", content: "Metadata-Version: 2.1\nName: requests\nVersion: 2.31.0\n" },
  { path: "app/node_modules/left-pad/package.json", content: JSON.stringify({ name: "left-pad", version: "1.3.0" }) },
];

/** Pushes gzip tar layers, an image config and an OCI manifest; the manifest's and layers' digests. */
async function pushLayers(repo: string, reference: string, layers: (LayerEntry[] | Uint8Array)[], artifactType?: string) {
  const blobs = layers.map((layer) => (layer instanceof Uint8Array ? layer : gzip(tar(layer))));
  const digests: string[] = [];
  for (const blob of blobs) digests.push(await registry.pushBlob(repo, blob));
  const config = JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [] } });
  const configDigest = await registry.pushBlob(repo, config);
  const body = JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    ...(artifactType ? { artifactType } : {}),
    config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: configDigest, size: config.length },
    layers: blobs.map((blob, i) => ({ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: digests[i], size: blob.length })),
  });
  const res = await registry.pushManifest(repo, reference, body, OCI_MANIFEST);
  if (res.status !== 201) throw new Error(`push failed: ${res.status} ${await res.text()}`);
  const digest = sha256(body);
  await pushSettled(digest);
  return { digest, body, layers: digests };
}

/** The registry queues a push's scan after answering: wait for it; reads so far were the push's own (its config). */
async function pushSettled(digest: string) {
  for (let i = 0; i < 100 && !(await scanOf(digest)); i++) await new Promise((resolve) => setTimeout(resolve, 20));
  await new Promise((resolve) => setTimeout(resolve, 50));
  reads = [];
}

async function scanOf(digest: string) {
  const [row] = await env.deps.db.select().from(manifestScans).where(eq(manifestScans.digest, digest));
  return row;
}

async function packagesOf(digest: string) {
  return env.deps.db.execute<{ name: string; version: string; ecosystem: string; distro: string; layer_index: number; layer_digest: string }>(sql`
    select p.name, p.version, p.ecosystem, p.distro_id || ' ' || p.distro_version_id as distro, mp.layer_index, mp.layer_digest
    from manifest_packages mp join scanned_packages p on p.id = mp.package_id
    where mp.manifest_digest = ${digest} order by mp.layer_index, p.name`);
}


describe("queueing scans", () => {
  it("queues one scan for a pushed digest, however many repositories push it", async () => {
    const image = await pushLayers("alice/queued", "v1", [BASE]);
    expect(await scanOf(image.digest)).toMatchObject({ status: "queued", error: null });
    expect(sent).toEqual([{ queue: SCAN_QUEUE, data: { digest: image.digest, attempt: 1 }, startAfter: undefined }]);
    sent = [];
    expect(await queueManifestScan(svc(), image.digest)).toBe(false);
    await pushLayers("alice/queued-too", "v1", [BASE]);
    expect(sent).toEqual([]);
  });

  it("queues nothing with the scanner switched off", async () => {
    const off = { ...svc(), config: { features: { ...env.config.features, securityScanner: false } } };
    expect(await queueManifestScan(off, "sha256:" + "0".repeat(64))).toBe(false);
    expect(await scanOf("sha256:" + "0".repeat(64))).toBeUndefined();
    expect(await backfillScans(off)).toBe(0);
  });
});

describe("indexing an image", () => {
  it("writes each package with the layer that brought it and the distribution, and matches them", async () => {
    const [advisory] = await env.deps.db
      .insert(advisories)
      .values({
        source: "osv",
        advisoryId: "GHSA-test-left-pad",
        severity: "High",
        ecosystem: "npm",
        packageName: "left-pad",
        ranges: [{ type: "SEMVER", events: [{ introduced: "0" }, { fixed: "1.3.1" }] }],
      })
      .returning();
    const image = await pushLayers("alice/indexed", "v1", [BASE, APP]);
    await runScanJob(svc(), { digest: image.digest, attempt: 1 });
    expect(await scanOf(image.digest)).toMatchObject({
      status: "scanned",
      indexerVersion: INDEXER_VERSION,
      error: null,
      distribution: { id: "debian", versionId: "12", versionCodename: "bookworm" },
    });
    expect([...(await packagesOf(image.digest))]).toEqual([
      { name: "libc6", version: "2.36-9", ecosystem: "dpkg", distro: "debian 12", layer_index: 0, layer_digest: image.layers[0] },
      { name: "openssl", version: "3.0.11-1", ecosystem: "dpkg", distro: "debian 12", layer_index: 0, layer_digest: image.layers[0] },
      { name: "left-pad", version: "1.3.0", ecosystem: "npm", distro: " ", layer_index: 1, layer_digest: image.layers[1] },
      { name: "requests", version: "2.31.0", ecosystem: "pypi", distro: " ", layer_index: 1, layer_digest: image.layers[1] },
    ]);
    expect(reads.sort()).toEqual([...image.layers].sort());
    const matched = await env.deps.db.execute<{ name: string; fixed_by: string }>(sql`
      select p.name, pv.fixed_by from package_vulnerabilities pv join scanned_packages p on p.id = pv.package_id
      where pv.advisory_id = ${advisory!.id}`);
    expect([...matched]).toEqual([{ name: "left-pad", fixed_by: "1.3.1" }]);
  });

  it("reads a layer once for every image holding it, and shares the package rows", async () => {
    const first = await pushLayers("alice/shared", "a", [BASE]);
    await runScanJob(svc(), { digest: first.digest, attempt: 1 });
    const packagesBefore = await env.deps.db.$count(scannedPackages);
    reads = [];
    const upgrade: LayerEntry[] = [{ path: "var/lib/dpkg/status", content: dpkgStatus(["libc6", "2.36-9"], ["openssl", "3.0.13-1"]) }];
    const second = await pushLayers("alice/shared", "b", [BASE, upgrade]);
    await runScanJob(svc(), { digest: second.digest, attempt: 1 });
    expect(reads).toEqual([second.layers[1]]);
    const rows = await packagesOf(second.digest);
    expect(rows.map((p) => `${p.name} ${p.version} @${p.layer_index}`)).toEqual(["libc6 2.36-9 @0", "openssl 3.0.13-1 @1"]);
    // libc6 is the same package row as in the first image; only the upgraded openssl is new.
    expect(await env.deps.db.$count(scannedPackages)).toBe(packagesBefore + 1);
    const [layer] = await env.deps.db.select().from(layerIndexes).where(eq(layerIndexes.digest, second.layers[0]!));
    expect(layer).toMatchObject({ indexerVersion: INDEXER_VERSION });
  });

  it("does not scan again a digest already scanned (a job that runs twice)", async () => {
    const image = await pushLayers("alice/twice", "v1", [BASE]);
    await runScanJob(svc(), { digest: image.digest, attempt: 1 });
    reads = [];
    expect(await indexManifest(svc(), image.digest)).toEqual([]);
    expect(reads).toEqual([]);
  });

  it("marks an index unsupported and queues its platform images", async () => {
    const child = await pushLayers("alice/multi", "amd64", [BASE]);
    const body = JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [{ mediaType: OCI_MANIFEST, digest: child.digest, size: Buffer.byteLength(child.body), platform: { architecture: "amd64", os: "linux" } }],
    });
    expect((await registry.pushManifest("alice/multi", "v1", body, OCI_INDEX)).status).toBe(201);
    const index = sha256(body);
    await pushSettled(index);
    await env.deps.db.delete(manifestScans).where(eq(manifestScans.digest, child.digest));
    sent = [];
    await runScanJob(svc(), { digest: index, attempt: 1 });
    expect(await scanOf(index)).toMatchObject({ status: "unsupported", error: expect.stringMatching(/index/) });
    expect(sent.map((job) => job.data)).toEqual([{ digest: child.digest, attempt: 1 }]);
    expect(await scanOf(child.digest)).toMatchObject({ status: "queued" });
  });

  it("marks an artifact unsupported without reading its layers", async () => {
    const artifact = await pushLayers("alice/artifact", "sbom", [BASE], "application/spdx+json");
    await runScanJob(svc(), { digest: artifact.digest, attempt: 1 });
    expect(await scanOf(artifact.digest)).toMatchObject({ status: "unsupported", error: expect.stringMatching(/spdx/) });
    expect(reads).toEqual([]);
  });
});

describe("a failing scan", () => {
  it("is kept with its reason and tried again, held back longer each time, until it stays failed", async () => {
    const image = await pushLayers("alice/broken", "v1", [BASE, [{ path: "etc/motd", content: "hi" }]]);
    await env.deps.store.delete(image.layers[1]!);
    sent = [];
    for (let attempt = 1; attempt < SCAN_ATTEMPTS; attempt++) {
      await runScanJob(svc(), { digest: image.digest, attempt });
      expect(await scanOf(image.digest)).toMatchObject({ status: "queued", error: expect.stringContaining(`try ${attempt} of ${SCAN_ATTEMPTS}`) });
      expect(sent.pop()).toEqual({ queue: SCAN_QUEUE, data: { digest: image.digest, attempt: attempt + 1 }, startAfter: RETRY_DELAY_SECONDS * attempt });
    }
    await runScanJob(svc(), { digest: image.digest, attempt: SCAN_ATTEMPTS });
    expect(await scanOf(image.digest)).toMatchObject({
      status: "failed",
      error: `try ${SCAN_ATTEMPTS} of ${SCAN_ATTEMPTS}: layer ${image.layers[1]} could not be opened in blob storage`,
    });
    expect(sent).toEqual([]);
  });

  it("fails at once, without retries, when a layer is no archive (the same bytes will not read better)", async () => {
    const noise = new Uint8Array(4096).map((_, i) => (i * 7919) % 251);
    const image = await pushLayers("alice/noise", "v1", [BASE, noise]);
    sent = [];
    await runScanJob(svc(), { digest: image.digest, attempt: 1 });
    expect(await scanOf(image.digest)).toMatchObject({ status: "failed", error: expect.stringContaining("not a tar archive") });
    expect(sent).toEqual([]);
  });
});

describe("the backfill", () => {
  it("queues manifests pushed without a scan, scans by an older indexer and queued scans whose job was lost", async () => {
    const missing = await pushLayers("alice/backfill", "missing", [[{ path: "a", content: "1" }]]);
    const old = await pushLayers("alice/backfill", "old", [[{ path: "b", content: "2" }]]);
    const lost = await pushLayers("alice/backfill", "lost", [[{ path: "c", content: "3" }]]);
    await env.deps.db.delete(manifestScans).where(eq(manifestScans.digest, missing.digest));
    await env.deps.db.update(manifestScans).set({ status: "scanned", indexerVersion: INDEXER_VERSION - 1 }).where(eq(manifestScans.digest, old.digest));
    await env.deps.db.update(manifestScans).set({ queuedAt: new Date(now.getTime() - 2 * 3600_000) }).where(eq(manifestScans.digest, lost.digest));
    // Everything else pushed by the tests above is scanned, queued just now or failed.
    sent = [];
    const queued = await backfillScans(svc());
    expect(sent.map((job) => job.data.digest).sort()).toEqual([missing.digest, old.digest, lost.digest].sort());
    expect(queued).toBe(3);
    expect(await scanOf(missing.digest)).toMatchObject({ status: "queued" });
    expect(await scanOf(old.digest)).toMatchObject({ status: "queued" });
    sent = [];
    expect(await backfillScans(svc())).toBe(0);
  });
});

describe("garbage collection", () => {
  it("drops a scan once no repository holds its digest, with the packages and layer indexes nothing else uses", async () => {
    const only: LayerEntry[] = [{ path: "var/lib/dpkg/status", content: dpkgStatus(["only-here", "1.0"]) }];
    const one = await pushLayers("alice/gc-one", "v1", [only]);
    const two = await pushLayers("alice/gc-two", "v1", [only]);
    expect(two.digest).toBe(one.digest);
    await runScanJob(svc(), { digest: one.digest, attempt: 1 });
    const onlyHere = async () => (await env.deps.db.select().from(scannedPackages).where(eq(scannedPackages.name, "only-here"))).length;
    expect(await onlyHere()).toBe(1);

    const removeAndCollect = async (repo: string) => {
      const res = await registry.request(`/v2/${repo}/manifests/${one.digest}`, { method: "DELETE" });
      expect(res.status).toBe(202);
      // Past the time machine's window and the push grace.
      now = new Date(now.getTime() + 60 * 86_400_000);
      await collectGarbage(env.deps, { graceSeconds: 3600, pace: 0 });
    };
    await removeAndCollect("alice/gc-one");
    expect(await scanOf(one.digest)).toMatchObject({ status: "scanned" });
    await removeAndCollect("alice/gc-two");
    expect(await scanOf(one.digest)).toBeUndefined();
    expect(await onlyHere()).toBe(0);
    expect(await env.deps.db.select().from(layerIndexes).where(eq(layerIndexes.digest, one.layers[0]!))).toEqual([]);
    // A package another image still lists stays.
    expect((await env.deps.db.select().from(scannedPackages).where(eq(scannedPackages.name, "libc6"))).length).toBe(1);
  });
});

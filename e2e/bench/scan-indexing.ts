// Indexing a pushed image (issue 15: a 1 GiB image of 10 layers, under 30 s on 2 cores and the
// server under 250 MB): each repetition pushes a fresh image of 10 gzip layers of ~102 MiB each
// (random files that do not compress, a Debian dpkg status of 200 packages in the first layer, 300
// node_modules packages in each), then times from the manifest PUT's answer until the server's
// own security-scan job has marked it scanned, sampling the server's resident memory meanwhile.
// The time includes the job queue's pickup (pg-boss polls every 2 s). A second row pushes an
// image on the same 10 layers plus a small one: only that layer is read, the rest come from
// layer_indexes.
import { randomBytes } from "node:crypto";
import { gzipSync } from "node:zlib";
import postgres from "postgres";
import { type LayerEntry, tar } from "../../server/domain/scanning/fixtures/build-layer.ts";
import { type Blob, configBlob, OCI_CONFIG, OCI_LAYER, OCI_MANIFEST, pushMonolithic, putManifest, sha256 } from "./client.ts";
import { residentBytes, sampleMemory, type BenchServer } from "./server-process.ts";
import { type Row, type Sample, summarize } from "./measure.ts";
import type { Bench } from "./operations.ts";
import { quaysideDatabaseUrl } from "./quayside-db.ts";
import { MiB } from "./stats.ts";

const REPO = "bench/scanned";
const LAYERS = 10;
const FILES_PER_LAYER = 12;
const FILE_BYTES = 8.5 * MiB;
const NODE_PACKAGES_PER_LAYER = 300;
const DPKG_PACKAGES = 200;

/** One layer: random files cut from the pool (a fresh salt each), package metadata, gzip level 1. */
function layerBlob(b: Bench, image: string, index: number): Blob {
  const entries: LayerEntry[] = [];
  if (index === 0) {
    entries.push({ path: "etc/os-release", content: 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n' });
    const status = Array.from({ length: DPKG_PACKAGES }, (_, i) => `Package: deb-${i}\nStatus: install ok installed\nVersion: 1.${i}-1\nArchitecture: amd64\n`);
    entries.push({ path: "var/lib/dpkg/status", content: status.join("\n") });
  }
  for (let i = 0; i < NODE_PACKAGES_PER_LAYER; i++) {
    entries.push({ path: `app/l${index}/node_modules/pkg-${i}/package.json`, content: JSON.stringify({ name: `pkg-${index}-${i}`, version: `1.0.${i}` }) });
  }
  for (let i = 0; i < FILES_PER_LAYER; i++) {
    const start = Math.floor(Math.random() * (b.pool.length - FILE_BYTES));
    const data = Buffer.from(b.pool.subarray(start, start + FILE_BYTES));
    randomBytes(32).copy(data);
    entries.push({ path: `data/${image}/l${index}/file-${i}.bin`, content: data });
  }
  const data = gzipSync(tar(entries), { level: 1 });
  return { data, digest: sha256(data) };
}

async function waitScanned(sql: postgres.Sql, digest: string): Promise<void> {
  for (;;) {
    const [row] = await sql<{ status: string; error: string | null }[]>`select status, error from manifest_scans where digest = ${digest}`;
    if (row?.status === "scanned") return;
    if (row && row.status !== "queued" && row.status !== "scanning") throw new Error(`scan of ${digest} ended ${row.status}: ${row.error}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

interface Pushed {
  digest: string;
  size: number;
}

/** Builds and pushes a layer at a time (never the whole image in memory); not timed. */
async function pushLayers(b: Bench, image: string): Promise<Pushed[]> {
  const pushed: Pushed[] = [];
  for (let i = 0; i < LAYERS; i++) {
    const layer = layerBlob(b, image, i);
    // Building a layer takes seconds: the kept-alive socket may have been closed by the server
    // meanwhile (Node's 5 s keep-alive timeout) just as it is reused; once more on a new one.
    await pushMonolithic(b.quayside, REPO, layer).catch(() => pushMonolithic(b.quayside, REPO, layer));
    pushed.push({ digest: layer.digest, size: layer.data.length });
  }
  return pushed;
}

/** Puts the manifest of `layers` (pushed before); seconds until scanned and the server's RSS before and at its peak. */
async function putAndScan(b: Bench, server: BenchServer, sql: postgres.Sql, layers: Pushed[], tag: string) {
  const config = configBlob(layers.length);
  await pushMonolithic(b.quayside, REPO, config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: OCI_CONFIG, digest: config.digest, size: config.data.length },
      layers: layers.map((layer) => ({ mediaType: OCI_LAYER, ...layer })),
    }),
  );
  const before = residentBytes(server.pid);
  const sampler = sampleMemory(server.pid);
  const started = performance.now();
  await putManifest(b.quayside, REPO, tag, manifest);
  await waitScanned(sql, sha256(manifest));
  return { seconds: (performance.now() - started) / 1000, before, peak: sampler.stop() };
}

export async function scanIndexingRows(b: Bench, server: BenchServer): Promise<Row[]> {
  const sql = postgres(quaysideDatabaseUrl(server), { max: 1, onnotice: () => {} });
  try {
    const fresh: Sample[] = [];
    const cached: Sample[] = [];
    let before = Number.POSITIVE_INFINITY;
    let peak = 0;
    let cachedPeak = 0;
    let compressed = 0;
    for (let rep = 0; rep < b.reps; rep++) {
      const image = `i${rep}-${Date.now()}`;
      const layers = await pushLayers(b, image);
      compressed = layers.reduce((sum, layer) => sum + layer.size, 0);
      const first = await putAndScan(b, server, sql, layers, `${image}-a`);
      fresh.push({ value: first.seconds });
      before = Math.min(before, first.before);
      peak = Math.max(peak, first.peak);
      const extraData = gzipSync(tar([{ path: `app/${image}/node_modules/extra/package.json`, content: '{"name":"extra","version":"1.0.0"}' }]));
      const extra: Blob = { data: extraData, digest: sha256(extraData) };
      await pushMonolithic(b.quayside, REPO, extra);
      const again = await putAndScan(b, server, sql, [...layers, { digest: extra.digest, size: extra.data.length }], `${image}-b`);
      cached.push({ value: again.seconds });
      cachedPeak = Math.max(cachedPeak, again.peak);
    }
    const gib = (compressed / 1024 / MiB).toFixed(2);
    return [
      {
        section: "Scale",
        name: `Indexing a pushed ${gib} GiB image of ${LAYERS} gzip layers (manifest PUT answered → scanned, job pickup included)`,
        unit: "s",
        higherIsBetter: false,
        quayside: summarize(fresh),
        limits: [],
        quaysideRssBeforeBytes: before,
        quaysidePeakRssBytes: peak,
        target: { kind: "none", text: "under 30 s on 2 cores, server under 250 MB" },
        note: `${LAYERS * (NODE_PACKAGES_PER_LAYER + FILES_PER_LAYER)} files of interest and ${DPKG_PACKAGES} dpkg packages; server peak ${(peak / MiB).toFixed(0)} MB`,
      },
      {
        section: "Scale",
        name: `Indexing the same ${LAYERS} layers plus one small layer (layer indexes reused)`,
        unit: "s",
        higherIsBetter: false,
        quayside: summarize(cached),
        limits: [],
        quaysidePeakRssBytes: cachedPeak,
        target: { kind: "none", text: "only the new layer is read" },
      },
    ];
  } finally {
    await sql.end();
  }
}

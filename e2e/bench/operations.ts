// The operation rows of the issue: each pushes, pulls or loads both registries in alternation
// and returns one Row (medians; p50/p99 where there are request latencies).
import { execFile } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { join } from "node:path";
import type { BareNodeServer } from "./bare-node.ts";
import { trackChild } from "./cleanup.ts";
import {
  type Blob,
  configBlob,
  httpRequest,
  imageManifest,
  makeBlob,
  OCI_MANIFEST,
  pushChunked,
  pushMonolithic,
  putManifest,
  sha256,
  type Target,
} from "./client.ts";
import { alternate, type Row, type Sample, syncDisks } from "./measure.ts";
import { headLoad } from "./head-load.ts";
import type { NginxServer } from "./nginx.ts";
import { buildOciLayout, type OciLayout } from "./oci-layout.ts";
import { residentBytes, sampleMemory } from "./server-process.ts";
import { mibPerSecond, MiB, since } from "./stats.ts";
import { runWrk, type WrkOptions } from "./wrk.ts";

export interface QuaysideTarget extends Target {
  pid: number;
}

export interface Fixtures {
  /** The 256 MiB blob for pulls and Range reads (also a file nginx serves). */
  pullBlob: Blob;
  /** A 10-layer image manifest for GET/HEAD (also what nginx and the bare Node server answer). */
  manifest: { config: Blob; layers: Blob[]; body: Buffer; digest: string };
}

export interface Bench {
  quayside: QuaysideTarget;
  distribution: Target;
  nginx: NginxServer;
  bareNode: BareNodeServer;
  /** Random bytes blobs are cut from. */
  pool: Buffer;
  fixtures: Fixtures;
  workDir: string;
  /** Load-run length in seconds for the registries, and for the limit rows. */
  loadSeconds: number;
  limitSeconds: number;
  reps: number;
}

export const PULL_BLOB_BYTES = 256 * MiB;

export async function makeFixtures(pool: Buffer): Promise<Fixtures> {
  const config = configBlob(10);
  const layers = await Promise.all(Array.from({ length: 10 }, () => makeBlob(pool, 1024)));
  const body = imageManifest(config, layers);
  return { pullBlob: await makeBlob(pool, PULL_BLOB_BYTES), manifest: { config, layers, body, digest: sha256(body) } };
}

const targets = (b: Bench): Target[] => [b.quayside, b.distribution];

/** Runs `measure` while sampling Quayside's resident memory; stores the peak in the row. */
export async function withRss(b: Bench, measure: () => Promise<Row>): Promise<Row> {
  const before = residentBytes(b.quayside.pid);
  const sampler = sampleMemory(b.quayside.pid, 25);
  try {
    const row = await measure();
    return { ...row, quaysideRssBeforeBytes: before, quaysidePeakRssBytes: sampler.stop() };
  } finally {
    sampler.stop();
  }
}

export function throughput(bytes: number, run: () => Promise<void>): () => Promise<Sample> {
  return async () => {
    await syncDisks();
    const start = performance.now();
    await run();
    return { value: mibPerSecond(bytes, since(start)) };
  };
}

// ---- blob push ------------------------------------------------------------------------------

/** One push measured on `measured` with the same push on `other` as the Limit column, alternating. */
export async function pushComparisonRow(
  b: Bench,
  sides: { measured: Target; other: Target; otherLabel: string; repo: string; target: string },
  name: string,
  size: number,
  push: (t: Target, repo: string, blob: Blob) => Promise<void>,
): Promise<Row> {
  const { measured, other, repo } = sides;
  for (const t of [measured, other]) await push(t, repo, await makeBlob(b.pool, 4 * MiB)); // warm-up
  let blob: Blob;
  const r = await alternate(b.reps + 2, async () => void (blob = await makeBlob(b.pool, size)), {
    measured: throughput(size, () => push(measured, repo, blob)),
    other: throughput(size, () => push(other, repo, blob)),
  });
  return {
    section: "Operations",
    name,
    unit: "MiB/s",
    higherIsBetter: true,
    quayside: r.measured,
    limits: [{ label: sides.otherLabel, result: r.other! }],
    target: { kind: "none", text: sides.target },
  };
}

export function monolithicPush(b: Bench): Promise<Row> {
  const size = 64 * MiB;
  const repo = "bench/push-monolithic";
  return withRss(b, async () => {
    for (const t of targets(b)) await pushMonolithic(t, repo, await makeBlob(b.pool, 4 * MiB)); // warm-up
    let blob: Blob;
    const r = await alternate(b.reps + 2, async () => void (blob = await makeBlob(b.pool, size)), {
      quayside: throughput(size, () => pushMonolithic(b.quayside, repo, blob)),
      distribution: throughput(size, () => pushMonolithic(b.distribution, repo, blob)),
    });
    return {
      section: "Operations",
      name: "Blob push, monolithic (POST + PUT, 64 MiB)",
      unit: "MiB/s",
      higherIsBetter: true,
      quayside: r.quayside,
      distribution: r.distribution,
      limits: [],
      target: { kind: "ratio", min: 2 },
    };
  });
}

export function chunkedPush(b: Bench): Promise<Row> {
  const size = 128 * MiB;
  const repo = "bench/push-chunked";
  return withRss(b, async () => {
    for (const t of targets(b)) await pushChunked(t, repo, await makeBlob(b.pool, 12 * MiB)); // warm-up
    let blob: Blob;
    const r = await alternate(b.reps, async () => void (blob = await makeBlob(b.pool, size)), {
      quayside: throughput(size, () => pushChunked(b.quayside, repo, blob, 5 * MiB)),
      distribution: throughput(size, () => pushChunked(b.distribution, repo, blob, 5 * MiB)),
    });
    return {
      section: "Operations",
      name: "Blob push, chunked (5 MiB PATCHes, 128 MiB)",
      unit: "MiB/s",
      higherIsBetter: true,
      quayside: r.quayside,
      distribution: r.distribution,
      limits: [],
      target: { kind: "ratio", min: 2 },
    };
  });
}

export function concurrentPushes(b: Bench): Promise<Row> {
  const size = 32 * MiB;
  const count = 8;
  const repo = "bench/push-concurrent";
  return withRss(b, async () => {
    let blobs: Blob[] = [];
    const all = (t: Target) => throughput(size * count, async () => {
      await Promise.all(blobs.map((blob) => pushMonolithic(t, repo, blob)));
    });
    const r = await alternate(b.reps, async () => void (blobs = await Promise.all(Array.from({ length: count }, () => makeBlob(b.pool, size)))), {
      quayside: all(b.quayside),
      distribution: all(b.distribution),
    });
    return {
      section: "Operations",
      name: "8 concurrent monolithic pushes (8 × 32 MiB, aggregate)",
      unit: "MiB/s",
      higherIsBetter: true,
      quayside: r.quayside,
      distribution: r.distribution,
      limits: [],
      target: { kind: "ratio", min: 1 },
    };
  });
}

// ---- blob pull ------------------------------------------------------------------------------

/** GETs `url` with curl, discarding the body; `curlArgs` such as -L go before the URL. */
export function curlGet(
  url: string,
  headers: Record<string, string>,
  curlArgs: string[] = [],
): Promise<{ status: number; bytes: number; seconds: number }> {
  const args = ["-sS", "-o", "/dev/null", "-w", "%{http_code} %{size_download} %{time_total}", ...curlArgs];
  for (const [k, v] of Object.entries(headers)) args.push("-H", `${k}: ${v}`);
  args.push(url);
  return new Promise((resolveGet, reject) => {
    const child = execFile("curl", args, { encoding: "utf8", timeout: 120_000 }, (err, stdout) => {
      if (err) return reject(err);
      const [status, bytes, seconds] = stdout.trim().split(" ").map(Number);
      resolveGet({ status: status!, bytes: bytes!, seconds: seconds! });
    });
    trackChild(child, "curl");
  });
}

export async function setUpPullBlob(b: Bench): Promise<void> {
  for (const t of targets(b)) await pushMonolithic(t, "bench/pull", b.fixtures.pullBlob);
}

function pullUrls(b: Bench) {
  const path = `/v2/bench/pull/blobs/${b.fixtures.pullBlob.digest}`;
  return { quayside: `${b.quayside.url}${path}`, distribution: `${b.distribution.url}${path}`, nginx: `${b.nginx.url}/blob.bin` };
}

export function blobPull(b: Bench): Promise<Row> {
  return withRss(b, async () => {
    const urls = pullUrls(b);
    const qAuth = await b.quayside.auth("bench/pull");
    const pull = (url: string, headers: Record<string, string>) => async (): Promise<Sample> => {
      const res = await curlGet(url, headers);
      if (res.status !== 200 || res.bytes !== PULL_BLOB_BYTES) throw new Error(`pull ${url}: ${res.status}, ${res.bytes} bytes`);
      return { value: PULL_BLOB_BYTES / MiB / res.seconds };
    };
    const sides = {
      quayside: pull(urls.quayside, qAuth),
      distribution: pull(urls.distribution, {}),
      nginx: pull(urls.nginx, {}),
    };
    for (const run of Object.values(sides)) await run(); // warm-up (page cache, JIT)
    const r = await alternate(b.reps + 2, () => undefined, sides);
    return {
      section: "Operations",
      name: "Blob pull (256 MiB, curl)",
      unit: "MiB/s",
      higherIsBetter: true,
      quayside: r.quayside,
      distribution: r.distribution,
      limits: [{ label: "nginx sendfile", result: r.nginx! }],
      target: { kind: "limit", fraction: 0.8, limit: "nginx sendfile" },
    };
  });
}

export function wrkSample(url: string, options: WrkOptions, scriptDir: string) {
  return async (): Promise<Sample> => {
    const r = await runWrk(url, options, scriptDir);
    return { value: r.requestsPerSecond, p50Ms: r.p50Ms, p99Ms: r.p99Ms, errors: r.errors };
  };
}

export function rangeReads(b: Bench): Promise<Row> {
  return withRss(b, async () => {
    const urls = pullUrls(b);
    const qAuth = await b.quayside.auth("bench/pull");
    const size = MiB;
    // Check that each answers 206 with the right bytes before loading it.
    for (const [url, headers] of [[urls.quayside, qAuth], [urls.distribution, {}], [urls.nginx, {}]] as const) {
      const res = await httpRequest(url, "GET", { ...headers, range: `bytes=${size}-${2 * size - 1}` });
      if (res.status !== 206 || !res.body.equals(b.fixtures.pullBlob.data.subarray(size, 2 * size))) {
        throw new Error(`range read ${url}: ${res.status}, ${res.body.length} bytes`);
      }
    }
    const options = (headers: Record<string, string>, seconds: number): WrkOptions => ({
      connections: 8,
      seconds,
      headers,
      randomRange: { size, total: PULL_BLOB_BYTES },
    });
    const r = await alternate(b.reps, () => undefined, {
      quayside: wrkSample(urls.quayside, options(qAuth, b.limitSeconds), b.workDir),
      distribution: wrkSample(urls.distribution, options({}, b.limitSeconds), b.workDir),
      nginx: wrkSample(urls.nginx, options({}, b.limitSeconds), b.workDir),
    });
    return {
      section: "Operations",
      name: "Blob Range reads (random 1 MiB windows, 8 connections; req/s = MiB/s)",
      unit: "req/s",
      higherIsBetter: true,
      quayside: r.quayside,
      distribution: r.distribution,
      limits: [{ label: "nginx sendfile", result: r.nginx! }],
      target: { kind: "ratio", min: 1 },
    };
  });
}

// ---- manifests ------------------------------------------------------------------------------

export async function setUpManifest(b: Bench): Promise<void> {
  const m = b.fixtures.manifest;
  for (const t of targets(b)) {
    for (const blob of [m.config, ...m.layers]) await pushMonolithic(t, "bench/manifests", blob);
    await putManifest(t, "bench/manifests", "latest", m.body);
  }
}

async function manifestLoad(b: Bench, method: "GET" | "HEAD"): Promise<Row> {
  return withRss(b, async () => {
    const m = b.fixtures.manifest;
    const reference = method === "GET" ? "latest" : m.digest;
    const path = `/v2/bench/manifests/manifests/${reference}`;
    const accept = { accept: OCI_MANIFEST };
    const qHeaders = { ...(await b.quayside.auth("bench/manifests")), ...accept };
    const urls: [string, string, Record<string, string>][] = [
      ["quayside", `${b.quayside.url}${path}`, qHeaders],
      ["distribution", `${b.distribution.url}${path}`, accept],
      ["nginx", `${b.nginx.url}/manifest.json`, accept],
      ["bare Node", b.bareNode.url, accept],
    ];
    for (const [label, url, headers] of urls) {
      const res = await httpRequest(url, method, headers);
      const ok = res.status === 200 && (method === "HEAD" || res.body.equals(m.body));
      const digestOk = label === "quayside" || label === "distribution" ? res.headers["docker-content-digest"] === m.digest : true;
      if (!ok || !digestOk) throw new Error(`${method} ${url}: ${res.status} ${res.body.toString("utf8", 0, 300)}`);
    }
    const load = (url: string, headers: Record<string, string>, seconds: number) =>
      method === "GET"
        ? wrkSample(url, { connections: 32, seconds, headers }, b.workDir)
        : async (): Promise<Sample> => {
          const r = await headLoad(url, headers, 32, seconds);
          return { value: r.requestsPerSecond, p50Ms: r.p50Ms, p99Ms: r.p99Ms, errors: r.errors };
        };
    // Warm-up: one short run each.
    for (const [, url, headers] of urls.slice(0, 2)) await load(url, headers, 1)();
    const r = await alternate(b.reps, () => undefined, {
      quayside: load(urls[0]![1], qHeaders, b.loadSeconds),
      distribution: load(urls[1]![1], accept, b.loadSeconds),
      nginx: load(urls[2]![1], accept, b.limitSeconds),
      bareNode: load(urls[3]![1], accept, b.limitSeconds),
    });
    return {
      section: "Operations",
      name: method === "GET"
        ? "Manifest GET by tag (32 connections, wrk)"
        : "Manifest HEAD by digest (32 connections, head-load.ts: wrk 4.1 cannot HEAD)",
      unit: "req/s",
      higherIsBetter: true,
      quayside: r.quayside,
      distribution: r.distribution,
      limits: [
        { label: "bare Node", result: r.bareNode! },
        { label: "nginx", result: r.nginx! },
      ],
      target: { kind: "ratio", min: 5 },
    };
  });
}

export const manifestGet = (b: Bench) => manifestLoad(b, "GET");
export const manifestHead = (b: Bench) => manifestLoad(b, "HEAD");

export function manifestPut(b: Bench): Promise<Row> {
  const repo = "bench/manifest-put";
  const perRun = 100;
  return withRss(b, async () => {
    const config = configBlob(1);
    const layer = await makeBlob(b.pool, 4096);
    for (const t of targets(b)) {
      await pushMonolithic(t, repo, config);
      await pushMonolithic(t, repo, layer);
      await putManifest(t, repo, "warm-up", imageManifest(config, [layer], { "bench.run": "warm-up" }));
    }
    let manifests: Buffer[] = [];
    const puts = (t: Target) => async (_: void, rep: number): Promise<Sample> => {
      const latenciesMs: number[] = [];
      const start = performance.now();
      for (let i = 0; i < manifests.length; i++) {
        const one = performance.now();
        await putManifest(t, repo, `r${rep}-${i}`, manifests[i]!);
        latenciesMs.push(since(one));
      }
      return { value: manifests.length / (since(start) / 1000), latenciesMs };
    };
    const r = await alternate(
      b.reps,
      (rep) => {
        manifests = Array.from({ length: perRun }, (_, i) => imageManifest(config, [layer], { "bench.run": `${rep}-${i}` }));
      },
      { quayside: puts(b.quayside), distribution: puts(b.distribution) },
    );
    return {
      section: "Operations",
      name: `Manifest PUT with a new tag (sequential, ${perRun} per run)`,
      unit: "req/s",
      higherIsBetter: true,
      quayside: r.quayside,
      distribution: r.distribution,
      limits: [],
      target: { kind: "ratio", min: 1 },
    };
  });
}

// ---- tags list, token ----------------------------------------------------------------------

/** wrk over GET tags/list of a repository that holds `tags` tags (filled by scale.ts). */
export function tagsListLoad(b: Bench, repo: string, tags: number): Promise<Row> {
  return withRss(b, async () => {
    const path = `/v2/${repo}/tags/list`;
    const qHeaders = await b.quayside.auth(repo);
    for (const [t, headers] of [[b.quayside, qHeaders], [b.distribution, {}]] as const) {
      const res = await httpRequest(`${t.url}${path}`, "GET", headers);
      const count = res.status === 200 ? (JSON.parse(res.body.toString()) as { tags: string[] }).tags.length : -1;
      if (count !== tags) throw new Error(`${t.label} tags list: ${res.status}, ${count} tags (expected ${tags})`);
    }
    const options = (headers: Record<string, string>): WrkOptions => ({ connections: 8, seconds: b.limitSeconds, headers });
    await wrkSample(`${b.quayside.url}${path}`, { ...options(qHeaders), seconds: 1 }, b.workDir)();
    await wrkSample(`${b.distribution.url}${path}`, { ...options({}), seconds: 1 }, b.workDir)();
    const r = await alternate(b.reps, () => undefined, {
      quayside: wrkSample(`${b.quayside.url}${path}`, options(qHeaders), b.workDir),
      distribution: wrkSample(`${b.distribution.url}${path}`, options({}), b.workDir),
    });
    return {
      section: "Operations",
      name: `Tags list (${tags.toLocaleString("en-US")} tags, 8 connections)`,
      unit: "req/s",
      higherIsBetter: true,
      quayside: r.quayside,
      distribution: r.distribution,
      limits: [],
      target: { kind: "ratio", min: 1 },
    };
  });
}

export function tokenIssuance(b: Bench): Promise<Row> {
  return withRss(b, async () => {
    const url = `${b.quayside.url}/v2/auth?service=${encodeURIComponent(b.quayside.host)}&scope=${encodeURIComponent("repository:bench/manifests:pull,push")}`;
    const headers = { authorization: `Basic ${Buffer.from("bench:bench-password").toString("base64")}` };
    const check = await httpRequest(url, "GET", headers);
    if (check.status !== 200) throw new Error(`token endpoint: ${check.status} ${check.body.toString()}`);
    const r = await alternate(b.reps, () => undefined, {
      quayside: wrkSample(url, { connections: 8, seconds: b.limitSeconds, headers }, b.workDir),
    });
    return {
      section: "Operations",
      name: "Token issuance, GET /v2/auth with Basic (8 connections)",
      unit: "req/s",
      higherIsBetter: true,
      quayside: r.quayside,
      limits: [],
      target: { kind: "none", text: "none (distribution has no token service here)" },
      note: "Quayside only",
    };
  });
}

// ---- skopeo copy ---------------------------------------------------------------------------

function skopeoCopy(layout: OciLayout, target: Target, repo: string, creds: boolean): Promise<void> {
  const args = ["copy", "--quiet", "--insecure-policy", "--dest-tls-verify=false"];
  if (creds) args.push("--dest-creds", "bench:bench-password");
  args.push(`oci:${layout.dir}:${layout.tag}`, `docker://${target.host}/${repo}:${layout.tag}`);
  return new Promise((resolveCopy, reject) => {
    const child = execFile("skopeo", args, { encoding: "utf8", timeout: 300_000 }, (err, _out, stderr) => {
      if (err) return reject(new Error(`skopeo copy to ${target.label}: ${err.message}\n${stderr}`));
      resolveCopy();
    });
    trackChild(child, "skopeo");
  });
}

export function skopeoCopyImage(b: Bench): Promise<Row> {
  return withRss(b, async () => {
    const layout = await buildOciLayout(await mkdtemp(join(b.workDir, "oci-")), 10, 4 * MiB);
    const copy = (t: Target, creds: boolean) => async (_: void, rep: number): Promise<Sample> => {
      await syncDisks();
      const start = performance.now();
      await skopeoCopy(layout, t, `bench/skopeo-${rep}`, creds);
      return { value: since(start) / 1000 };
    };
    // Warm-up into a repository of its own.
    await skopeoCopy(layout, b.quayside, "bench/skopeo-warm-up", true);
    await skopeoCopy(layout, b.distribution, "bench/skopeo-warm-up", false);
    const r = await alternate(b.reps, () => undefined, {
      quayside: copy(b.quayside, true),
      distribution: copy(b.distribution, false),
    });
    return {
      section: "Operations",
      name: `skopeo copy of a 10-layer image (${(layout.bytes / MiB).toFixed(0)} MiB, new repository each run)`,
      unit: "s",
      higherIsBetter: false,
      quayside: r.quayside,
      distribution: r.distribution,
      limits: [],
      target: { kind: "ratio", min: 1 },
    };
  });
}

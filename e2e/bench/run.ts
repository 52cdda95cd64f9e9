// Quayside vs CNCF distribution 2.8, side by side on this machine, plus nginx and a bare Node
// server as the physical limits. Run: npm run bench (about 5 minutes on 2 cores).
// BENCH_QUICK=1 makes every cell one short run (for checking the harness, not for numbers);
// BENCH_ONLY=<regex> runs only the matching steps and writes results/partial.{md,json}.
import { mkdtemp, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { startBareNode } from "./bare-node.ts";
import { binaryRows } from "./binary.ts";
import { cleanupAll, installSignalHandlers, onCleanup, stopping } from "./cleanup.ts";
import { OCI_MANIFEST, randomPool, type Target } from "./client.ts";
import { startDistribution } from "../support/distribution.ts";
import { distributionVersion } from "./distribution.ts";
import type { Row } from "./measure.ts";
import { nginxVersion, startNginx } from "./nginx.ts";
import {
  type Bench,
  blobPull,
  chunkedPush,
  concurrentPushes,
  makeFixtures,
  manifestGet,
  manifestHead,
  manifestPut,
  monolithicPush,
  PULL_BLOB_BYTES,
  type QuaysideTarget,
  rangeReads,
  setUpManifest,
  setUpPullBlob,
  skopeoCopyImage,
  tagsListLoad,
  tokenIssuance,
} from "./operations.ts";
import { blobGetDuringLoginFlood } from "./login-flood.ts";
import { robotTokenIssuance } from "./robot-token.ts";
import { tagsTabRows } from "./tags-tab.ts";
import { usageLogApiRows } from "./usage-logs.ts";
import { usageLogPageRows } from "./usage-logs-page.ts";
import { scanIndexingRows } from "./scan-indexing.ts";
import { securityPageRows } from "./security-page.ts";
import { vulndbRematchRow } from "./vulndb-rematch.ts";
import { PROXY_BENCH_STALENESS, proxyPullRow } from "./proxy-pull.ts";
import { mirrorSyncRow } from "./mirror-sync.ts";
import { fsyncCost } from "./push-fsync.ts";
import { pullLoggingCost, pushLoggingCost } from "./usage-log-cost.ts";
import { s3Rows } from "./s3.ts";
import { twoNodeRows } from "./two-nodes.ts";
import { gcThroughput, pushesDuringGc, setUpGc } from "./gc.ts";
import { connectQuaysideDb } from "./quayside-db.ts";
import { machine, ratio, type Report, toolVersions, writeReport } from "./report.ts";
import { catalogLatency, fillRepositories, fillTags, setUpScale, tagsListLatency, TAGS_REPO } from "./scale.ts";
import { type BenchServer, registryToken, residentBytes, sampleMemory, startQuayside } from "./server-process.ts";

const quick = process.env.BENCH_QUICK === "1";

function quaysideTarget(server: BenchServer): QuaysideTarget {
  const tokens = new Map<string, Promise<string>>();
  const bearer = async (scope: string) => {
    if (!tokens.has(scope)) tokens.set(scope, registryToken(server, scope));
    return { authorization: `Bearer ${await tokens.get(scope)!}` };
  };
  return {
    label: "Quayside",
    url: server.url,
    host: server.host,
    pid: server.pid,
    auth: (repo) => bearer(`repository:${repo}:pull,push`),
    catalogAuth: () => bearer("registry:catalog:*"),
  };
}

const t0 = performance.now();
const elapsed = () => `[${((performance.now() - t0) / 1000).toFixed(0).padStart(3)} s]`;

function progress(row: Row): void {
  const r = ratio(row);
  const fmt = (v: number | undefined) => (v === undefined ? "–" : v.toFixed(v < 10 ? 2 : 0));
  console.log(
    `bench ${elapsed()} ${row.name}: Quayside ${fmt(row.quayside?.median)} ${row.unit}, distribution ${fmt(row.distribution?.median)}` +
      `${r === undefined ? "" : `, ratio ${r.toFixed(2)}×`}` +
      row.limits.map((l) => `, ${l.label} ${fmt(l.result.median)}`).join(""),
  );
}

async function main(): Promise<void> {
  installSignalHandlers();
  const started = performance.now();
  const date = new Date().toISOString();
  const loadAtStart = loadavg()[0]!;
  const workDir = await mkdtemp(join(tmpdir(), "quayside-bench-run-"));
  onCleanup("work dir", () => rm(workDir, { recursive: true, force: true }));
  try {
    console.log(`bench: preparing ${PULL_BLOB_BYTES / 1024 / 1024} MiB of random data`);
    const pool = await randomPool(PULL_BLOB_BYTES);
    const fixtures = await makeFixtures(pool);

    console.log("bench: starting Quayside (embedded Postgres), distribution, nginx, bare Node");
    // BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the server (see profile-summary.ts).
    // 127.0.0.1 is a trusted proxy, so the login-flood row can send each attempt from an address of its own.
    const server = await startQuayside(
      { QUAYSIDE_TRUSTED_PROXIES: "127.0.0.1" },
      process.env.BENCH_NODE_ARGS?.split(" ").filter(Boolean) ?? [],
    );
    onCleanup("quayside", () => server.stop());
    const idleBytes = residentBytes(server.pid);
    const distributionServer = await startDistribution(workDir);
    const nginx = await startNginx(workDir, [
      { name: "blob.bin", body: fixtures.pullBlob.data, contentType: "application/octet-stream" },
      { name: "manifest.json", body: fixtures.manifest.body, contentType: OCI_MANIFEST },
    ]);
    const bareNode = await startBareNode(workDir, fixtures.manifest.body, OCI_MANIFEST);
    const quaysideDb = connectQuaysideDb(server);
    onCleanup("quayside database connection", () => quaysideDb.close());
    const distribution: Target = {
      label: "distribution",
      url: distributionServer.url,
      host: distributionServer.host,
      auth: async () => ({}),
      catalogAuth: async () => ({}),
    };
    const bench: Bench = {
      quayside: quaysideTarget(server),
      distribution,
      nginx,
      bareNode,
      pool,
      fixtures,
      workDir,
      reps: quick ? 1 : 3,
      loadSeconds: quick ? 1 : 5,
      limitSeconds: quick ? 1 : 3,
    };
    const overall = sampleMemory(server.pid, 100);
    const ops: Row[] = [];
    const scale: Row[] = [];
    const record = (into: Row[], row: Row) => {
      progress(row);
      into.push(row);
    };

    // BENCH_ONLY=<regex> runs just the steps whose key matches (for iterating on one operation).
    const only = process.env.BENCH_ONLY ? new RegExp(process.env.BENCH_ONLY, "i") : undefined;
    const step = async (key: string, run: () => Promise<void>) => {
      if (!only || only.test(key)) await run();
    };

    // Catalog rows first, while the registries hold little besides the rows' repositories
    // (setUpScale's tags repository counts towards the totals).
    const st = await setUpScale(bench, quaysideDb, distributionServer);
    const catalogRows: Row[] = [];
    let tagsLoad: Row | undefined;
    await step("scale-small catalog", async () => {
      for (const total of [10, 1000]) {
        await fillRepositories(st, total);
        record(catalogRows, await catalogLatency(st, total));
      }
    });
    await step("scale-small tags", async () => {
      for (const total of [10, 1000]) {
        await fillTags(st, total);
        record(scale, await tagsListLatency(st));
      }
      tagsLoad = await tagsListLoad(bench, TAGS_REPO, 1000);
    });

    let concurrent: Row | undefined;
    await step("push monolithic", async () => record(ops, await monolithicPush(bench)));
    await step("push chunked", async () => record(ops, await chunkedPush(bench)));
    await step("push fsync", async () => {
      const noSync = await startQuayside({ QUAYSIDE_FSYNC: "false" });
      const stopNoSync = onCleanup("quayside without fsync", () => noSync.stop());
      for (const row of await fsyncCost(bench, quaysideTarget(noSync))) record(ops, row);
      await stopNoSync();
    });
    await step("push concurrent", async () => {
      concurrent = await concurrentPushes(bench);
      record(ops, concurrent);
    });
    await step("pull range", async () => {
      await setUpPullBlob(bench);
      record(ops, await blobPull(bench));
      record(ops, await rangeReads(bench));
    });
    if (["manifest get", "manifest head", "manifest put", "usage log cost"].some((key) => !only || only.test(key))) await setUpManifest(bench);
    await step("manifest get", async () => record(ops, await manifestGet(bench)));
    await step("manifest head", async () => record(ops, await manifestHead(bench)));
    await step("manifest put", async () => record(ops, await manifestPut(bench)));
    await step("usage log cost", async () => {
      // The bench server's settings but for pull logging, so the rows differ by that alone.
      const unlogged = await startQuayside({ QUAYSIDE_TRUSTED_PROXIES: "127.0.0.1", QUAYSIDE_LOG_PULLS: "false" });
      const stopUnlogged = onCleanup("quayside without pull logging", () => unlogged.stop());
      for (const row of await pullLoggingCost(bench, quaysideTarget(unlogged))) record(ops, row);
      record(ops, await pushLoggingCost(bench, server));
      await stopUnlogged();
    });
    if (tagsLoad) record(ops, tagsLoad);
    await step("token", async () => record(ops, await tokenIssuance(bench)));
    await step("robot token", async () => record(ops, await robotTokenIssuance(bench, quaysideDb)));
    await step("skopeo copy", async () => record(ops, await skopeoCopyImage(bench)));
    await step("login flood", async () => record(ops, await blobGetDuringLoginFlood(bench)));
    await step("s3", () => s3Rows(bench, (row) => record(ops, row)));
    await step("two-node", () => twoNodeRows(bench, server, (row) => record(ops, row)));
    await step("proxy pull", async () => {
      console.log(`bench ${elapsed()} a proxy cache organization over distribution with htpasswd, on a server of its own`);
      // A server of its own: loopback upstreams allowed, and a staleness window longer than the row.
      const proxying = await startQuayside({ QUAYSIDE_SSRF_ALLOWED_HOSTS: "127.0.0.1", QUAYSIDE_PROXY_CACHE_STALENESS: PROXY_BENCH_STALENESS });
      const stopProxying = onCleanup("quayside for proxy pulls", () => proxying.stop());
      record(ops, await proxyPullRow({ ...bench, quayside: quaysideTarget(proxying) }, proxying));
      await stopProxying();
    });
    await step("mirror sync", async () => {
      console.log(`bench ${elapsed()} mirroring 100 tags sharing layers from distribution with htpasswd, on a server of its own`);
      // A server of its own: loopback upstreams allowed, and no scanner, so the row times the sync alone.
      const mirroring = await startQuayside({ QUAYSIDE_SSRF_ALLOWED_HOSTS: "127.0.0.1", QUAYSIDE_SECURITY_SCANNER: "false" });
      const stopMirroring = onCleanup("quayside for mirror syncs", () => mirroring.stop());
      record(scale, await mirrorSyncRow({ ...bench, quayside: quaysideTarget(mirroring) }, mirroring));
      await stopMirroring();
    });
    await step("binary", async () => {
      for (const row of await binaryRows(workDir, bench.reps)) record(ops, row);
    });
    await step("gc", async () => {
      const gc = await setUpGc(bench, server);
      const closeGc = onCleanup("garbage-collection database connection", () => gc.close());
      record(scale, await gcThroughput(gc));
      record(ops, await pushesDuringGc(gc));
      await closeGc();
    });

    await step("scan indexing", async () => {
      console.log(`bench ${elapsed()} pushing 1 GiB images of 10 layers to a server of their own and timing their scans`);
      // A server of its own: its memory is the scan's alone, and the main server's earlier pushes
      // (random bytes for layers) leave their scans' failures queued on its worker.
      const scanning = await startQuayside();
      const stopScanning = onCleanup("quayside for scan indexing", () => scanning.stop());
      for (const row of await scanIndexingRows({ ...bench, quayside: quaysideTarget(scanning) }, scanning)) record(scale, row);
      await stopScanning();
    });

    await step("scale-large tags catalog", async () => {
      console.log(`bench ${elapsed()} filling 100 000 tags and repositories`);
      await fillTags(st, 100_000);
      record(scale, await tagsListLatency(st));
      await fillRepositories(st, 100_000);
      record(catalogRows, await catalogLatency(st, 100_000));
    });

    await step("tags-tab", async () => {
      console.log(`bench ${elapsed()} filling 100 000 tags for the Tags tab and tag API rows`);
      for (const row of await tagsTabRows(st)) record(scale, row);
    });

    await step("usage logs api", async () => {
      console.log(`bench ${elapsed()} filling 10 000 000 usage-log rows`);
      for (const row of await usageLogApiRows(st)) record(scale, row);
    });

    await step("usage logs page", async () => {
      console.log(`bench ${elapsed()} usage-log pages over the same 10 000 000 rows`);
      for (const row of await usageLogPageRows(st)) record(scale, row);
    });

    await step("security page", async () => {
      console.log(`bench ${elapsed()} a scan report of 5 000 vulnerabilities for the Security page rows`);
      for (const row of await securityPageRows(st, server)) record(scale, row);
    });

    // Last: its vulnerability_found deliveries run on the server's workers after it.
    await step("vulndb rematch", async () => {
      console.log(`bench ${elapsed()} storing 10 000 scanned manifests, then importing advisories`);
      record(scale, await vulndbRematchRow(bench, server, "bench"));
    });

    const report: Report = {
      date,
      durationSeconds: (performance.now() - started) / 1000,
      machine: machine(),
      versions: {
        ...toolVersions(),
        distribution: distributionVersion(),
        nginx: nginxVersion(),
        postgres: await quaysideDb.postgresVersion(),
      },
      settings: { reps: bench.reps, loadSeconds: bench.loadSeconds, limitSeconds: bench.limitSeconds },
      loadAverage: { start: loadAtStart, end: loadavg()[0]! },
      rows: [...ops, ...scale, ...catalogRows],
      memory: {
        idleBytes,
        peakBytes: overall.stop(),
        concurrentPushes: concurrent?.quaysidePeakRssBytes
          ? { beforeBytes: concurrent.quaysideRssBeforeBytes ?? 0, peakBytes: concurrent.quaysidePeakRssBytes }
          : undefined,
      },
    };
    const markdown = await writeReport(report, process.env.BENCH_ONLY ? "partial" : "latest");
    console.log("");
    console.log(markdown);
  } finally {
    console.log(`bench ${elapsed()} stopping servers, removing temporary data`);
    await cleanupAll();
    console.log(`bench ${elapsed()} done`);
  }
}

main().catch(async (err) => {
  if (!stopping()) console.error("bench failed:", err instanceof Error ? (err.stack ?? err.message) : err);
  await cleanupAll();
  process.exit(stopping() ? 130 : 1);
});

// Scale-out rows: two web nodes (QUAYSIDE_ROLE=web) on the main server's database and blob
// directory, behind an nginx round robin, next to one of those nodes behind the same nginx and
// the main server reached directly. Every process shares the machine's two cores with the load
// generator, so this shows what the proxy and a second node cost or give here, not what two
// machines would.
import { join } from "node:path";
import { onCleanup } from "./cleanup.ts";
import { configBlob, imageManifest, makeBlob, OCI_MANIFEST, pushMonolithic, putManifest, type Target } from "./client.ts";
import { alternate, type Row, type Sample, type SideResult } from "./measure.ts";
import { type Bench, wrkSample } from "./operations.ts";
import { startRoundRobin } from "./nginx.ts";
import { quaysideDatabaseUrl } from "./quayside-db.ts";
import { type BenchServer, registryToken, startQuayside } from "./server-process.ts";
import { since } from "./stats.ts";

const REPO = "bench/cluster";
/** Tokens name this service on both nodes, as behind one load balancer. */
const PUBLIC_URL = "http://bench-cluster.test";

interface Side {
  label: string;
  target: Target;
}

async function sideThrough(label: string, url: string, tokenFrom: BenchServer): Promise<Side> {
  const token = await registryToken(tokenFrom, `repository:${REPO}:pull,push`);
  const auth = async () => ({ authorization: `Bearer ${token}` });
  return { label, target: { label, url, host: new URL(url).host, auth, catalogAuth: auth } };
}

/** Manifest GETs a node has answered with 200, from its /metrics. */
async function manifestGetsServed(node: BenchServer): Promise<number> {
  const text = await (await fetch(`${node.url}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith('quayside_http_requests_total{method="GET",route="/v2/:name/manifests/:reference",status="200"}'));
  return Number(line?.split(" ").pop() ?? 0);
}

function row(name: string, unit: string, r: Record<string, SideResult>, sides: Side[]): Row {
  return {
    section: "Operations",
    name,
    unit,
    higherIsBetter: true,
    quayside: r.two,
    limits: sides.slice(1).map((side, i) => ({ label: side.label, result: r[["one", "direct"][i]!]! })),
    target: { kind: "none", text: "report two nodes next to one (all on the same 2 cores)" },
  };
}

/** Concurrent image pushes (config, one 256 KiB layer, manifest under a new tag): images/s. */
function imagePushes(b: Bench, target: Target, count: number) {
  return async (_: void, rep: number): Promise<Sample> => {
    const config = configBlob(1);
    await pushMonolithic(target, REPO, config);
    const layers = await Promise.all(Array.from({ length: count }, () => makeBlob(b.pool, 256 * 1024)));
    const start = performance.now();
    const latenciesMs: number[] = [];
    await Promise.all(
      layers.map(async (layer, i) => {
        const one = performance.now();
        await pushMonolithic(target, REPO, layer);
        await putManifest(target, REPO, `${target.label.replace(/\W+/g, "-")}-${rep}-${i}`, imageManifest(config, [layer]));
        latenciesMs.push(since(one));
      }),
    );
    return { value: count / (since(start) / 1000), latenciesMs };
  };
}

export async function twoNodeRows(b: Bench, main: BenchServer, record: (row: Row) => void): Promise<void> {
  const shared = { DATABASE_URL: quaysideDatabaseUrl(main), STORAGE: join(main.dataDir, "blobs"), QUAYSIDE_ROLE: "web", QUAYSIDE_PUBLIC_URL: PUBLIC_URL };
  const nodes: BenchServer[] = [];
  const stops: (() => Promise<void>)[] = [];
  for (let i = 0; i < 2; i++) {
    const node = await startQuayside(shared);
    stops.push(onCleanup(`web node ${i + 1}`, () => node.stop()));
    nodes.push(node);
  }
  const [a, bNode] = nodes as [BenchServer, BenchServer];
  const proxy = await startRoundRobin(b.workDir, [[a.host, bNode.host], [a.host]]);
  const sides = [
    await sideThrough("two web nodes behind nginx round robin", proxy.urls[0]!, a),
    await sideThrough("one web node behind the same nginx", proxy.urls[1]!, a),
    { label: "the main server, direct", target: b.quayside },
  ];
  const [two, one, direct] = sides as [Side, Side, Side];

  // Manifest GET by tag under load.
  const m = b.fixtures.manifest;
  for (const blob of [m.config, ...m.layers]) await pushMonolithic(two.target, REPO, blob);
  await putManifest(two.target, REPO, "latest", m.body);
  const path = `/v2/${REPO}/manifests/latest`;
  const load = async (side: Side, seconds: number) => {
    const headers = { ...(await side.target.auth(REPO)), accept: OCI_MANIFEST };
    return wrkSample(`${side.target.url}${path}`, { connections: 32, seconds, headers }, b.workDir);
  };
  for (const side of sides) await (await load(side, 1))(); // warm-up, every node's cache included
  const gets = await alternate(b.reps, () => undefined, {
    two: await load(two, b.loadSeconds),
    one: await load(one, b.loadSeconds),
    direct: await load(direct, b.loadSeconds),
  });
  // Only the round robin reaches node B: its count shows the load was shared.
  const servedByB = await manifestGetsServed(bNode);
  if (servedByB === 0) throw new Error("the round robin sent no manifest GET to the second node");
  record({
    ...row("Manifest GET by tag, two web nodes behind a round robin (32 connections, wrk)", "req/s", gets, sides),
    note: `the second node answered ${servedByB} of the GETs`,
  });

  // Image pushes, 16 at a time.
  const count = 16;
  for (const side of sides) await imagePushes(b, side.target, 4)(undefined, -1); // warm-up
  const pushes = await alternate(b.reps + 2, () => undefined, {
    two: imagePushes(b, two.target, count),
    one: imagePushes(b, one.target, count),
    direct: imagePushes(b, direct.target, count),
  });
  record(row(`Image push (config + 256 KiB layer + manifest), ${count} at a time, two web nodes behind a round robin`, "images/s", pushes, sides));

  await proxy.stop();
  for (const stop of stops) await stop();
}

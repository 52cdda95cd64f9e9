// What the usage log costs the registry. Pulls: manifest GET by tag on the bench server (every
// pull logged, batched) against a second server started with QUAYSIDE_LOG_PULLS=false, runs
// alternating (target: logging costs under 10% of the throughput). Pushes: the push_repo row
// rides in the manifest push's one statement, so its cost is that of inserting one row into the
// partitioned audit_log; timed here as its own round trip less a bare round trip (an upper
// bound: in the push it needs no round trip of its own). Target: under 1 ms.
import postgres from "postgres";
import { type BenchServer } from "./server-process.ts";
import { OCI_MANIFEST, pushMonolithic, putManifest } from "./client.ts";
import { alternate, type Row, type Sample, summarize } from "./measure.ts";
import { type Bench, type QuaysideTarget, withRss, wrkSample } from "./operations.ts";
import { quaysideDatabaseUrl } from "./quayside-db.ts";

const REPO = "bench/manifests";

/**
 * Two rows: every pull from the same client (identical pulls of a second are one row), and every
 * pull from an address of its own (the worst case: one row per pull).
 */
export async function pullLoggingCost(b: Bench, unlogged: QuaysideTarget): Promise<Row[]> {
  const m = b.fixtures.manifest;
  for (const blob of [m.config, ...m.layers]) await pushMonolithic(unlogged, REPO, blob);
  await putManifest(unlogged, REPO, "latest", m.body);
  const rows: Row[] = [];
  for (const distinctClients of [false, true]) {
    const load = async (t: QuaysideTarget) =>
      wrkSample(
        `${t.url}/v2/${REPO}/manifests/latest`,
        { connections: 32, seconds: b.loadSeconds, headers: { ...(await t.auth(REPO)), accept: OCI_MANIFEST }, distinctClients },
        b.workDir,
      );
    const sides = { logged: await load(b.quayside), quiet: await load(unlogged) };
    await sides.logged(); // warm-up (JIT, caches)
    await sides.quiet();
    rows.push(
      await withRss(b, async () => {
        // Which server goes first swaps every round, so drift in the machine's load favours neither.
        const samples: Record<"logged" | "quiet", Sample[]> = { logged: [], quiet: [] };
        for (let rep = 0; rep < b.reps + 2; rep++) {
          for (const side of rep % 2 === 0 ? (["logged", "quiet"] as const) : (["quiet", "logged"] as const)) {
            samples[side].push(await sides[side]());
          }
        }
        return {
          section: "Operations",
          name: `Manifest GET by tag with every pull logged, ${distinctClients ? "each pull from an address of its own" : "one client"} (32 connections, wrk)`,
          unit: "req/s",
          higherIsBetter: true,
          quayside: summarize(samples.logged),
          limits: [{ label: "pull logging off", result: summarize(samples.quiet) }],
          target: { kind: "limit", fraction: 0.9, limit: "pull logging off" },
        };
      }),
    );
  }
  return rows;
}

export async function pushLoggingCost(b: Bench, server: BenchServer): Promise<Row> {
  const sql = postgres(quaysideDatabaseUrl(server), { max: 1, onnotice: () => {} });
  const perRun = 2000;
  const metadata = { namespace: "bench", repo: "usage-log-cost", tag: "latest", manifest_digest: b.fixtures.manifest.digest };
  const timed = async (one: () => Promise<unknown>): Promise<number> => {
    const start = performance.now();
    for (let i = 0; i < perRun; i++) await one();
    return (performance.now() - start) / perRun;
  };
  try {
    const insert = () =>
      sql`insert into audit_log (kind, namespace_id, repository_id, performer_id, performer_kind, ip, metadata)
          values ('push_repo', 1, 1, 1, 'user', '127.0.0.1', ${sql.json(metadata)})`;
    const bare = () => sql`select 1`;
    await timed(insert); // warm-up
    const r = await alternate(b.reps, () => undefined, {
      row: async (): Promise<Sample> => {
        const withRow = await timed(insert);
        const without = await timed(bare);
        return { value: Math.max(0, withRow - without) };
      },
    });
    await sql`delete from audit_log where kind = 'push_repo' and namespace_id = 1 and repository_id = 1 and ip = '127.0.0.1' and metadata->>'repo' = 'usage-log-cost'`;
    return {
      section: "Operations",
      name: "Push: time the push_repo usage-log row adds (insert into the partitioned audit_log, less a bare round trip)",
      unit: "ms",
      higherIsBetter: false,
      quayside: r.row,
      limits: [],
      target: { kind: "none", text: "< 1 ms" },
    };
  } finally {
    await sql.end();
  }
}

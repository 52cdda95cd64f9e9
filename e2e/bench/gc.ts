// Garbage-collection rows: how fast a whole collection goes over a store of 100 000 manifests
// (filled behind the registry's back, as scale.ts fills tags), and what collecting costs the
// pushes that go on meanwhile. Collection runs in this process with the server's own code,
// database and blob directory (the server's job runs the very same function), so it is timed
// alone and can be started and stopped at will.
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { connect, type Database } from "../../db/client.ts";
import { systemClock } from "../../server/domain/clock.ts";
import { collectGarbage, type GcServices } from "../../server/domain/content/garbage-collection.ts";
import type { GcRun } from "../../server/domain/content/gc-runs.ts";
import { FsBlobStore } from "../../server/storage/fs-blob-store.ts";
import { type Blob, configBlob, imageManifest, pushMonolithic, putManifest, sha256 } from "./client.ts";
import { alternate, type Row, type Sample } from "./measure.ts";
import { type Bench, withRss } from "./operations.ts";
import { quaysideDatabaseUrl } from "./quayside-db.ts";
import type { BenchServer } from "./server-process.ts";
import { since } from "./stats.ts";

const REPO = "bench/gc";
const MANIFESTS = 100_000;
/** Untagged manifests pushed two hours ago, added before each timed run: what it deletes. */
const GARBAGE = 10_000;
/** Images pushed per timed push run (4 at a time), and runs per side (pushes vary run to run). */
const PUSHES = 100;
const PUSH_REPS = 5;
const GRACE_SECONDS = 3600;

export interface GcBench {
  bench: Bench;
  database: Database;
  svc: GcServices;
  repositoryId: number;
  blobs: Blob[];
  filled: number;
  close(): Promise<void>;
}

/** Pushes one image's blobs into bench/gc, then fills the store to 100 000 tagged manifests naming them. */
export async function setUpGc(bench: Bench, server: BenchServer): Promise<GcBench> {
  const config = configBlob(1);
  const layer = blobOf(randomBytes(64 * 1024));
  for (const blob of [config, layer]) await pushMonolithic(bench.quayside, REPO, blob);
  const database = connect(quaysideDatabaseUrl(server), { max: 4 });
  const [repo] = await database.sql<{ id: number }[]>`
    select r.id from repositories r join namespaces n on n.id = r.namespace_id where n.name = 'bench' and r.name = 'gc'`;
  const svc = { db: database.db, store: new FsBlobStore(join(server.dataDir, "blobs")), clock: systemClock };
  const g: GcBench = { bench, database, svc, repositoryId: repo!.id, blobs: [config, layer], filled: 0, close: () => database.close() };
  await addManifests(g, "live", MANIFESTS - GARBAGE, true);
  return g;
}

const blobOf = (data: Buffer): Blob => ({ data, digest: sha256(data) });

/** `count` manifests (each naming the two blobs), with a live tag each or untagged, all pushed two hours ago. */
async function addManifests(g: GcBench, prefix: string, count: number, tagged: boolean): Promise<void> {
  const [config, layer] = g.blobs as [Blob, Blob];
  const sql = g.database.sql;
  await sql`
    with m as (
      insert into manifests (repository_id, digest, media_type, raw, config_digest, layers_size, created_at)
      select ${g.repositoryId}, 'sha256:' || md5(${prefix} || i) || md5(i || ${prefix}),
             'application/vnd.oci.image.manifest.v1+json', '\\x7b7d'::bytea, ${config.digest}, ${layer.data.length},
             now() - interval '2 hours'
      from generate_series(1, ${count}::int) i
      returning id
    ), layer_rows as (
      insert into manifest_blobs (manifest_id, position, digest, size)
      select m.id, b.position, b.digest, b.size from m
      cross join (values (0, ${config.digest}::text, ${config.data.length}::bigint), (1, ${layer.digest}::text, ${layer.data.length}::bigint))
        as b(position, digest, size)
    )
    insert into tags (repository_id, name, manifest_id, lifetime_start)
    select ${g.repositoryId}, 'g' || m.id, m.id, now() from m where ${tagged}`;
  await sql`vacuum (analyze) manifests, manifest_blobs, tags`;
  g.filled += count;
}

/** A whole run; waits out a run of the server's own job if one is going on. */
async function wholeRun(svc: GcServices): Promise<GcRun> {
  for (;;) {
    const run = await collectGarbage(svc, { graceSeconds: GRACE_SECONDS });
    if (run) return run;
    await new Promise((r) => setTimeout(r, 200));
  }
}

export function gcThroughput(g: GcBench): Promise<Row> {
  const b = g.bench;
  return withRss(b, async () => {
    const deleted: number[] = [];
    const r = await alternate(
      b.reps,
      (rep) => addManifests(g, `garbage-${rep}`, GARBAGE, false),
      {
        quayside: async (): Promise<Sample> => {
          const start = performance.now();
          const run = await wholeRun(g.svc);
          const seconds = since(start) / 1000;
          deleted.push(run.manifestsDeleted);
          if (run.manifestsDeleted < GARBAGE) throw new Error(`gc: deleted ${run.manifestsDeleted} of ${GARBAGE} garbage manifests`);
          return { value: run.manifestsExamined / seconds };
        },
      },
    );
    return {
      section: "Scale",
      name: `Garbage collection, whole run over ${MANIFESTS.toLocaleString("en-US")} manifests (${GARBAGE.toLocaleString("en-US")} of them garbage)`,
      unit: "manifests/s",
      higherIsBetter: true,
      quayside: r.quayside,
      limits: [],
      target: { kind: "none", text: "examined per second, deletions included" },
      note: `Quayside only; each run deletes the ${GARBAGE.toLocaleString("en-US")} untagged manifests added before it (${deleted.join(", ")}), then walks the blobs`,
    };
  });
}

/** Pushes PUSHES small images (own config and 64 KiB layer, then the manifest), 4 at a time. */
async function pushImages(b: Bench, round: string): Promise<Sample> {
  const start = performance.now();
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < PUSHES; i = next++) {
      const config = configBlob(1);
      const layer = blobOf(randomBytes(64 * 1024));
      await pushMonolithic(b.quayside, "bench/gc-push", config);
      await pushMonolithic(b.quayside, "bench/gc-push", layer);
      await putManifest(b.quayside, "bench/gc-push", `${round}-${i}`, imageManifest(config, [layer]));
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  return { value: PUSHES / (since(start) / 1000) };
}

/** Image pushes per second while collection runs back to back over the 100 000 manifests, beside none running. */
export function pushesDuringGc(g: GcBench): Promise<Row> {
  const b = g.bench;
  return withRss(b, async () => {
    await pushImages(b, "warm-up");
    let runs = 0;
    const r = await alternate(Math.max(b.reps, PUSH_REPS), () => undefined, {
      withoutGc: (_, rep) => pushImages(b, `quiet-${rep}`),
      quayside: async (_, rep) => {
        let stop = false;
        const collecting = (async () => {
          while (!stop) {
            await wholeRun(g.svc);
            runs++;
          }
        })();
        try {
          return await pushImages(b, `collected-${rep}`);
        } finally {
          stop = true;
          await collecting;
        }
      },
    });
    return {
      section: "Operations",
      name: `Image push (config + 64 KiB layer + manifest, 4 at a time) while garbage collection runs over ${MANIFESTS.toLocaleString("en-US")} manifests`,
      unit: "images/s",
      higherIsBetter: true,
      quayside: r.quayside,
      limits: [{ label: "without GC", result: r.withoutGc! }],
      target: { kind: "limit", fraction: 0.8, limit: "without GC" },
      note: `Quayside only; ${runs} collection run(s) overlapped the pushes`,
    };
  });
}

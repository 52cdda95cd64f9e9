// What syncing each blob to disk before it is recorded costs a push: the main server (fsync on,
// the default) against a second Quayside started with QUAYSIDE_FSYNC=false, which is how every
// push ran before blobs were synced. Same blobs, alternating between the two.
import { type Blob, makeBlob, pushChunked, pushMonolithic, type Target } from "./client.ts";
import { alternate, type Row } from "./measure.ts";
import { type Bench, throughput, withRss } from "./operations.ts";
import { MiB } from "./stats.ts";

async function fsyncRow(
  b: Bench,
  noSync: Target,
  name: string,
  size: number,
  push: (t: Target, repo: string, blob: Blob) => Promise<void>,
): Promise<Row> {
  const repo = "bench/push-fsync";
  return withRss(b, async () => {
    for (const t of [b.quayside, noSync]) await push(t, repo, await makeBlob(b.pool, 4 * MiB)); // warm-up
    let blob: Blob;
    const r = await alternate(b.reps + 2, async () => void (blob = await makeBlob(b.pool, size)), {
      on: throughput(size, () => push(b.quayside, repo, blob)),
      off: throughput(size, () => push(noSync, repo, blob)),
    });
    return {
      section: "Operations",
      name,
      unit: "MiB/s",
      higherIsBetter: true,
      quayside: r.on,
      limits: [{ label: "same push with QUAYSIDE_FSYNC=false", result: r.off! }],
      target: { kind: "none", text: "report what syncing costs" },
    };
  });
}

/** Rows for a monolithic and a chunked push, fsync on (Quayside column) against off (Limit column). */
export async function fsyncCost(b: Bench, noSync: Target): Promise<Row[]> {
  return [
    await fsyncRow(b, noSync, "Blob push with fsync, monolithic (64 MiB)", 64 * MiB, pushMonolithic),
    await fsyncRow(b, noSync, "Blob push with fsync, chunked (5 MiB PATCHes, 128 MiB)", 128 * MiB, (t, repo, blob) =>
      pushChunked(t, repo, blob, 5 * MiB),
    ),
  ];
}

// What syncing each blob to disk before it is recorded costs a push: the main server (fsync on,
// the default) against a second Quayside started with QUAYSIDE_FSYNC=false, which is how every
// push ran before blobs were synced. Same blobs, alternating between the two.
import { type Blob, pushChunked, pushMonolithic, type Target } from "./client.ts";
import type { Row } from "./measure.ts";
import { type Bench, pushComparisonRow, withRss } from "./operations.ts";
import { MiB } from "./stats.ts";

function fsyncRow(
  b: Bench,
  noSync: Target,
  name: string,
  size: number,
  push: (t: Target, repo: string, blob: Blob) => Promise<void>,
): Promise<Row> {
  const sides = {
    measured: b.quayside,
    other: noSync,
    otherLabel: "same push with QUAYSIDE_FSYNC=false",
    repo: "bench/push-fsync",
    target: "report what syncing costs",
  };
  return withRss(b, () => pushComparisonRow(b, sides, name, size, push));
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

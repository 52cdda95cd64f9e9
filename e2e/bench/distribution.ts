// The bench's reference registry: CNCF distribution 2.8 (started by e2e/support/distribution.ts,
// anonymous) and its storage layout filled directly for the scale rows.
import { execFileSync } from "node:child_process";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { DistributionServer } from "../support/distribution.ts";

export function distributionVersion(): string {
  // "docker-registry github.com/docker/distribution 2.8.2+ds1"
  return execFileSync("docker-registry", ["--version"], { encoding: "utf8" }).trim().split(" ").pop()!;
}

const repositoriesDir = (server: DistributionServer) => join(server.rootDir, "docker/registry/v2/repositories");

/** Runs `work(i)` for i in [from, to) with a bounded number in flight. */
async function inParallel(from: number, to: number, work: (i: number) => Promise<void>, width = 64): Promise<void> {
  let next = from;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < to) await work(next++);
    }),
  );
}

/** Adds tags `names(i)` for i in [from, to) pointing at `digest` (the manifest must already be in the repo). */
export async function addDistributionTags(
  server: DistributionServer,
  repo: string,
  digest: string,
  from: number,
  to: number,
  name: (i: number) => string,
): Promise<void> {
  const tagsDir = join(repositoriesDir(server), repo, "_manifests/tags");
  // Only `current/link`: what the tags list and a GET by tag read (a push also writes the tag's
  // index, which only deletes by digest look at).
  await inParallel(from, to, async (i) => {
    const current = join(tagsDir, name(i), "current");
    await mkdir(current, { recursive: true });
    await writeFile(join(current, "link"), digest);
  });
}

/**
 * Adds empty repositories `namespace/names(i)` for i in [from, to). 2.8's catalog walk takes a
 * directory holding `_layers` for a repository (later versions look for `_manifests`; metadata
 * operations are slow on this kind of disk, so only what 2.8 reads is made).
 */
export async function addDistributionRepositories(
  server: DistributionServer,
  namespace: string,
  from: number,
  to: number,
  name: (i: number) => string,
): Promise<void> {
  const nsDir = join(repositoriesDir(server), namespace);
  await inParallel(from, to, async (i) => {
    await mkdir(join(nsDir, name(i), "_layers"), { recursive: true });
  });
}

/** Number of repositories (`<ns>/<name>/_manifests`) in the storage layout, two levels deep. */
export async function countDistributionRepositories(server: DistributionServer): Promise<number> {
  let count = 0;
  const root = repositoriesDir(server);
  const namespaces = await readdir(root).catch(() => [] as string[]);
  for (const ns of namespaces) count += (await readdir(join(root, ns))).length;
  return count;
}

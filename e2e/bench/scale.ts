// Scale rows: how the tags list and the catalog cost grows with 10 / 1 000 / 100 000 tags and
// repositories. Both registries are filled behind their backs (Quayside's Postgres rows,
// distribution's storage directories), then read over HTTP.
import type { DistributionServer } from "../support/distribution.ts";
import { addDistributionRepositories, addDistributionTags, countDistributionRepositories } from "./distribution.ts";
import { configBlob, getAllPages, imageManifest, pushMonolithic, putManifest, sha256, type Target } from "./client.ts";
import { alternate, type Row, type Sample } from "./measure.ts";
import { type Bench, withRss } from "./operations.ts";
import type { QuaysideDb } from "./quayside-db.ts";
import { since } from "./stats.ts";

export const TAGS_REPO = "bench/scale-tags";
const NAMESPACE = "bench";
const tagName = (i: number) => `t${String(i).padStart(6, "0")}`;
const repoName = (i: number) => `cat-${String(i).padStart(6, "0")}`;

export interface Scale {
  bench: Bench;
  quaysideDb: QuaysideDb;
  distribution: DistributionServer;
  tagDigest: string;
  tags: number;
  nextRepo: { quayside: number; distribution: number };
}

/** Pushes one small image as tag t000000 in the tags repository of both registries. */
export async function setUpScale(bench: Bench, quaysideDb: QuaysideDb, distribution: DistributionServer): Promise<Scale> {
  const config = configBlob(0);
  const manifest = imageManifest(config, []);
  for (const t of [bench.quayside, bench.distribution]) {
    await pushMonolithic(t, TAGS_REPO, config);
    await putManifest(t, TAGS_REPO, tagName(0), manifest);
  }
  return { bench, quaysideDb, distribution, tagDigest: sha256(manifest), tags: 1, nextRepo: { quayside: 0, distribution: 0 } };
}

export async function fillTags(s: Scale, total: number): Promise<void> {
  if (total <= s.tags) return;
  const names = Array.from({ length: total - s.tags }, (_, i) => tagName(s.tags + i));
  await s.quaysideDb.addTags(TAGS_REPO, s.tagDigest, names);
  await addDistributionTags(s.distribution, TAGS_REPO, s.tagDigest, s.tags, total, tagName);
  s.tags = total;
}

/** Brings each registry to `total` repositories in all (counting those earlier rows pushed). */
export async function fillRepositories(s: Scale, total: number): Promise<void> {
  const q = total - (await s.quaysideDb.countRepositories());
  if (q > 0) {
    const from = s.nextRepo.quayside;
    await s.quaysideDb.addRepositories(NAMESPACE, Array.from({ length: q }, (_, i) => repoName(from + i)));
    s.nextRepo.quayside += q;
  }
  const d = total - (await countDistributionRepositories(s.distribution));
  if (d > 0) {
    const from = s.nextRepo.distribution;
    await addDistributionRepositories(s.distribution, NAMESPACE, from, from + d, repoName);
    s.nextRepo.distribution += d;
  }
}

async function listLatency(
  s: Scale,
  name: string,
  path: string,
  key: "tags" | "repositories",
  expected: number,
  headers: { quayside: Record<string, string>; distribution: Record<string, string> },
  maxPages = Number.POSITIVE_INFINITY,
): Promise<Row> {
  const b = s.bench;
  return withRss(b, async () => {
  const requests: Record<string, number> = {};
  const get = (t: Target, side: "quayside" | "distribution") => async (): Promise<Sample> => {
    const start = performance.now();
    const got = await getAllPages(t, path, headers[side], key, maxPages);
    const ms = since(start);
    if (got.items !== expected) throw new Error(`${t.label} ${path}: ${got.items} ${key}, expected ${expected}`);
    requests[side] = got.requests;
    return { value: ms };
  };
  const sides = { quayside: get(b.quayside, "quayside"), distribution: get(b.distribution, "distribution") };
  // Warm-up: a running registry has its connections, statements and JIT warm; one request
  // each is not enough for Quayside's (Node's JIT, a statement prepared per pooled connection).
  for (let i = 0; i < 20; i++) for (const run of Object.values(sides)) await run();
  const r = await alternate(b.reps + 2, () => undefined, sides);
  const pages = requests.quayside === requests.distribution
    ? `${requests.quayside} request(s) each`
    : `Quayside ${requests.quayside} request(s), distribution ${requests.distribution}`;
  return {
    section: "Scale",
    name,
    unit: "ms",
    higherIsBetter: false,
    quayside: r.quayside,
    distribution: r.distribution,
    limits: [],
    target: { kind: "ratio", min: 1 },
    note: pages,
  };
  });
}

/** The whole tags list as a client gets it: `?n=10000`, following Link to the end. */
export async function tagsListLatency(s: Scale): Promise<Row> {
  return listLatency(
    s,
    `Tags list, ${s.tags.toLocaleString("en-US")} tags (complete list, n=10000 pages)`,
    `/v2/${TAGS_REPO}/tags/list?n=10000`,
    "tags",
    s.tags,
    { quayside: await s.bench.quayside.auth(TAGS_REPO), distribution: {} },
  );
}

/** The first catalog page of 1 000 (distribution's default maximum page). */
export async function catalogLatency(s: Scale, total: number): Promise<Row> {
  return listLatency(
    s,
    `Catalog, ${total.toLocaleString("en-US")} repositories (first page, n=1000)`,
    "/v2/_catalog?n=1000",
    "repositories",
    Math.min(total, 1000),
    { quayside: await s.bench.quayside.catalogAuth(), distribution: {} },
    1,
  );
}

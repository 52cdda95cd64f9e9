// Repository mirroring: one sync of 100 tags whose images share most of their bytes (three base
// layers, then a small layer and a config of their own each), from distribution with htpasswd
// (e2e/support/upstream-registry.ts, filled by skopeo) into a repository configured through Quay's
// mirror API with a glob matching every tag. Timed from sync-now to the mirror's status SUCCESS
// (the repository-mirror job's wake-up included); reported next to it, from the sync's
// repo_mirror_sync_success log row, the blob bytes fetched upstream against the unique blob bytes
// upstream holds. Each repetition mirrors fresh upstream content into a repository of its own
// (a second sync of the same content would link the stored blobs and fetch nothing).
import { join } from "node:path";
import postgres from "postgres";
import { LayoutWriter, mirrorRequest, OCI_IMAGE, type OciLayout, randomLayer, startUpstreamRegistry, type UpstreamRegistry } from "../support/upstream-registry.ts";
import { onCleanup } from "./cleanup.ts";
import { httpRequest } from "./client.ts";
import { type Row, type Sample, summarize } from "./measure.ts";
import { type Bench, withRss } from "./operations.ts";
import { quaysideDatabaseUrl } from "./quayside-db.ts";
import type { BenchServer } from "./server-process.ts";
import { signIn } from "./tags-tab.ts";

const KiB = 1024;
const MiB = 1024 * KiB;
const TAGS = 100;
const BASE_LAYERS = [16 * MiB, 8 * MiB, 4 * MiB];
const OWN_LAYER = 64 * KiB;
/** skopeo copies at once while filling the upstream. */
const PUSH_WIDTH = 4;
const NAMESPACE = "bench";
const ROBOT = "mirror";

const mib = (bytes: number) => `${(bytes / MiB).toFixed(1)} MiB`;
const tagName = (i: number) => `v${String(i).padStart(3, "0")}`;

type Api = (method: string, path: string, body?: unknown) => Promise<Record<string, unknown> | undefined>;

/** Quay's API as the bench's admin through a signed-in session (writes carry its CSRF token). */
async function apiSession(b: Bench): Promise<Api> {
  const cookie = await signIn(b);
  const token = (await httpRequest(`${b.quayside.url}/csrf_token`, "GET", { cookie })).body.toString();
  const csrf = (JSON.parse(token) as { csrf_token: string }).csrf_token;
  return async (method, path, body) => {
    const headers = { cookie, "x-csrf-token": csrf, "content-type": "application/json" };
    const res = await httpRequest(`${b.quayside.url}/api/v1${path}`, method, headers, body === undefined ? undefined : Buffer.from(JSON.stringify(body)));
    if (res.status >= 300) throw new Error(`mirror sync: ${method} ${path}: ${res.status} ${res.body.toString().slice(0, 300)}`);
    return res.body.length > 0 ? (JSON.parse(res.body.toString()) as Record<string, unknown>) : undefined;
  };
}

/** Pushes TAGS images sharing fresh base layers to `repo` upstream; the unique blob bytes and count it then holds. */
async function fillUpstream(upstream: UpstreamRegistry, dir: string, repo: string): Promise<{ bytes: number; blobs: number }> {
  const writer = new LayoutWriter(dir);
  const base = BASE_LAYERS.map(randomLayer);
  const unique = new Map<string, number>();
  const layouts: OciLayout[] = [];
  for (let i = 0; i < TAGS; i++) {
    const image = await writer.image([...base, randomLayer(OWN_LAYER)], undefined, `${repo}:${tagName(i)}`);
    for (const blob of image.blobs) unique.set(blob.digest, blob.size);
    layouts.push(await writer.tag(tagName(i), image, OCI_IMAGE));
  }
  // The first push uploads the base layers; the others find them there.
  await upstream.push(layouts[0]!, repo, tagName(0));
  for (let i = 1; i < TAGS; i += PUSH_WIDTH) {
    await Promise.all(layouts.slice(i, i + PUSH_WIDTH).map((layout) => upstream.push(layout, repo, layout.ref)));
  }
  return { bytes: [...unique.values()].reduce((sum, size) => sum + size, 0), blobs: unique.size };
}

/**
 * What the sync's repo_mirror_sync_success row (written just after the status turns SUCCESS)
 * says it fetched, and the seconds from its repo_mirror_sync_started row to it.
 */
async function syncFacts(sql: postgres.Sql, repo: string): Promise<{ bytes: number; blobs: number; tags: number; seconds: number }> {
  for (let tries = 0; tries < 100; tries++) {
    const [row] = await sql<{ metadata: { bytes_fetched: number; blobs_fetched: number; tags_updated: string[] }; seconds: number }[]>`
      select s.metadata, extract(epoch from s.created_at - st.created_at)::float8 as seconds
      from audit_log s, lateral (
        select created_at from audit_log where kind = 'repo_mirror_sync_started' and metadata->>'repo' = ${repo} order by id desc limit 1
      ) st
      where s.kind = 'repo_mirror_sync_success' and s.metadata->>'repo' = ${repo} order by s.id desc limit 1`;
    if (row) return { bytes: row.metadata.bytes_fetched, blobs: row.metadata.blobs_fetched, tags: row.metadata.tags_updated.length, seconds: row.seconds };
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`mirror sync: no repo_mirror_sync_success row for ${repo}`);
}

/** Configures `repo` to mirror every tag of `upstreamRepo`, starting only when told (sync-now). */
async function configureMirror(api: Api, upstream: UpstreamRegistry, upstreamRepo: string, repo: string): Promise<void> {
  await api("POST", "/repository", { namespace: NAMESPACE, repository: repo, visibility: "private", description: "" });
  await api("PUT", `/repository/${NAMESPACE}/${repo}/changestate`, { state: "MIRROR" });
  await api(
    "POST",
    `/repository/${NAMESPACE}/${repo}/mirror`,
    mirrorRequest(upstream, upstream.host, {
      external_reference: `${upstream.host}/${upstreamRepo}`,
      root_rule: { rule_kind: "tag_glob_csv", rule_value: ["*"] },
      robot_username: `${NAMESPACE}+${ROBOT}`,
      sync_start_date: "2100-01-01T00:00:00Z",
    }),
  );
}

/** Seconds from sync-now to the mirror's status SUCCESS. */
async function timeSync(api: Api, repo: string): Promise<number> {
  const path = `/repository/${NAMESPACE}/${repo}/mirror`;
  const started = performance.now();
  await api("POST", `${path}/sync-now`);
  for (;;) {
    const mirror = (await api("GET", path))!;
    if (mirror.sync_status === "SUCCESS") return (performance.now() - started) / 1000;
    if (mirror.sync_status === "FAIL") throw new Error(`mirror sync of ${repo} failed: ${JSON.stringify(mirror)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `b.quayside` is `server`, started with QUAYSIDE_SSRF_ALLOWED_HOSTS=127.0.0.1 (the upstream is on loopback). */
export async function mirrorSyncRow(b: Bench, server: BenchServer): Promise<Row> {
  const upstream = await startUpstreamRegistry();
  const closeUpstream = onCleanup("mirror upstream (distribution)", () => upstream.close());
  const sql = postgres(quaysideDatabaseUrl(server), { max: 1, onnotice: () => {} });
  try {
    const api = await apiSession(b);
    await api("PUT", `/user/robots/${ROBOT}`, {});
    const samples: Sample[] = [];
    const fetchedFacts = new Set<string>();
    const logSeconds: string[] = [];
    return await withRss(b, async () => {
      for (let rep = 0; rep < b.reps; rep++) {
        const upstreamRepo = `bench/app-${rep}`;
        const repo = `mirrored-${rep}`;
        const held = await fillUpstream(upstream, join(b.workDir, `mirror-layout-${rep}`), upstreamRepo);
        await configureMirror(api, upstream, upstreamRepo, repo);
        const seconds = await timeSync(api, repo);
        const fetched = await syncFacts(sql, repo);
        if (fetched.tags !== TAGS) throw new Error(`mirror sync: ${fetched.tags} tags copied, expected ${TAGS}`);
        samples.push({ value: seconds });
        const facts = `${mib(fetched.bytes)} in ${fetched.blobs} blobs fetched upstream of ${mib(held.bytes)} in ${held.blobs} unique blobs upstream`;
        fetchedFacts.add(facts);
        logSeconds.push(fetched.seconds.toFixed(1));
        console.log(`bench mirror sync: ${seconds.toFixed(1)} s (${fetched.seconds.toFixed(1)} s between the log rows); ${facts}`);
      }
      const naive = BASE_LAYERS.reduce((sum, size) => sum + size, 0) * TAGS;
      return {
        section: "Scale",
        name: `Repository mirror sync of ${TAGS} tags sharing 3 base layers (${mib(naive / TAGS)}) plus a ${OWN_LAYER / KiB} KiB layer each, glob *, sync-now to status SUCCESS`,
        unit: "s",
        higherIsBetter: false,
        quayside: summarize(samples),
        limits: [],
        target: { kind: "none", text: "fetch each unique upstream blob once" },
        note:
          `each run ${[...fetchedFacts].join(" / ")} (every tag's base layers fetched again would be ${mib(naive)}); ` +
          `sync started to success log row ${logSeconds.join(" / ")} s`,
      };
    });
  } finally {
    await sql.end();
    await closeUpstream();
  }
}

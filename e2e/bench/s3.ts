// Blob storage on S3 next to the filesystem: pushes and pulls through Quayside servers started
// with STORAGE=s3://…, against the main (filesystem) server, alternating. The S3-compatible
// server is s3rver in a process of its own on loopback, so its own cost (it writes each object
// to its disk, and assembles multipart uploads by copying) is part of every S3 number; its
// direct GET is shown as the limit of a pull.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onCleanup } from "./cleanup.ts";
import { type Blob, pushChunked, pushMonolithic, type Target } from "./client.ts";
import { alternate, type Row, type Sample } from "./measure.ts";
import { type Bench, curlGet, PULL_BLOB_BYTES, pushComparisonRow, withRss } from "./operations.ts";
import { type BenchServer, registryToken, startQuayside } from "./server-process.ts";
import { MiB } from "./stats.ts";

const BUCKET = "quayside-bench";

/** s3rver with one bucket on a free port, in its own process; stopped by the bench's cleanup. */
async function startS3rver(): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const directory = await mkdtemp(join(tmpdir(), "quayside-bench-s3-"));
  const script = `
    import S3rver from "s3rver";
    const server = new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory: ${JSON.stringify(directory)},
      allowMismatchedSignatures: true, configureBuckets: [{ name: ${JSON.stringify(BUCKET)} }] });
    const { port } = await server.run();
    console.log("s3rver port " + port);
    process.on("SIGTERM", () => server.close().then(() => process.exit(0)));`;
  const child: ChildProcess = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<number>((resolvePort, reject) => {
    child.stdout!.on("data", (d: Buffer) => {
      const m = /s3rver port (\d+)/.exec(d.toString());
      if (m) resolvePort(Number(m[1]));
    });
    child.once("exit", (code) => reject(new Error(`s3rver exited with ${code}`)));
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await exited;
      }
      await rm(directory, { recursive: true, force: true });
    },
  };
}

function target(server: BenchServer, label: string): Target {
  return {
    label,
    url: server.url,
    host: server.host,
    auth: async (repo) => ({ authorization: `Bearer ${await registryToken(server, `repository:${repo}:pull,push`)}` }),
    catalogAuth: async () => ({}),
  };
}

function pushRow(
  b: Bench,
  s3: Target,
  name: string,
  size: number,
  push: (t: Target, repo: string, blob: Blob) => Promise<void>,
): Promise<Row> {
  const sides = {
    measured: s3,
    other: b.quayside,
    otherLabel: "same push, filesystem store",
    repo: "bench/push-s3",
    target: "report S3 next to the filesystem",
  };
  return pushComparisonRow(b, sides, name, size, push);
}

async function pullRow(b: Bench, s3: Target, endpoint: string, name: string, curlArgs: string[]): Promise<Row> {
  const repo = "bench/pull-s3";
  const blob = b.fixtures.pullBlob;
  for (const t of [b.quayside, s3]) await pushMonolithic(t, repo, blob);
  const path = `/v2/${repo}/blobs/${blob.digest}`;
  const pull = (url: string, headers: Record<string, string>, args: string[] = []) => async (): Promise<Sample> => {
    const res = await curlGet(url, headers, args);
    if (res.status !== 200 || res.bytes !== PULL_BLOB_BYTES) throw new Error(`pull ${url}: ${res.status}, ${res.bytes} bytes`);
    return { value: PULL_BLOB_BYTES / MiB / res.seconds };
  };
  const sides = {
    s3: pull(`${s3.url}${path}`, await s3.auth(repo), curlArgs),
    fs: pull(`${b.quayside.url}${path}`, await b.quayside.auth(repo)),
    direct: pull(`${endpoint}/${BUCKET}/bench/blobs/sha256/${blob.digest.slice("sha256:".length)}`, {}),
  };
  for (const run of Object.values(sides)) await run(); // warm-up
  const r = await alternate(b.reps + 2, () => undefined, sides);
  return {
    section: "Operations",
    name,
    unit: "MiB/s",
    higherIsBetter: true,
    quayside: r.s3,
    limits: [
      { label: "same pull, filesystem store", result: r.fs! },
      { label: "s3rver's own GET of the object", result: r.direct! },
    ],
    target: { kind: "none", text: "report S3 next to the filesystem" },
  };
}

/** Push (monolithic, chunked) and pull rows on S3, with presigned redirects off and on. */
export async function s3Rows(b: Bench, record: (row: Row) => void): Promise<void> {
  // Memory is sampled from the Quayside on S3 (the filesystem side is the main server).
  const rss = (server: BenchServer, measure: () => Promise<Row>) => withRss({ ...b, quayside: { ...b.quayside, pid: server.pid } }, measure);
  const s3rver = await startS3rver();
  const stopS3rver = onCleanup("s3rver", () => s3rver.stop());
  const settings = (redirects: boolean) => ({
    STORAGE: `s3://${BUCKET}/bench`,
    QUAYSIDE_S3_ENDPOINT: s3rver.endpoint,
    QUAYSIDE_S3_ACCESS_KEY_ID: "S3RVER",
    QUAYSIDE_S3_SECRET_ACCESS_KEY: "S3RVER",
    QUAYSIDE_S3_PATH_STYLE: "true",
    QUAYSIDE_S3_PRESIGNED_REDIRECTS: String(redirects),
  });
  const proxied = await startQuayside(settings(false));
  const stopProxied = onCleanup("quayside on S3", () => proxied.stop());
  const s3 = target(proxied, "Quayside on S3");
  record(await rss(proxied, () => pushRow(b, s3, "Blob push to S3, monolithic (64 MiB)", 64 * MiB, pushMonolithic)));
  record(
    await rss(proxied, () =>
      pushRow(b, s3, "Blob push to S3, chunked (5 MiB PATCHes, 128 MiB)", 128 * MiB, (t, repo, blob) => pushChunked(t, repo, blob, 5 * MiB)),
    ),
  );
  record(await rss(proxied, () => pullRow(b, s3, s3rver.endpoint, "Blob pull from S3 through Quayside (256 MiB, curl)", [])));
  await stopProxied();
  const redirecting = await startQuayside(settings(true));
  const stopRedirecting = onCleanup("quayside on S3 with redirects", () => redirecting.stop());
  record(
    await rss(redirecting, () =>
      pullRow(b, target(redirecting, "Quayside on S3, redirects"), s3rver.endpoint, "Blob pull from S3, presigned redirect (256 MiB, curl -L)", ["-L"]),
    ),
  );
  await stopRedirecting();
  await stopS3rver();
}

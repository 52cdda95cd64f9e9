// Garbage collection racing pushes: images sharing layers are pushed (HEAD first, then upload or
// mount, then the manifest; one repository re-pushes the same manifest each round), checked and
// deleted again, round after round, while collection runs in a loop. With no grace period at all
// (graceSeconds 0) only the locks protect a layer between its HEAD, upload or mount and the
// manifest PUT that names it: a push may then be refused cleanly (a 4xx the client retries), but
// a manifest the registry accepted must never lose a byte, and no request may fail with a 5xx.
// With the default grace every push succeeds.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { RegistryClient, sha256 } from "../../e2e/support/registry-client.ts";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";
import { collectGarbage } from "../domain/content/garbage-collection.ts";

const OCI_IMAGE = "application/vnd.oci.image.manifest.v1+json";
const REPOS = ["racer/a", "racer/b", "racer/c"];
const SHARED = ["base layer", "runtime layer", "app layer"].map((text) => `${text} ${"x".repeat(2000)}`);

let env: TestEnv;
const tokens = new Map<string, string>();
beforeAll(async () => {
  env = await testEnv();
  await env.user("racer");
  const client = new RegistryClient(env, { username: "racer", password: "password-racer" });
  // Each push may mount from any other repository: one token for all of them.
  const token = await client.token(...REPOS.map((r) => `repository:${r}:pull,push,delete`));
  for (const repo of REPOS) tokens.set(repo, token);
  // No time machine: a deleted manifest is garbage at once.
  await env.deps.db.execute(sql`update namespaces set tag_expiration_s = 0 where name = 'racer'`);
});
afterAll(() => env.close());

const call = (path: string, init: RequestInit = {}) => {
  const headers = new Headers(init.headers);
  headers.set("authorization", `Bearer ${tokens.get(REPOS[0]!)}`);
  return env.app.request(path, { ...init, headers });
};

/** Every response seen: none may be a 5xx. */
const statuses: number[] = [];
async function send(path: string, init: RequestInit = {}): Promise<Response> {
  const res = await call(path, init);
  statuses.push(res.status);
  return res;
}

/** Makes `data` a blob of `repo` the way clients do: HEAD, then a mount or an upload. */
async function ensureBlob(repo: string, data: string): Promise<void> {
  const digest = sha256(data);
  if ((await send(`/v2/${repo}/blobs/${digest}`, { method: "HEAD" })).status === 200) return;
  const other = REPOS[Math.floor(Math.random() * REPOS.length)]!;
  if (other !== repo && Math.random() < 0.5) {
    const mount = await send(`/v2/${repo}/blobs/uploads/?mount=${digest}&from=${other}`, { method: "POST" });
    if (mount.status === 201) return;
  }
  await send(`/v2/${repo}/blobs/uploads/?digest=${digest}`, { method: "POST", body: data });
}

interface Accepted {
  repo: string;
  digest: string;
  blobs: string[];
}

/** Pushes as a client does, trying again when refused; undefined if refused every time. */
async function pushImage(repo: string, round: number): Promise<Accepted | undefined> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const image = await tryPushImage(repo, round);
    if (image) return image;
  }
  return undefined;
}

/** One image: the shared layers and a config of its own. Undefined when refused (cleanly). */
async function tryPushImage(repo: string, round: number): Promise<Accepted | undefined> {
  // The last repository pushes the very same image every round: its manifest, deleted the round
  // before, is revived by the push while collection may be deleting it.
  const variant = repo === REPOS[REPOS.length - 1] ? "same" : round;
  const config = JSON.stringify({ os: "linux", architecture: "amd64", rootfs: { type: "layers", diff_ids: [] }, variant, repo });
  for (const data of [config, ...SHARED]) await ensureBlob(repo, data);
  const body = JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_IMAGE,
    config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: sha256(config), size: config.length },
    layers: SHARED.map((data) => ({ mediaType: "application/vnd.oci.image.layer.v1.tar", digest: sha256(data), size: data.length })),
  });
  const res = await send(`/v2/${repo}/manifests/latest`, { method: "PUT", headers: { "content-type": OCI_IMAGE }, body });
  if (res.status !== 201) return undefined;
  return { repo, digest: sha256(body), blobs: [config, ...SHARED] };
}

/** The manifest and every blob it names can be read back, byte for byte. */
async function readable(image: Accepted): Promise<string[]> {
  const problems: string[] = [];
  const manifest = await call(`/v2/${image.repo}/manifests/${image.digest}`);
  if (manifest.status !== 200) problems.push(`${image.repo}@${image.digest}: manifest ${manifest.status}`);
  for (const data of image.blobs) {
    const res = await call(`/v2/${image.repo}/blobs/${sha256(data)}`);
    const body = res.status === 200 ? await res.text() : "";
    if (body !== data) problems.push(`${image.repo}@${image.digest}: blob ${sha256(data)} ${res.status}`);
  }
  return problems;
}

async function race(rounds: number, graceSeconds: number) {
  let stop = false;
  let blobsDeleted = 0;
  const collector = (async () => {
    while (!stop) {
      const run = await collectGarbage(env.deps, { graceSeconds, batchSize: 20, pace: 0 });
      blobsDeleted += run?.blobsDeleted ?? 0;
    }
  })();
  let accepted = 0;
  let refused = 0;
  try {
    for (let round = 0; round < rounds; round++) {
      const images = await Promise.all(REPOS.map((repo) => pushImage(repo, round)));
      for (const image of images) {
        if (!image) {
          refused++;
          continue;
        }
        accepted++;
        expect(await readable(image)).toEqual([]);
        // Garbage for the next rounds' collections: nothing keeps it any more.
        expect((await send(`/v2/${image.repo}/manifests/${image.digest}`, { method: "DELETE" })).status).toBe(202);
      }
    }
  } finally {
    stop = true;
    await collector;
  }
  expect(statuses.filter((s) => s >= 500)).toEqual([]);
  return { accepted, refused, blobsDeleted };
}

it("never loses a layer of an accepted manifest while collection runs without any grace (50 rounds)", async () => {
  const { accepted, blobsDeleted } = await race(50, 0);
  // Collection did take shared layers between rounds, and the pushes got through in the end.
  expect(blobsDeleted).toBeGreaterThan(0);
  expect(accepted).toBeGreaterThanOrEqual(50);
}, 60_000);

it("refuses no push while collection runs with the default grace", async () => {
  const { refused, accepted } = await race(10, 3600);
  expect(refused).toBe(0);
  expect(accepted).toBe(30);
}, 60_000);

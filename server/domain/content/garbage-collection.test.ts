// Garbage collection's keep rules, one by one, judged with an injected clock; resumption of a run
// stopped midway; abandoned uploads. Content is pushed through the registry door.
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gcRuns, manifests, tags, uploads } from "../../../db/schema.ts";
import { RegistryClient, sha256 } from "../../../e2e/support/registry-client.ts";
import { type TestEnv, testEnv } from "../../../e2e/support/test-app.ts";
import { findRepository } from "../repositories/repositories.ts";
import { collectGarbage } from "./garbage-collection.ts";
import { deleteBlobBytes } from "./gc-blob-sweep.ts";
import { STALE_RUN_MS } from "./gc-runs.ts";
import { setTagExpiration } from "./tags.ts";

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const GRACE_S = 3600;
const OCI_IMAGE = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX = "application/vnd.oci.image.index.v1+json";

let env: TestEnv;
let alice: RegistryClient;
beforeAll(async () => {
  env = await testEnv();
  await env.user("alice");
  alice = new RegistryClient(env, { username: "alice", password: "password-alice" });
});
afterAll(() => env.close());

/** Runs a whole collection as if the time were `at`. */
const collectAt = (at: Date, options: { batchSize?: number; stopAfterBatches?: number } = {}) =>
  collectGarbage({ ...env.deps, clock: { now: () => at } }, { graceSeconds: GRACE_S, ...options });
const later = (ms: number) => new Date(Date.now() + ms);

const manifestExists = async (digest: string) =>
  (await env.deps.db.select({ id: manifests.id }).from(manifests).where(eq(manifests.digest, digest))).length > 0;
const blobStored = async (digest: string) => {
  const [row] = await env.deps.db.execute(sql`select 1 from blobs where digest = ${digest}`);
  return row !== undefined && (await env.deps.store.stat(digest)) !== null;
};
const blobGone = async (digest: string) => {
  const [row] = await env.deps.db.execute(sql`select 1 from blobs where digest = ${digest}`);
  return row === undefined && (await env.deps.store.stat(digest)) === null;
};

/** An image manifest (own config and layer), pushed by digest (untagged) or under `tag`. */
async function pushImage(repo: string, tag?: string, extra: Record<string, unknown> = {}) {
  const config = JSON.stringify({ os: "linux", architecture: "amd64", rootfs: { type: "layers", diff_ids: [] }, n: Math.random() });
  const layer = `layer ${Math.random()}`;
  const configDigest = await alice.pushBlob(repo, config);
  const layerDigest = await alice.pushBlob(repo, layer);
  const body = JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_IMAGE,
    config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: configDigest, size: config.length },
    layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar", digest: layerDigest, size: layer.length }],
    ...extra,
  });
  const digest = sha256(body);
  const res = await alice.pushManifest(repo, tag ?? digest, body, OCI_IMAGE);
  expect(res.status).toBe(201);
  return { digest, size: body.length, configDigest, layerDigest };
}

async function pushIndex(repo: string, tag: string, children: { digest: string; size: number }[]) {
  const body = JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: children.map((c) => ({ mediaType: OCI_IMAGE, digest: c.digest, size: c.size, platform: { os: "linux", architecture: "amd64" } })),
  });
  expect((await alice.pushManifest(repo, tag, body, OCI_INDEX)).status).toBe(201);
  return sha256(body);
}

describe("keep rules", () => {
  it("keeps what a live tag reaches, however old", async () => {
    const image = await pushImage("alice/live", "latest");
    await collectAt(later(30 * DAY));
    expect(await manifestExists(image.digest)).toBe(true);
    expect(await blobStored(image.layerDigest)).toBe(true);
    expect(await blobStored(image.configDigest)).toBe(true);
  });

  it("keeps an untagged push for the grace period, then deletes it with its own blobs", async () => {
    const image = await pushImage("alice/untagged");
    await collectAt(later(GRACE_S * 1000 - 60_000));
    expect(await manifestExists(image.digest)).toBe(true);
    expect(await blobStored(image.layerDigest)).toBe(true);
    const run = await collectAt(later(GRACE_S * 1000 + 60_000));
    expect(await manifestExists(image.digest)).toBe(false);
    expect(await blobGone(image.layerDigest)).toBe(true);
    expect(await blobGone(image.configDigest)).toBe(true);
    expect(run).toMatchObject({ phase: "done" });
    expect(run!.manifestsDeleted).toBeGreaterThanOrEqual(1);
    expect(run!.blobsDeleted).toBeGreaterThanOrEqual(2);
    expect(run!.bytesReclaimed).toBeGreaterThan(0);
  });

  it("keeps a moved-away manifest through the namespace's time machine (2 weeks), not after", async () => {
    const old = await pushImage("alice/moved", "app");
    await pushImage("alice/moved", "app");
    await collectAt(later(13 * DAY));
    expect(await manifestExists(old.digest)).toBe(true);
    expect(await blobStored(old.layerDigest)).toBe(true);
    await collectAt(later(15 * DAY));
    expect(await manifestExists(old.digest)).toBe(false);
    expect(await blobGone(old.layerDigest)).toBe(true);
    // Its ended tag row went with it; the live one stays.
    const repo = (await findRepository(env.deps.db, { namespace: "alice", name: "moved" }))!;
    expect(await env.deps.db.select().from(tags).where(eq(tags.repositoryId, repo.id))).toHaveLength(1);
  });

  it("counts an expired tag as ended at its expiry: kept for the window after it, then collected", async () => {
    const image = await pushImage("alice/expiring", "soon");
    const repo = (await findRepository(env.deps.db, { namespace: "alice", name: "expiring" }))!;
    const expiry = later(DAY);
    await setTagExpiration(env.deps.db, repo.id, "soon", expiry, new Date());
    await collectAt(new Date(expiry.getTime() + 14 * DAY - HOUR));
    expect(await manifestExists(image.digest)).toBe(true);
    await collectAt(new Date(expiry.getTime() + 14 * DAY + HOUR));
    expect(await manifestExists(image.digest)).toBe(false);
  });

  it("keeps the children of a kept index, and referrers of a kept subject", async () => {
    const child = await pushImage("alice/multi");
    const index = await pushIndex("alice/multi", "v1", [child]);
    const referrer = await pushImage("alice/multi", undefined, {
      artifactType: "application/vnd.example.sbom",
      subject: { mediaType: OCI_IMAGE, digest: child.digest, size: child.size },
    });
    await collectAt(later(DAY));
    for (const digest of [child.digest, index, referrer.digest]) expect(await manifestExists(digest)).toBe(true);
    expect(await blobStored(child.layerDigest)).toBe(true);
    expect(await blobStored(referrer.layerDigest)).toBe(true);
  });

  it("collects a referrer whose subject is collected, and an index's untagged children with it", async () => {
    const child = await pushImage("alice/orphans");
    const index = await pushIndex("alice/orphans", "gone", [child]);
    const referrer = await pushImage("alice/orphans", undefined, {
      artifactType: "application/vnd.example.signature",
      subject: { mediaType: OCI_IMAGE, digest: child.digest, size: child.size },
    });
    const repo = (await findRepository(env.deps.db, { namespace: "alice", name: "orphans" }))!;
    // Delete the tag past the time machine: nothing keeps the index any more.
    await env.deps.db.update(tags).set({ lifetimeEnd: new Date(Date.now() - 15 * DAY) }).where(eq(tags.repositoryId, repo.id));
    await collectAt(later(2 * HOUR));
    for (const digest of [child.digest, index, referrer.digest]) expect(await manifestExists(digest)).toBe(false);
    expect(await blobGone(referrer.layerDigest)).toBe(true);
  });

  it("keeps a blob pushed without a manifest for the grace period", async () => {
    const digest = await alice.pushBlob("alice/loose", `loose ${Math.random()}`);
    await collectAt(later(GRACE_S * 1000 - 60_000));
    expect(await blobStored(digest)).toBe(true);
    await collectAt(later(GRACE_S * 1000 + 60_000));
    expect(await blobGone(digest)).toBe(true);
  });

  it("refreshes a blob's link when it is mounted, uploaded again or checked with HEAD", async () => {
    const age = (digest: string) =>
      env.deps.db.execute(sql`update repo_blobs set created_at = created_at - interval '3 hours' where digest = ${digest}`);
    const data = `shared ${Math.random()}`;
    const mounted = await alice.pushBlob("alice/source", `${data} mounted`);
    await alice.pushBlob("alice/target", `${data} mounted`); // linked there already: the mount refreshes it
    const reuploaded = await alice.pushBlob("alice/source", `${data} again`);
    const headed = await alice.pushBlob("alice/source", `${data} head`);
    const untouched = await alice.pushBlob("alice/source", `${data} untouched`);
    for (const d of [mounted, reuploaded, headed, untouched]) await age(d);
    const token = await alice.token("repository:alice/target:pull,push", "repository:alice/source:pull");
    const mount = await env.app.request(`/v2/alice/target/blobs/uploads/?mount=${mounted}&from=alice/source`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
    });
    expect(mount.status).toBe(201);
    await alice.pushBlob("alice/source", `${data} again`);
    expect((await alice.request(`/v2/alice/source/blobs/${headed}`, { method: "HEAD" })).status).toBe(200);
    await collectAt(later(GRACE_S * 1000 - 60_000));
    for (const d of [mounted, reuploaded, headed]) expect(await blobStored(d)).toBe(true);
    expect(await blobGone(untouched)).toBe(true);
  });
});

/** Runs `during` while another transaction holds `lock` (as a writer in the middle of a push would). */
async function whileHeld<T>(lock: ReturnType<typeof sql>, during: () => Promise<T>): Promise<T> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let held!: () => void;
  const holding = new Promise<void>((resolve) => (held = resolve));
  const writer = env.deps.db.transaction(async (tx) => {
    await tx.execute(lock);
    held();
    await released;
  });
  await holding;
  try {
    return await during();
  } finally {
    release();
    await writer;
  }
}

describe("what a writer holds is left alone", () => {
  it("keeps an unreachable child while a writer holds its index (it could be tagging it), then collects both", async () => {
    const child = await pushImage("alice/held");
    const index = await pushIndex("alice/held", "gone", [child]);
    const repo = (await findRepository(env.deps.db, { namespace: "alice", name: "held" }))!;
    await env.deps.db.update(tags).set({ lifetimeEnd: new Date(Date.now() - 15 * DAY) }).where(eq(tags.repositoryId, repo.id));
    await whileHeld(sql`select id from manifests where digest = ${index} for key share`, () => collectAt(later(2 * HOUR)));
    expect(await manifestExists(child.digest)).toBe(true);
    expect(await manifestExists(index)).toBe(true);
    await collectAt(later(2 * HOUR));
    expect(await manifestExists(child.digest)).toBe(false);
    expect(await manifestExists(index)).toBe(false);
  });

  it("keeps a blob nothing else keeps while a writer holds its row, then collects it", async () => {
    const digest = await alice.pushBlob("alice/held-blob", `held ${Math.random()}`);
    await whileHeld(sql`select digest from blobs where digest = ${digest} for key share`, () => collectAt(later(2 * HOUR)));
    expect(await blobStored(digest)).toBe(true);
    await collectAt(later(2 * HOUR));
    expect(await blobGone(digest)).toBe(true);
  });
});

describe("deleting bytes after the rows", () => {
  it("deletes the bytes of a blob whose row is gone, and keeps them when the blob was pushed again meanwhile", async () => {
    const [gone, again] = await Promise.all([
      alice.pushBlob("alice/bytes", `gone ${Math.random()}`),
      alice.pushBlob("alice/bytes", `again ${Math.random()}`),
    ]);
    // As a committed sweep leaves them: no rows, bytes still there.
    for (const digest of [gone, again]) {
      await env.deps.db.execute(sql`delete from repo_blobs where digest = ${digest}`);
      await env.deps.db.execute(sql`delete from blobs where digest = ${digest}`);
    }
    // Then `again` is pushed anew before its bytes are deleted: its row is back.
    await env.deps.db.execute(sql`insert into blobs (digest, size) select ${again}, 1`);
    await deleteBlobBytes(env.deps.db, env.deps.store, [gone, again]);
    expect(await env.deps.store.stat(gone)).toBeNull();
    expect(await env.deps.store.stat(again)).not.toBeNull();
    // The placeholder that held the digest's place was rolled back.
    expect(await env.deps.db.execute(sql`select 1 from blobs where digest = ${gone}`)).toHaveLength(0);
  });
});

describe("runs", () => {
  it("resumes a stopped run from its cursor once its heartbeat is stale, counting every manifest once", async () => {
    for (let i = 0; i < 5; i++) await pushImage("alice/resume", `t${i}`);
    const total = (await env.deps.db.select({ id: manifests.id }).from(manifests)).length;
    const at = later(HOUR);
    // Uploads phase, then two manifest batches of 2: stopped as a crash would leave it.
    const stopped = (await collectAt(at, { batchSize: 2, stopAfterBatches: 3 }))!;
    expect(stopped).toMatchObject({ phase: "manifests", manifestsExamined: 4, finishedAt: null });
    // Its worker still looks alive: nobody else starts.
    expect(await collectAt(new Date(at.getTime() + 60_000), { batchSize: 2 })).toBeUndefined();
    const resumed = (await collectAt(new Date(at.getTime() + STALE_RUN_MS + 1000), { batchSize: 2 }))!;
    expect(resumed.id).toBe(stopped.id);
    expect(resumed).toMatchObject({ phase: "done", manifestsExamined: total });
    expect(resumed.finishedAt).not.toBeNull();
    expect(await env.deps.db.select().from(gcRuns).where(eq(gcRuns.id, stopped.id))).toHaveLength(1);
  });

  it("removes uploads abandoned for a day (the upload-cleanup rule), keeping recent ones", async () => {
    const start = (path: string) => alice.request(path, { method: "POST" });
    expect((await start("/v2/alice/uploads/blobs/uploads/")).status).toBe(202);
    const before = await env.deps.db.select().from(uploads);
    const run = (await collectAt(later(2 * DAY)))!;
    expect(run.uploadsDeleted).toBe(before.length);
    expect(await env.deps.db.select().from(uploads)).toHaveLength(0);
  });
});

// A finished upload reaches the disk before it is recorded: the blob's bytes are synced, then put
// in place, then its directory is synced, and only then does the blobs row commit. (After a
// power cut a recorded blob is never empty or missing.)
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, expect, it, vi } from "vitest";
import { RegistryClient, sha256 } from "../../e2e/support/registry-client.ts";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";
import { blobs } from "../../db/schema.ts";
import { diskSync } from "../storage/disk-sync.ts";
import type { FsStorage } from "../config.ts";

const real = { ...diskSync };
let env: TestEnv;
let alice: RegistryClient;

beforeAll(async () => {
  env = await testEnv();
  await env.user("alice");
  alice = new RegistryClient(env, { username: "alice", password: "password-alice" });
});
afterAll(() => env.close());
afterEach(() => vi.restoreAllMocks());

/** Records each sync with what was already visible: the blob at its path, its committed row. */
function watchSyncs(digest: string) {
  const hex = digest.slice("sha256:".length);
  const path = join((env.config.storage as FsStorage).root, "blobs", "sha256", hex.slice(0, 2), hex);
  const state = async () => {
    const rows = await env.deps.db.select().from(blobs).where(eq(blobs.digest, digest));
    return `blob ${existsSync(path) ? "in place" : "absent"}, row ${rows.length > 0 ? "committed" : "absent"}`;
  };
  const events: string[] = [];
  vi.spyOn(diskSync, "file").mockImplementation(async (file) => {
    events.push(`file: ${await state()}`);
    return real.file(file);
  });
  vi.spyOn(diskSync, "directory").mockImplementation(async (dir) => {
    events.push(`${dir === dirname(path) ? "blob directory" : "parent directory"}: ${await state()}`);
    return real.directory(dir);
  });
  return { events, state };
}

/** The bytes are synced (first ahead of the commit, then within it) before they are put in place;
 * the blob's directory after; a directory made for this blob is an entry its parent must keep. */
function expectSyncOrder(events: string[]) {
  const files = events.findIndex((e) => !e.startsWith("file"));
  expect(files).toBeGreaterThan(0);
  for (const event of events.slice(0, files)) expect(event).toBe("file: blob absent, row absent");
  expect(events[files]).toBe("blob directory: blob in place, row absent");
  for (const event of events.slice(files + 1)) expect(event).toBe("parent directory: blob in place, row absent");
}

it("syncs the bytes, puts them in place, syncs the directory, then records the blob (chunked)", async () => {
  const data = randomBytes(200_000);
  const digest = sha256(data);
  const watch = watchSyncs(digest);
  const start = await alice.request("/v2/alice/durable/blobs/uploads/", { method: "POST" });
  const location = start.headers.get("location")!;
  for (const [from, to] of [[0, 100_000], [100_000, 200_000]] as const) {
    const res = await alice.request(location, {
      method: "PATCH",
      headers: { "content-range": `${from}-${to - 1}` },
      body: data.subarray(from, to) as Uint8Array<ArrayBuffer>,
    });
    expect(res.status).toBe(202);
  }
  expect(watch.events).toEqual([]); // chunks are not synced one by one: the commit syncs them all
  expect((await alice.request(`${location}?digest=${digest}`, { method: "PUT" })).status).toBe(201);

  expectSyncOrder(watch.events);
  expect(await watch.state()).toBe("blob in place, row committed");
});

it("does the same for a whole blob in one POST", async () => {
  const data = randomBytes(50_000);
  const digest = sha256(data);
  const watch = watchSyncs(digest);
  const res = await alice.request(`/v2/alice/durable/blobs/uploads/?digest=${digest}`, { method: "POST", body: data as Uint8Array<ArrayBuffer> });
  expect(res.status).toBe(201);
  expectSyncOrder(watch.events);
  expect(await watch.state()).toBe("blob in place, row committed");
});

it("syncs nothing when QUAYSIDE_FSYNC is off", async () => {
  const off = await testEnv({ QUAYSIDE_FSYNC: "false" });
  try {
    await off.user("bob");
    const bob = new RegistryClient(off, { username: "bob", password: "password-bob" });
    const file = vi.spyOn(diskSync, "file");
    const directory = vi.spyOn(diskSync, "directory");
    await bob.pushBlob("bob/fast", randomBytes(10_000));
    expect(file).not.toHaveBeenCalled();
    expect(directory).not.toHaveBeenCalled();
  } finally {
    await off.close();
  }
});

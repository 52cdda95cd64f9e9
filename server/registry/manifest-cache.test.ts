// Pulling many large manifests cannot grow a node's memory past the manifest cache's budget.
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { RegistryClient, sha256 } from "../../e2e/support/registry-client.ts";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";
import { findRepository } from "../domain/repositories/repositories.ts";

const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const MiB = 1024 * 1024;

let env: TestEnv;
let alice: RegistryClient;

beforeAll(async () => {
  env = await testEnv();
  await env.user("alice");
  alice = new RegistryClient(env, { username: "alice", password: "password-alice" });
});
afterAll(() => env.close());

/**
 * Waits until the change notifications the pushes sent have reached this node's cache: they
 * arrive in order, so once a marker sent now is seen, theirs have been (a late one would drop
 * entries in the middle of the reads below).
 */
async function changeNotificationsSeen(): Promise<void> {
  const forget = vi.spyOn(env.deps.cache, "forgetContent");
  await env.database.sql`select pg_notify('quayside_content', 'content:0')`;
  while (!forget.mock.calls.some(([id]) => id === 0)) await new Promise((resolve) => setTimeout(resolve, 10));
  forget.mockRestore();
}

it("keeps manifests fetched by tag and by digest within the byte budget", { timeout: 120_000 }, async () => {
  const repo = "alice/large-manifests";
  const config = "{}";
  const configDigest = await alice.pushBlob(repo, config);
  const budget = env.config.manifestCacheBytes;
  expect(budget).toBe(64 * MiB);
  const count = 24; // ~96 MiB of manifests
  const digests: string[] = [];
  for (let n = 0; n < count; n++) {
    // Just under the 4 MiB a manifest may weigh, each one different.
    const body = JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: configDigest, size: config.length },
      layers: [],
      annotations: { padding: String(n).padEnd(4 * MiB - 512, ".") },
    });
    expect((await alice.pushManifest(repo, `t${n}`, body, OCI_MANIFEST)).status).toBe(201);
    digests.push(sha256(body));
  }
  const { id } = (await findRepository(env.deps.db, { namespace: "alice", name: "large-manifests" }))!;
  await changeNotificationsSeen();

  for (let n = 0; n < count; n++) {
    for (const ref of [`t${n}`, digests[n]]) {
      const res = await alice.request(`/v2/${repo}/manifests/${ref}`);
      expect(res.headers.get("docker-content-digest")).toBe(digests[n]);
      expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(4 * MiB - 1024);
      expect(env.deps.cache.manifestBytes).toBeLessThanOrEqual(budget);
    }
    // The tag and the digest share one copy: fetching by digest after the tag held nothing more.
    expect(env.deps.cache.manifest(id, "tag:t" + n)).toBe(env.deps.cache.manifest(id, digests[n]!));
  }
  // Full, and the least recently fetched are gone by every reference.
  expect(env.deps.cache.manifestBytes).toBeGreaterThan(budget - 8 * MiB);
  expect(env.deps.cache.manifest(id, "tag:t0")).toBeUndefined();
  expect(env.deps.cache.manifest(id, digests[0]!)).toBeUndefined();
  expect(env.deps.cache.manifest(id, `tag:t${count - 1}`)?.digest).toBe(digests[count - 1]);
});

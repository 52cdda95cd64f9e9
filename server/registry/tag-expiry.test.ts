// An expired tag leaves the registry at its instant: pulls by tag and the tags list stop showing
// it (even from the in-memory caches, warmed first), while its manifest stays pullable by digest.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { tags } from "../../db/schema.ts";
import { RegistryClient } from "../../e2e/support/registry-client.ts";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";
import { toPrincipal } from "../domain/accounts/users.ts";
import type { Clock } from "../domain/clock.ts";
import { changeTagExpiration } from "../domain/content/tag-changes.ts";
import { findRepository } from "../domain/repositories/repositories.ts";

const T0 = Date.UTC(2030, 5, 1, 8, 0, 0);
let now = T0;
const clock: Clock = { now: () => new Date(now) };
const OCI = "application/vnd.oci.image.manifest.v1+json";

let env: TestEnv;
let registry: RegistryClient;
let digest: string;

beforeAll(async () => {
  env = await testEnv({}, { clock });
  const alice = await env.user("alice");
  registry = new RegistryClient(env, { username: "alice", password: "password-alice" });
  digest = (await registry.pushImage("alice/brief", "short")).digest;
  await registry.pushImage("alice/brief", "stays");
  const repo = (await findRepository(env.deps.db, { namespace: "alice", name: "brief" }))!;
  await changeTagExpiration(env.deps, { principal: toPrincipal(alice) }, repo, "short", new Date(T0 + 3_600_000));
});
afterAll(() => env.close());

const manifest = (reference: string, method = "GET") =>
  registry.request(`/v2/alice/brief/manifests/${reference}`, { method, headers: { accept: OCI } });
const tagList = async () => ((await (await registry.request("/v2/alice/brief/tags/list")).json()) as { tags: string[] }).tags;

it("serves an expiring tag until its expiry, then answers MANIFEST_UNKNOWN by tag and drops it from the list", async () => {
  // Warm the caches: the manifest by tag and the tag names.
  now = T0 + 3_600_000 - 1;
  expect((await manifest("short")).status).toBe(200);
  expect((await manifest("short", "HEAD")).status).toBe(200);
  expect(await tagList()).toEqual(["short", "stays"]);

  now = T0 + 3_600_000; // the instant of expiry; no job has run
  const byTag = await manifest("short");
  expect(byTag.status).toBe(404);
  expect(((await byTag.json()) as { errors: { code: string }[] }).errors[0]!.code).toBe("MANIFEST_UNKNOWN");
  expect((await manifest("short", "HEAD")).status).toBe(404);
  expect(await tagList()).toEqual(["stays"]);
  // The manifest is in the time machine: still pullable by digest.
  const byDigest = await manifest(digest);
  expect(byDigest.status).toBe(200);
  expect(byDigest.headers.get("docker-content-digest")).toBe(digest);
});

it("makes an expired tag live again when the same manifest is pushed to it, keeping the expired row as history", async () => {
  now = T0 + 2 * 3_600_000;
  const body = await (await manifest(digest)).text();
  expect((await registry.pushManifest("alice/brief", "short", body, OCI)).status).toBe(201);
  expect((await manifest("short")).status).toBe(200);
  expect(await tagList()).toEqual(["short", "stays"]);
  const rows = await env.deps.db.select({ end: tags.lifetimeEnd }).from(tags).where(eq(tags.name, "short")).orderBy(tags.id);
  expect(rows).toEqual([{ end: new Date(T0 + 3_600_000) }, { end: null }]);
});

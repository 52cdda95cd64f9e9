// A node that never runs the cleanup job (--role=web) still lets go of the running hashes of
// sessions clients abandoned: they go once idle longer than a session may live.
import { afterAll, beforeAll, expect, it } from "vitest";
import { RegistryClient } from "../../e2e/support/registry-client.ts";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";
import { keptRunningHashes, STALE_UPLOAD_MS } from "../domain/content/uploads.ts";

let now = new Date("2026-01-01T00:00:00Z");
let env: TestEnv;
let alice: RegistryClient;

beforeAll(async () => {
  env = await testEnv({ QUAYSIDE_ROLE: "web" }, { clock: { now: () => now } });
  await env.user("alice");
  alice = new RegistryClient(env, { username: "alice", password: "password-alice" });
});
afterAll(() => env.close());

async function abandonSession(): Promise<void> {
  const start = await alice.request("/v2/alice/abandoned/blobs/uploads/", { method: "POST" });
  const res = await alice.request(start.headers.get("location")!, { method: "PATCH", body: "some bytes, never finished" });
  expect(res.status).toBe(202);
}

it("drops the hashes of sessions idle longer than the upload expiry", async () => {
  const before = keptRunningHashes();
  for (let i = 0; i < 5; i++) await abandonSession();
  expect(keptRunningHashes()).toBe(before + 5);

  now = new Date(now.getTime() + STALE_UPLOAD_MS + 1000);
  await abandonSession();
  expect(keptRunningHashes()).toBe(1);
});

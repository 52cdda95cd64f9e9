import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { RegistryClient } from "../e2e/support/registry-client.ts";
import { type TestEnv, testEnv } from "../e2e/support/test-app.ts";
import { uploads } from "../db/schema.ts";
import type { FsStorage } from "../server/config.ts";
import { STALE_UPLOAD_MS } from "../server/domain/content/uploads.ts";
import { uploadCleanup } from "./upload-cleanup.ts";

let now = new Date("2026-01-01T00:00:00Z");
let env: TestEnv;

beforeAll(async () => {
  env = await testEnv({}, { clock: { now: () => now } });
  await env.user("alice");
});
afterAll(() => env.close());

it("removes sessions untouched for a day, with their bytes, and keeps fresh ones", async () => {
  const alice = new RegistryClient(env, { username: "alice", password: "password-alice" });
  const open = async () => {
    const res = await alice.request("/v2/alice/abandoned/blobs/uploads/", { method: "POST" });
    const location = res.headers.get("location")!;
    await alice.request(location, { method: "PATCH", body: "partial bytes" });
    return location.split("/").pop()!;
  };
  const stale = await open();
  now = new Date(now.getTime() + STALE_UPLOAD_MS + 1000);
  const fresh = await open();
  const file = (id: string) => join((env.config.storage as FsStorage).root, "uploads", id);
  expect(existsSync(file(stale))).toBe(true);

  await uploadCleanup.handle(env.deps, {});

  const left = (await env.deps.db.select({ id: uploads.id }).from(uploads)).map((u) => u.id);
  expect(left).toEqual([fresh]);
  expect(existsSync(file(stale))).toBe(false);
  expect(existsSync(file(fresh))).toBe(true);
});

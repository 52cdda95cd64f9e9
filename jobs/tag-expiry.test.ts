import { eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { tags } from "../db/schema.ts";
import { RegistryClient } from "../e2e/support/registry-client.ts";
import { type TestEnv, testEnv } from "../e2e/support/test-app.ts";
import { tagExpiry } from "./tag-expiry.ts";

let now = new Date("2031-01-01T00:00:00Z");
let env: TestEnv;

beforeAll(async () => {
  env = await testEnv({}, { clock: { now: () => now } });
  await env.user("alice");
});
afterAll(() => env.close());

it("ends expired rows at their expiry and leaves the others", async () => {
  const alice = new RegistryClient(env, { username: "alice", password: "password-alice" });
  await alice.pushImage("alice/jobs", "due");
  await alice.pushImage("alice/jobs", "later");
  const expiry = new Date(now.getTime() + 60_000);
  await env.deps.db.update(tags).set({ expiresAt: expiry }).where(eq(tags.name, "due"));
  await env.deps.db.update(tags).set({ expiresAt: new Date(now.getTime() + 3_600_000) }).where(eq(tags.name, "later"));
  now = new Date(now.getTime() + 120_000);

  await tagExpiry.handle(env.deps, {});

  const rows = await env.deps.db.select({ name: tags.name, end: tags.lifetimeEnd }).from(tags).orderBy(tags.name);
  expect(rows).toEqual([
    { name: "due", end: expiry },
    { name: "later", end: null },
  ]);
});

// Tag rows as history: pointing a tag ends its live row and starts a new one, exactly once even
// when pushes race.
import { and, eq, isNull } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { tags } from "../../../db/schema.ts";
import { RegistryClient } from "../../../e2e/support/registry-client.ts";
import { type TestEnv, testEnv } from "../../../e2e/support/test-app.ts";
import { findRepository } from "../repositories/repositories.ts";
import { liveTagCondition, liveTagManifestId, pointTag, setTagExpiration } from "./tags.ts";

let env: TestEnv;
let repositoryId: number;
let first: number;
let second: number;

beforeAll(async () => {
  env = await testEnv();
  await env.user("alice");
  const alice = new RegistryClient(env, { username: "alice", password: "password-alice" });
  await alice.pushImage("alice/history", "one");
  await alice.pushImage("alice/history", "two");
  repositoryId = (await findRepository(env.deps.db, { namespace: "alice", name: "history" }))!.id;
  first = (await liveTagManifestId(env.deps.db, repositoryId, "one", new Date()))!;
  second = (await liveTagManifestId(env.deps.db, repositoryId, "two", new Date()))!;
});
afterAll(() => env.close());

const liveRows = (name: string) =>
  env.deps.db.select().from(tags).where(and(eq(tags.repositoryId, repositoryId), eq(tags.name, name), isNull(tags.lifetimeEnd)));

it("moves a tag, keeping the old row as history, and does nothing when it already points there", async () => {
  const now = new Date();
  expect(await pointTag(env.deps.db, repositoryId, "moving", first, now)).toEqual({ previousManifestId: null, changed: true });
  expect(await pointTag(env.deps.db, repositoryId, "moving", second, now)).toEqual({ previousManifestId: first, changed: true });
  expect(await pointTag(env.deps.db, repositoryId, "moving", second, now)).toEqual({ previousManifestId: second, changed: false });
  const all = await env.deps.db.select().from(tags).where(and(eq(tags.repositoryId, repositoryId), eq(tags.name, "moving")));
  expect(all).toHaveLength(2);
  expect(await liveRows("moving")).toHaveLength(1);
});

it("lets racing pushes of one tag both succeed, leaving exactly one live row", async () => {
  for (let round = 0; round < 5; round++) {
    const name = `raced-${round}`;
    await pointTag(env.deps.db, repositoryId, name, first, new Date());
    // Two transactions move the same tag at once, each holding its lock a moment.
    const move = (to: number) =>
      env.deps.db.transaction(async (tx) => {
        const change = await pointTag(tx, repositoryId, name, to, new Date());
        await new Promise((r) => setTimeout(r, 20));
        return change;
      });
    const results = await Promise.all([move(second), move(second), move(first)]);
    expect(results.every((r) => typeof r.changed === "boolean")).toBe(true);
    expect(await liveRows(name)).toHaveLength(1);
  }
});

it("counts a tag live until the instant its expiry passes, and sets or clears that expiry", async () => {
  const now = new Date("2030-01-01T00:00:00Z");
  const expiry = new Date("2030-01-01T01:00:00Z");
  await pointTag(env.deps.db, repositoryId, "expiring", first, now);
  expect(await setTagExpiration(env.deps.db, repositoryId, "expiring", expiry, now)).toEqual({ previous: null });
  const liveAt = async (at: Date) =>
    (await env.deps.db.select({ name: tags.name }).from(tags).where(and(liveTagCondition(repositoryId, at), eq(tags.name, "expiring")))).length;
  expect(await liveAt(new Date(expiry.getTime() - 1))).toBe(1);
  expect(await liveAt(expiry)).toBe(0);
  expect(await setTagExpiration(env.deps.db, repositoryId, "expiring", null, expiry)).toBeUndefined();
  expect(await setTagExpiration(env.deps.db, repositoryId, "expiring", null, now)).toEqual({ previous: expiry });
  expect(await liveAt(new Date("2040-01-01T00:00:00Z"))).toBe(1);
  expect(await setTagExpiration(env.deps.db, repositoryId, "absent", null, now)).toBeUndefined();
});

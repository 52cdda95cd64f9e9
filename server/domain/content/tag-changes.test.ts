// Tag changes with a fixed clock: expiry takes effect at its instant with no job, the time
// machine holds ended tags for the namespace's window only, and reverts are marked as such.
import { desc, eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { auditLog, namespaces, tags } from "../../../db/schema.ts";
import { RegistryClient } from "../../../e2e/support/registry-client.ts";
import { type TestEnv, testEnv } from "../../../e2e/support/test-app.ts";
import { toPrincipal } from "../accounts/users.ts";
import type { Actor } from "../access/principal.ts";
import type { Clock } from "../clock.ts";
import { findRepository, type Repository } from "../repositories/repositories.ts";
import { boundedExpiry, changeTagExpiration, deleteTag, permanentlyDeleteTag, restoreTag, tagManifest } from "./tag-changes.ts";
import { endExpiredTags, listTagViews, liveTag } from "./tags.ts";

const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
let now = T0;
const clock: Clock = { now: () => new Date(now) };

let env: TestEnv;
let registry: RegistryClient;
let actor: Actor;
let repo: Repository;
let one: string;
let two: string;

beforeAll(async () => {
  env = await testEnv({}, { clock });
  const alice = await env.user("alice");
  actor = { principal: toPrincipal(alice) };
  registry = new RegistryClient(env, { username: "alice", password: "password-alice" });
  one = (await registry.pushImage("alice/machine", "one")).digest;
  two = (await registry.pushImage("alice/machine", "two")).digest;
  repo = (await findRepository(env.deps.db, { namespace: "alice", name: "machine" }))!;
});
afterAll(() => env.close());

const live = (name: string) => liveTag(env.deps.db, repo.id, name, clock.now());
const lastAudit = async () =>
  (await env.deps.db.select().from(auditLog).where(eq(auditLog.repositoryId, repo.id)).orderBy(desc(auditLog.id)).limit(1))[0]!;
const history = (name: string) =>
  listTagViews(env.deps.db, repo.id, { onlyActive: false, name, offset: 0, limit: 50 }, clock.now());

it("lets an expired tag go at its instant, before any job runs, and the job ends it at its expiry", async () => {
  await tagManifest(env.deps, actor, repo, "brief", one);
  const expiry = await changeTagExpiration(env.deps, actor, repo, "brief", new Date(now + 2 * HOUR));
  expect(expiry).toEqual(new Date(T0 + 2 * HOUR));
  expect((await lastAudit()).metadata).toEqual({
    username: "alice",
    repo: "machine",
    namespace: "alice",
    tag: "brief",
    expiration_date: (T0 + 2 * HOUR) / 1000,
    old_expiration_date: null,
  });
  now = T0 + 2 * HOUR - 1;
  expect(await live("brief")).toBeDefined();
  now = T0 + 2 * HOUR;
  expect(await live("brief")).toBeUndefined();
  // Deleting or expiring what has already expired finds nothing.
  await expect(deleteTag(env.deps, actor, repo, "brief")).rejects.toMatchObject({ code: "NOT_FOUND" });
  await expect(changeTagExpiration(env.deps, actor, repo, "brief", null)).rejects.toMatchObject({ code: "NOT_FOUND" });
  expect(await endExpiredTags(env.deps.db, clock.now(), 100)).toBe(1);
  const [row] = await history("brief");
  expect(row!.lifetimeEnd).toEqual(new Date(T0 + 2 * HOUR));
});

it("ends an expired row at its expiry when the tag is written again", async () => {
  now = T0 + DAY;
  await tagManifest(env.deps, actor, repo, "again", one);
  await changeTagExpiration(env.deps, actor, repo, "again", new Date(now + HOUR));
  now += 3 * HOUR;
  // The same manifest: a new row all the same, the old one ended when it expired.
  expect(await tagManifest(env.deps, actor, repo, "again", one)).toEqual({ created: true });
  expect((await lastAudit()).kind).toBe("create_tag");
  const rows = await history("again");
  expect(rows.map((r) => [r.lifetimeEnd, r.expiresAt])).toEqual([
    [null, null],
    [new Date(T0 + DAY + HOUR), new Date(T0 + DAY + HOUR)],
  ]);
});

it("keeps an expiry within Quay's bounds from the tag's start, and refuses the past", () => {
  const start = new Date(T0);
  expect(boundedExpiry(start, new Date(T0 + 60_000))).toEqual(new Date(T0 + HOUR));
  expect(boundedExpiry(start, new Date(T0 + 3 * DAY + 999))).toEqual(new Date(T0 + 3 * DAY));
  expect(boundedExpiry(start, new Date(T0 + 1000 * DAY))).toEqual(new Date(T0 + 104 * 7 * DAY));
});

it("refuses an expiry that is not in the future", async () => {
  await tagManifest(env.deps, actor, repo, "past", one);
  await expect(changeTagExpiration(env.deps, actor, repo, "past", clock.now())).rejects.toMatchObject({ code: "INVALID_REQUEST" });
});

it("restores a deleted tag only inside the namespace's time-machine window, marked as a reversion", async () => {
  now = T0 + 10 * DAY;
  const lone = (await registry.pushImage("alice/machine", "gone")).digest;
  await deleteTag(env.deps, actor, repo, "gone");
  expect((await lastAudit()).metadata).toMatchObject({ tag: "gone", manifest_digest: lone });
  now += 13 * DAY; // inside two weeks
  await restoreTag(env.deps, actor, repo, "gone", lone);
  expect((await lastAudit()).metadata).toEqual({ username: "alice", repo: "machine", namespace: "alice", tag: "gone", manifest_digest: lone });
  const [restored] = await history("gone");
  expect(restored).toMatchObject({ manifestDigest: lone, reversion: true, lifetimeEnd: null });

  await deleteTag(env.deps, actor, repo, "gone");
  now += 14 * DAY + 1; // just past the window
  await expect(restoreTag(env.deps, actor, repo, "gone", lone)).rejects.toMatchObject({ code: "NOT_FOUND" });
  // A manifest still live under another name may be tagged again by any name.
  await restoreTag(env.deps, actor, repo, "gone", two);
});

it("counts a namespace's own window, changed at any time", async () => {
  await env.deps.db.update(namespaces).set({ tagExpirationS: 86_400 }).where(eq(namespaces.id, repo.namespaceId));
  const lone = (await registry.pushImage("alice/machine", "short")).digest;
  await deleteTag(env.deps, actor, repo, "short");
  now += DAY + 1;
  await expect(restoreTag(env.deps, actor, repo, "short", lone)).rejects.toMatchObject({ code: "NOT_FOUND" });
  await env.deps.db.update(namespaces).set({ tagExpirationS: 1_209_600 }).where(eq(namespaces.id, repo.namespaceId));
  await restoreTag(env.deps, actor, repo, "short", lone);
});

it("reverts a moved tag to its earlier manifest", async () => {
  await tagManifest(env.deps, actor, repo, "moved", one);
  now += 1000;
  await tagManifest(env.deps, actor, repo, "moved", two);
  expect((await lastAudit()).metadata).toMatchObject({ tag: "moved", manifest_digest: two, original_manifest_digest: one });
  expect((await lastAudit()).kind).toBe("move_tag");
  now += 1000;
  await restoreTag(env.deps, actor, repo, "moved", one);
  expect((await history("moved")).map((r) => [r.manifestDigest, r.reversion])).toEqual([
    [one, true],
    [two, false],
    [one, false],
  ]);
});

it("takes a tag's rows out of the time machine for good", async () => {
  await tagManifest(env.deps, actor, repo, "purge", one);
  now += 1000;
  await deleteTag(env.deps, actor, repo, "purge");
  await permanentlyDeleteTag(env.deps, actor, repo, "purge", { alive: false, manifestDigest: one });
  expect((await lastAudit()).kind).toBe("permanently_delete_tag");
  // "one" is reachable through other live tags, but no longer through this tag's history.
  const [row] = await history("purge");
  expect(row!.lifetimeEnd!.getTime()).toBeLessThan(now - 14 * DAY);
  await expect(permanentlyDeleteTag(env.deps, actor, repo, "purge", { alive: false, manifestDigest: one })).rejects.toMatchObject({
    code: "NOT_FOUND",
  });
  await tagManifest(env.deps, actor, repo, "purge", two);
  await permanentlyDeleteTag(env.deps, actor, repo, "purge", { alive: true });
  expect(await live("purge")).toBeUndefined();
  expect(await env.deps.db.select().from(tags).where(eq(tags.name, "purge"))).toHaveLength(2);
});

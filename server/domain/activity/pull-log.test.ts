// The pull log holds pulls for at most a second, then writes them all in one go.
import { and, eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, expect, it, vi } from "vitest";
import { auditLog, manifestPullStats, tagPullStats } from "../../../db/schema.ts";
import { type TestEnv, testEnv } from "../../../e2e/support/test-app.ts";
import { toPrincipal } from "../accounts/users.ts";
import { createRepository } from "../repositories/repositories.ts";
import { PullLog } from "./pull-log.ts";

let env: TestEnv;
beforeAll(async () => {
  env = await testEnv();
});
afterAll(() => env.close());
afterEach(() => vi.useRealTimers());

/** A clock that moves only when told, so a test knows each pull's time to the millisecond. */
function stoppedClock() {
  let now = Date.now();
  return { now: () => new Date(now), advance: (ms: number) => void (now += ms) };
}

/** A user acting from `ip` and a repository of theirs, as a pull names it. */
async function pullerAndRepo(username: string, name: string, ip: string) {
  const user = await env.user(username);
  const actor = { principal: toPrincipal(user), ip };
  const repo = await createRepository(env.deps.db, actor, { namespace: username, name, visibility: "private" });
  return { actor, target: { id: repo.id, namespaceId: repo.namespaceId, namespace: username, name } };
}

it("writes a batch one second after its first pull, in one go, and nothing before", async () => {
  const { actor, target } = await pullerAndRepo("alice", "batched", "10.1.2.3");
  const pulls = new PullLog(env.deps.db, env.deps.clock);
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
  pulls.record(actor, { repo: target, tag: "a", digest: "sha256:1" });
  vi.advanceTimersByTime(500);
  pulls.record(actor, { repo: target, digest: "sha256:2" });
  vi.advanceTimersByTime(499);
  expect(pulls.pending).toBe(2); // 999 ms after the first pull: still waiting
  vi.advanceTimersByTime(1);
  expect(pulls.pending).toBe(0); // handed to the database at 1 s
  vi.useRealTimers();
  await pulls.flush(); // waits for the write under way
  const rows = await env.deps.db.select().from(auditLog).where(eq(auditLog.kind, "pull_repo"));
  expect(rows.map((r) => [r.metadata.tag ?? null, r.metadata.manifest_digest, r.performerKind, r.ip])).toEqual([
    ["a", "sha256:1", "user", "10.1.2.3"],
    [null, "sha256:2", "user", "10.1.2.3"],
  ]);
});

it("writes quoting-unfriendly tags and names as they are", async () => {
  const pulls = new PullLog(env.deps.db, env.deps.clock);
  const repo = { id: 999_999, namespaceId: 1, namespace: 'we"ird\\ns', name: "x,y" };
  pulls.record({ principal: { kind: "anonymous" }, ip: null }, { repo, tag: "t", digest: "sha256:3" });
  await pulls.stop();
  const [row] = await env.deps.db.select().from(auditLog).where(eq(auditLog.repositoryId, 999_999));
  expect(row!.metadata).toEqual({ namespace: 'we"ird\\ns', repo: "x,y", tag: "t", manifest_digest: "sha256:3" });
  expect(row!.performerKind).toBe("anonymous");
});

it("writes identical pulls of a batch as one row with their count, and counts them all in the statistics", async () => {
  const { actor, target } = await pullerAndRepo("bob", "busy", "10.9.9.9");
  const pulls = new PullLog(env.deps.db, env.deps.clock);
  for (let i = 0; i < 3; i++) pulls.record(actor, { repo: target, tag: "latest", digest: "sha256:9" });
  pulls.record({ principal: { kind: "anonymous" }, ip: "10.9.9.9" }, { repo: target, tag: "latest", digest: "sha256:9" });
  expect(pulls.pending).toBe(2);
  await pulls.flush();
  const rows = await env.deps.db.select().from(auditLog).where(eq(auditLog.repositoryId, target.id));
  expect(rows.filter((r) => r.kind === "pull_repo").map((r) => [r.performerKind, r.metadata.count ?? 1]).sort()).toEqual([
    ["anonymous", 1],
    ["user", 3],
  ]);
  const [stats] = await env.deps.db.select().from(tagPullStats).where(eq(tagPullStats.repositoryId, target.id));
  expect(stats!.pullCount).toBe(4);
});

it("gives each row its own target's metadata, count and first pull's time, however the batch interleaves them", async () => {
  const { actor, target } = await pullerAndRepo("carol", "many", "10.0.0.1");
  const clock = stoppedClock();
  const pulls = new PullLog(env.deps.db, clock);
  const firsts = new Map<string, Date>();
  const pull = (ip: string, tag: string | undefined, digest: string) => {
    const at = clock.now();
    const key = `${ip} ${tag} ${digest}`;
    if (!firsts.has(key)) firsts.set(key, at);
    pulls.record({ ...actor, ip }, { repo: target, tag, digest });
    clock.advance(7);
  };
  for (let round = 0; round < 3; round++) {
    for (let n = 0; n < 40; n++) pull(`10.0.1.${n}`, n % 2 === 0 ? "even" : "odd", `sha256:${n % 2}`);
    pull("10.0.0.1", undefined, "sha256:by-digest");
  }
  expect(pulls.pending).toBe(41);
  await pulls.flush();
  const rows = await env.deps.db.select().from(auditLog).where(and(eq(auditLog.repositoryId, target.id), eq(auditLog.kind, "pull_repo")));
  expect(rows).toHaveLength(41);
  for (const row of rows) {
    const { tag, manifest_digest: digest } = row.metadata as { tag?: string; manifest_digest: string };
    expect(row.metadata).toEqual({ namespace: "carol", repo: "many", ...(tag === undefined ? {} : { tag }), manifest_digest: digest, count: 3 });
    expect(row.createdAt).toEqual(firsts.get(`${row.ip} ${tag} ${digest}`));
    expect([row.namespaceId, row.performerId, row.performerKind]).toEqual([target.namespaceId, actor.principal.userId, "user"]);
  }
  expect(rows.filter((r) => r.metadata.tag === "even").every((r) => r.metadata.manifest_digest === "sha256:0")).toBe(true);
});

it("counts a tag moved within a batch under the manifest of its latest pull, and each manifest's own pulls", async () => {
  const { actor, target } = await pullerAndRepo("dave", "moving", "10.0.0.2");
  const clock = stoppedClock();
  const pulls = new PullLog(env.deps.db, clock);
  pulls.record(actor, { repo: target, tag: "latest", digest: "sha256:old" });
  clock.advance(10);
  pulls.record(actor, { repo: target, tag: "latest", digest: "sha256:new" });
  const movedAt = clock.now();
  pulls.record({ ...actor, ip: "10.0.0.3" }, { repo: target, digest: "sha256:old" });
  await pulls.flush();
  const [tag] = await env.deps.db.select().from(tagPullStats).where(eq(tagPullStats.repositoryId, target.id));
  expect([tag!.tag, tag!.pullCount, tag!.manifestDigest, tag!.lastPulledAt]).toEqual(["latest", 2, "sha256:new", movedAt]);
  const manifests = await env.deps.db.select().from(manifestPullStats).where(eq(manifestPullStats.repositoryId, target.id));
  expect(manifests.map((m) => [m.manifestDigest, m.pullCount]).sort()).toEqual([
    ["sha256:new", 1],
    ["sha256:old", 2],
  ]);
});

it("keeps a batch Postgres refused and writes it with the next flush, folded with the pulls recorded meanwhile", async () => {
  const { actor, target } = await pullerAndRepo("erin", "flaky", "10.0.0.4");
  let refuse = true;
  // The database refuses the first write (as when Postgres restarts), then takes them.
  const flaky = new Proxy(env.deps.db, {
    get: (db, name) => (name === "transaction" && refuse ? () => ((refuse = false), Promise.reject(new Error("connection lost"))) : Reflect.get(db, name)),
  });
  const clock = stoppedClock();
  const pulls = new PullLog(flaky, clock);
  const first = clock.now();
  pulls.record(actor, { repo: target, tag: "t", digest: "sha256:a" });
  pulls.record(actor, { repo: target, tag: "t", digest: "sha256:a" });
  await pulls.flush();
  expect(pulls.pending).toBe(1);
  clock.advance(500);
  pulls.record(actor, { repo: target, tag: "t", digest: "sha256:a" });
  pulls.record({ ...actor, ip: "10.0.0.5" }, { repo: target, tag: "t", digest: "sha256:a" });
  await pulls.flush();
  const rows = await env.deps.db.select().from(auditLog).where(and(eq(auditLog.repositoryId, target.id), eq(auditLog.kind, "pull_repo")));
  expect(rows.map((r) => [r.ip, r.metadata.count ?? 1, r.createdAt.getTime() - first.getTime()]).sort()).toEqual([
    ["10.0.0.4", 3, 0],
    ["10.0.0.5", 1, 500],
  ]);
  const [stats] = await env.deps.db.select().from(tagPullStats).where(eq(tagPullStats.repositoryId, target.id));
  expect(stats!.pullCount).toBe(4);
});

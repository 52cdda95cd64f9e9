// The pull log holds pulls for at most a second, then writes them all in one go.
import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, expect, it, vi } from "vitest";
import { auditLog, tagPullStats } from "../../../db/schema.ts";
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

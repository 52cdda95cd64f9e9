// The usage-log queries: scope, time range, performer and text filters, keyset pages, day counts
// (kept by the database as rows are written, whoever writes them).
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog, auditLogDayCounts } from "../../../db/schema.ts";
import { type TestEnv, testEnv } from "../../../e2e/support/test-app.ts";
import type { User } from "../accounts/users.ts";
import { toPrincipal } from "../accounts/users.ts";
import { writeAudit } from "./audit.ts";
import { allLogRows, logCounts, logPage, type LogFilter, type LogPosition } from "./logs.ts";
import { PullLog } from "./pull-log.ts";

let env: TestEnv;
let alice: User;
let bob: User;
const day = (d: string, h = 12) => new Date(`${d}T${String(h).padStart(2, "0")}:00:00Z`);

beforeAll(async () => {
  env = await testEnv();
  alice = await env.user("alice");
  bob = await env.user("bob");
  const rows = [];
  for (let i = 0; i < 25; i++) {
    rows.push({ kind: "push_repo", namespaceId: alice.namespaceId, repositoryId: 7, performerId: alice.id, createdAt: day("2026-03-02", 10), metadata: { tag: `t${i}` } });
  }
  rows.push({ kind: "delete_tag", namespaceId: alice.namespaceId, repositoryId: 7, performerId: bob.id, createdAt: day("2026-03-03"), metadata: { tag: "latest" } });
  rows.push({ kind: "create_repo", namespaceId: alice.namespaceId, repositoryId: 8, performerId: null, ip: "10.0.0.9", createdAt: day("2026-03-01"), metadata: { repo: "other_repo" } });
  rows.push({ kind: "push_repo", namespaceId: bob.namespaceId, repositoryId: 9, performerId: bob.id, createdAt: day("2026-03-02"), metadata: {} });
  await env.deps.db.insert(auditLog).values(rows);
});
afterAll(() => env.close());

const range = { start: day("2026-03-01", 0), end: day("2026-03-04", 0) };

describe("usage-log queries", () => {
  it("pages a namespace's rows newest first with keyset positions that cover every row once", async () => {
    const filter: LogFilter = { scope: { namespaceId: alice.namespaceId }, ...range };
    const first = await logPage(env.deps.db, filter, { limit: 10 });
    expect(first.rows.map((r) => r.kind).slice(0, 2)).toEqual(["delete_tag", "push_repo"]);
    expect(first.rows[0]).toMatchObject({ performer: { name: "bob", isRobot: false }, namespace: { name: "alice", kind: "user" } });
    const seen = first.rows.map((r) => r.id);
    let next: LogPosition | null = first.next;
    while (next) {
      const page = await logPage(env.deps.db, filter, { after: next, limit: 10 });
      seen.push(...page.rows.map((r) => r.id));
      next = page.next;
    }
    expect(seen).toHaveLength(27);
    expect(new Set(seen).size).toBe(27);
    let all = 0;
    for await (const rows of allLogRows(env.deps.db, filter)) all += rows.length;
    expect(all).toBe(27);
  });

  it("filters by repository, range, performer and text", async () => {
    const ids = async (f: Partial<LogFilter>) =>
      (await logPage(env.deps.db, { scope: { namespaceId: alice.namespaceId }, ...range, ...f }, { limit: 100 })).rows.map((r) => r.kind);
    expect(await ids({ scope: { repositoryId: 8 } })).toEqual(["create_repo"]);
    expect(await ids({ start: day("2026-03-03", 0) })).toEqual(["delete_tag"]);
    expect(await ids({ performer: "bob" })).toEqual(["delete_tag"]);
    expect(await ids({ text: "LATEST" })).toEqual(["delete_tag"]);
    expect(await ids({ text: "10.0.0" })).toEqual(["create_repo"]);
    expect(await ids({ text: "other_" })).toEqual(["create_repo"]);
    expect(await ids({ text: "%" })).toEqual([]);
  });

  it("counts rows per kind and UTC day", async () => {
    const counts = await logCounts(env.deps.db, { scope: { namespaceId: alice.namespaceId }, ...range });
    expect(counts).toEqual([
      { kind: "create_repo", day: day("2026-03-01", 0), count: 1 },
      { kind: "push_repo", day: day("2026-03-02", 0), count: 25 },
      { kind: "delete_tag", day: day("2026-03-03", 0), count: 1 },
    ]);
  });

  it("reads a range larger than one export batch whole, each row once", async () => {
    const base = day("2026-02-10").getTime();
    await env.deps.db.insert(auditLog).values(
      Array.from({ length: 4100 }, (_, i) => ({ kind: "pull_repo", namespaceId: bob.namespaceId, createdAt: new Date(base + (i % 7) * 1000), metadata: {} })),
    );
    const ids = new Set<number>();
    for await (const rows of allLogRows(env.deps.db, { scope: { namespaceId: bob.namespaceId }, start: day("2026-02-10", 0), end: day("2026-02-11", 0) })) {
      for (const r of rows) ids.add(r.id);
    }
    expect(ids.size).toBe(4100);
  });

  it("keeps the day counts as rows are written: one audit row, a pull batch (folded pulls counted each), a bulk insert", async () => {
    const carol = await env.user("carol");
    const ns = carol.namespaceId;
    await writeAudit(env.deps.db, { kind: "create_repo", namespaceId: ns, repositoryId: 50, performerId: carol.id, metadata: { repo: "x" } });
    const pulls = new PullLog(env.deps.db, env.deps.clock);
    const repo = { id: 50, namespaceId: ns, namespace: "carol", name: "x" };
    for (let i = 0; i < 3; i++) pulls.record({ principal: toPrincipal(carol), ip: "10.0.0.1" }, { repo, tag: "latest", digest: "sha256:1" });
    pulls.record({ principal: { kind: "anonymous" }, ip: "10.0.0.2" }, { repo, tag: "latest", digest: "sha256:1" });
    await pulls.stop();
    await env.deps.db.insert(auditLog).values([0, 1].map(() => ({ kind: "delete_tag", namespaceId: ns, repositoryId: 51, createdAt: day("2026-03-05") })));
    const kept = await env.deps.db
      .select({ day: auditLogDayCounts.day, kind: auditLogDayCounts.kind, repo: auditLogDayCounts.repositoryId, performer: auditLogDayCounts.performerId, count: auditLogDayCounts.count })
      .from(auditLogDayCounts)
      .where(eq(auditLogDayCounts.namespaceId, ns))
      .orderBy(auditLogDayCounts.day, auditLogDayCounts.kind, auditLogDayCounts.performerId);
    const today = new Date().toISOString().slice(0, 10);
    expect(kept.filter((k) => k.kind !== "user_create")).toEqual([
      { day: "2026-03-05", kind: "delete_tag", repo: 51, performer: null, count: 2 },
      { day: today, kind: "create_repo", repo: 50, performer: carol.id, count: 1 },
      { day: today, kind: "pull_repo", repo: 50, performer: carol.id, count: 3 },
      { day: today, kind: "pull_repo", repo: 50, performer: null, count: 1 },
    ]);
    const week = { scope: { repositoryId: 50 }, start: new Date(Date.now() - 86_400_000), end: new Date(Date.now() + 86_400_000) };
    expect((await logCounts(env.deps.db, week)).map((c) => `${c.kind}:${c.count}`)).toEqual(["create_repo:1", "pull_repo:4"]);
    expect((await logCounts(env.deps.db, { ...week, performer: "carol" })).map((c) => `${c.kind}:${c.count}`)).toEqual([
      "create_repo:1",
      "pull_repo:3",
    ]);
  });

  it("matches text in the kind and performer of every row, and in the address and details of all but pulls", async () => {
    const d = (h: number) => day("2026-03-20", h);
    await env.deps.db.insert(auditLog).values([
      { kind: "pull_repo", namespaceId: alice.namespaceId, repositoryId: 7, ip: "10.7.7.7", createdAt: d(1), metadata: { tag: "nightly" } },
      { kind: "create_tag", namespaceId: alice.namespaceId, repositoryId: 7, performerId: bob.id, createdAt: d(2), metadata: { tag: "nightly" } },
      { kind: "delete_tag", namespaceId: alice.namespaceId, repositoryId: 7, createdAt: d(3), metadata: { tag: "nightly", manifest_digest: "sha256:feed" } },
    ]);
    const filter = { scope: { namespaceId: alice.namespaceId }, start: day("2026-03-20", 0), end: day("2026-03-21", 0) };
    const kinds = async (text: string) => (await logPage(env.deps.db, { ...filter, text }, { limit: 100 })).rows.map((r) => r.kind);
    const counts = async (text: string) => (await logCounts(env.deps.db, { ...filter, text })).map((c) => `${c.kind}:${c.count}`);
    expect(await kinds("NIGHT")).toEqual(["delete_tag", "create_tag"]);
    expect(await counts("NIGHT")).toEqual(["create_tag:1", "delete_tag:1"]);
    expect(await kinds("pull")).toEqual(["pull_repo"]);
    expect(await counts("pull")).toEqual(["pull_repo:1"]);
    expect(await kinds("10.7.7")).toEqual([]); // a pull's address is not searched
    expect(await kinds("feed")).toEqual([]); // nor a digest
    expect(await kinds("_tag")).toEqual(["delete_tag", "create_tag"]);
    expect(await kinds("BO")).toEqual(["create_tag"]); // bob
    expect(await counts("BO")).toEqual(["create_tag:1"]);
    // A page boundary falls between the two matches and each is read once.
    const first = await logPage(env.deps.db, { ...filter, text: "tag" }, { limit: 1 });
    const second = await logPage(env.deps.db, { ...filter, text: "tag" }, { limit: 1, after: first.next! });
    expect([...first.rows, ...second.rows].map((r) => r.kind)).toEqual(["delete_tag", "create_tag"]);
    expect(second.next).toBeNull();
  });
});

// The usage-log queries: scope, time range, performer and text filters, keyset pages, day counts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog } from "../../../db/schema.ts";
import { type TestEnv, testEnv } from "../../../e2e/support/test-app.ts";
import type { User } from "../accounts/users.ts";
import { allLogRows, logCounts, logPage, type LogFilter, type LogPosition } from "./logs.ts";

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
});

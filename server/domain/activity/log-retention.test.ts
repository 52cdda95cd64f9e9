// Retention drops whole months of the usage log once they are past the kept age (time from the
// caller's clock), and the coming months are made ahead, taking over rows parked in the default.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type TestEnv, testEnv } from "../../../e2e/support/test-app.ts";
import { dropExpiredLogs, ensureLogPartitions, logPartitions } from "./log-retention.ts";

let env: TestEnv;
beforeAll(async () => {
  env = await testEnv();
});
afterAll(() => env.close());

const DAY = 86_400_000;
const now = new Date();
const at = (days: number) => new Date(now.getTime() + days * DAY);
const name = (d: Date) => `audit_log_${d.toISOString().slice(0, 7).replace("-", "_")}`;

async function logAt(kind: string, when: Date) {
  await env.deps.db.execute(sql`insert into audit_log (kind, namespace_id, created_at) values (${kind}, 1, ${when.toISOString()}::timestamptz)`);
}
/** kind → its kept day count (audit_log_day_counts), which must follow what retention moves and drops */
async function counted(): Promise<Record<string, number>> {
  const rows = await env.deps.db.execute<{ kind: string; n: number }>(sql`select kind, sum(count)::int as n from audit_log_day_counts group by kind`);
  return Object.fromEntries(rows.map((r) => [r.kind, r.n]));
}
/** kind → the partition holding its row */
async function where(): Promise<Record<string, string>> {
  const rows = await env.deps.db.execute<{ kind: string; part: string }>(sql`select kind, tableoid::regclass::text as part from audit_log`);
  return Object.fromEntries(rows.map((r) => [r.kind, r.part]));
}

it("makes the coming months and moves rows the default partition took for them", async () => {
  await logAt("far_future", at(400));
  expect((await where()).far_future).toBe("audit_log_default");
  const made = await ensureLogPartitions(env.deps.db, at(400), 1);
  expect(made).toEqual([name(at(400)), name(new Date(Date.UTC(at(400).getUTCFullYear(), at(400).getUTCMonth() + 1, 1)))]);
  expect((await where()).far_future).toBe(name(at(400)));
  expect(await counted()).toEqual({ far_future: 1 }); // moved, not counted again
  expect(await ensureLogPartitions(env.deps.db, at(400), 1)).toEqual([]); // once
});

it("drops months past the retention age, a month at a time, and old rows of the default partition", async () => {
  await logAt("ancient", at(-200)); // its month has no partition: the default holds it
  await logAt("current", now);
  expect(await where()).toMatchObject({ ancient: "audit_log_default", current: name(now) });

  expect(await dropExpiredLogs(env.deps.db, now, 90 * 86_400)).toEqual([]);
  expect(Object.keys(await where()).sort()).toEqual(["current", "far_future"]);
  expect(await counted()).toEqual({ current: 1, far_future: 1 });

  // 200 days on (the injected clock): this month is wholly older than 90 days, the far month is not.
  const dropped = await dropExpiredLogs(env.deps.db, at(200), 90 * 86_400);
  expect(dropped).toContain(name(now));
  expect(Object.keys(await where())).toEqual(["far_future"]);
  expect(await counted()).toEqual({ far_future: 1 });
  const left = (await logPartitions(env.deps.db)).map((p) => p.name);
  expect(left).not.toContain(name(now));
  expect(left).toContain(name(at(400)));
});

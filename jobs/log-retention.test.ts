// The daily usage-log job, with the kept age from QUAYSIDE_LOG_RETENTION and time from the
// injected clock: months past the age go, the coming months are made.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ManualClock, type TestEnv, testEnv } from "../e2e/support/test-app.ts";
import { logPartitions } from "../server/domain/activity/log-retention.ts";
import { logRetention } from "./log-retention.ts";

const clock = new ManualClock();
const DAY = 86_400_000;
let env: TestEnv;
beforeAll(async () => {
  env = await testEnv({ QUAYSIDE_LOG_RETENTION: "30d" }, { clock });
});
afterAll(() => env.close());

const month = (d: Date) => `audit_log_${d.toISOString().slice(0, 7).replace("-", "_")}`;
const kinds = async () => (await env.deps.db.execute<{ kind: string }>(sql`select kind from audit_log`)).map((r) => r.kind);

it("keeps this month today, drops it once it is wholly past the kept age, and makes the months ahead", async () => {
  await env.deps.db.execute(sql`insert into audit_log (kind) values ('create_repo')`);
  await logRetention.handle(env.deps, {});
  expect(await kinds()).toEqual(["create_repo"]);

  const thisMonth = month(clock.now());
  clock.advance(75 * DAY); // this month ended at least 44 days ago: past 30 days
  await logRetention.handle(env.deps, {});
  expect(await kinds()).toEqual([]);
  const names = (await logPartitions(env.deps.db)).map((p) => p.name);
  expect(names).not.toContain(thisMonth);
  const later = clock.now();
  expect(names).toEqual(expect.arrayContaining([month(later), month(new Date(Date.UTC(later.getUTCFullYear(), later.getUTCMonth() + 2, 1)))]));
});

import { afterAll, beforeAll, expect, it } from "vitest";
import { type TestEnv, testEnv } from "../e2e/support/test-app.ts";
import { startJobs } from "./index.ts";

let env: TestEnv;
beforeAll(async () => {
  env = await testEnv();
});
afterAll(() => env.close());

const jobConnections = async () => {
  const [row] = await env.database.sql<{ n: number }[]>`
    select count(*)::int as n from pg_stat_activity where datname = current_database() and application_name = 'pgboss'`;
  return row!.n;
};

// Postgres is stopped right after the jobs when the server shuts down: a connection still
// closing then is cut off, and pg-boss reports it as an error.
it("has closed every pg-boss connection when stop() returns", async () => {
  for (let round = 0; round < 3; round++) {
    const jobs = await startJobs(env.deps, env.database, { work: true });
    await Promise.all([jobs.boss.getQueues(), jobs.boss.getQueues(), jobs.boss.getQueues()]);
    expect(await jobConnections()).toBeGreaterThan(0);
    await jobs.stop();
    expect(await jobConnections()).toBe(0);
  }
});

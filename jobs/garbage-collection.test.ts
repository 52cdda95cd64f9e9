import { afterAll, beforeAll, expect, it } from "vitest";
import { gcRuns } from "../db/schema.ts";
import { type TestEnv, testEnv } from "../e2e/support/test-app.ts";
import { garbageCollection } from "./garbage-collection.ts";

let env: TestEnv;
beforeAll(async () => {
  env = await testEnv();
});
afterAll(() => env.close());

it("runs a whole collection, recorded as a finished run", async () => {
  await garbageCollection.handle(env.deps, {});
  const runs = await env.deps.db.select().from(gcRuns);
  expect(runs).toHaveLength(1);
  expect(runs[0]).toMatchObject({ phase: "done", error: null });
  expect(runs[0]!.finishedAt).not.toBeNull();
});

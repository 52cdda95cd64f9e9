import { eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type TestEnv, testEnv } from "../e2e/support/test-app.ts";
import { pipelinedTransaction } from "./client.ts";
import { instanceSettings } from "./schema.ts";

let env: TestEnv;
beforeAll(async () => {
  env = await testEnv();
});
afterAll(() => env.close());

const setting = async (key: string) =>
  (await env.deps.db.select().from(instanceSettings).where(eq(instanceSettings.key, key)))[0]?.value;

it("commits what the work wrote, statements pipelined or not", async () => {
  const result = await pipelinedTransaction(env.deps.db, async (tx) => {
    await Promise.all([
      tx.insert(instanceSettings).values({ key: "pipelined-a", value: "1" }),
      tx.insert(instanceSettings).values({ key: "pipelined-b", value: "2" }),
    ]);
    return "done";
  });
  expect(result).toBe("done");
  expect([await setting("pipelined-a"), await setting("pipelined-b")]).toEqual(["1", "2"]);
});

it("rolls everything back when the work throws after its statements went out", async () => {
  await expect(
    pipelinedTransaction(env.deps.db, async (tx) => {
      void tx.insert(instanceSettings).values({ key: "rolled-back", value: "x" }).execute();
      throw new Error("check failed");
    }),
  ).rejects.toThrow("check failed");
  expect(await setting("rolled-back")).toBeUndefined();
});

it("rolls back and rejects when a statement fails, and the pool stays usable", async () => {
  await expect(
    pipelinedTransaction(env.deps.db, async (tx) => {
      await tx.insert(instanceSettings).values({ key: "dup-then", value: "x" });
      await tx.insert(instanceSettings).values({ key: "pipelined-a", value: "again" });
    }),
  ).rejects.toThrow();
  expect(await setting("dup-then")).toBeUndefined();
  expect(await setting("pipelined-a")).toBe("1");
  for (let i = 0; i < 12; i++) {
    await pipelinedTransaction(env.deps.db, (tx) => tx.select().from(instanceSettings).limit(1));
  }
});

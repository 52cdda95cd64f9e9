// The log-export queue's second duty: removing an export's file once its link has expired.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type TestEnv, testEnv } from "../e2e/support/test-app.ts";
import { logExport } from "./log-export.ts";

let env: TestEnv;
beforeAll(async () => {
  env = await testEnv();
});
afterAll(() => env.close());

async function* bytes(): AsyncGenerator<Uint8Array> {
  yield new TextEncoder().encode('{"logs":[]}');
}

const read = async (file: string) => {
  let n = 0;
  for await (const chunk of env.deps.store.readUpload(file, 11)) n += chunk.length;
  return n;
};

it("deletes the expired export's file", async () => {
  const file = randomUUID();
  await env.deps.store.appendPart(file, await env.deps.store.writePart(file, 0, bytes(), () => {}));
  expect(await read(file)).toBe(11);
  await logExport.handle(env.deps, { expiredFile: file });
  await expect(read(file)).rejects.toThrow();
});

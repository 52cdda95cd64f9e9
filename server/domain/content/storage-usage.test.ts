// Storage used per repository and namespace: distinct blob bytes, a shared blob counted once.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { RegistryClient } from "../../../e2e/support/registry-client.ts";
import { type TestEnv, testEnv } from "../../../e2e/support/test-app.ts";
import { findNamespace } from "../accounts/namespaces.ts";
import { findRepository } from "../repositories/repositories.ts";
import { namespaceStorageBytes, repositoryStorageBytes } from "./storage-usage.ts";

let env: TestEnv;
beforeAll(async () => {
  env = await testEnv();
  await env.user("alice");
  await env.user("bob");
});
afterAll(() => env.close());

const repoId = async (namespace: string, name: string) => (await findRepository(env.deps.db, { namespace, name }))!.id;

it("counts each blob once per repository and per namespace", async () => {
  const alice = new RegistryClient(env, { username: "alice", password: "password-alice" });
  const shared = "a layer both repositories hold";
  const first = await alice.pushImage("alice/one", "a", shared);
  await alice.pushImage("alice/one", "b", "a second layer, 29 bytes long");
  await alice.pushImage("alice/two", "a", shared);
  // pushImage pushes the same config JSON every time: one blob.
  const [config] = await env.deps.db.execute<{ size: number }>(sql`select size from blobs where digest = ${first.configDigest}`);
  const configBytes = Number(config!.size);
  const sharedBytes = Buffer.byteLength(shared);
  expect(await repositoryStorageBytes(env.deps.db, await repoId("alice", "one"))).toBe(configBytes + sharedBytes + 29);
  expect(await repositoryStorageBytes(env.deps.db, await repoId("alice", "two"))).toBe(configBytes + sharedBytes);
  const ns = (await findNamespace(env.deps.db, "alice"))!;
  expect(await namespaceStorageBytes(env.deps.db, ns.id)).toBe(configBytes + sharedBytes + 29);
  // A namespace with nothing pushed uses nothing.
  expect(await namespaceStorageBytes(env.deps.db, (await findNamespace(env.deps.db, "bob"))!.id)).toBe(0);
});

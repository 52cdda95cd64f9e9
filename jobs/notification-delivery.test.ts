// Deliveries run side by side: an endpoint that never answers holds one delivery worker for its
// timeout, while another notification's event is delivered meanwhile.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import { repositoryNotifications } from "../db/schema.ts";
import { type HttpReceiver, startHttpReceiver } from "../e2e/support/http-receiver.ts";
import { type TestEnv, testEnv } from "../e2e/support/test-app.ts";
import { toPrincipal } from "../server/domain/accounts/users.ts";
import { emitRepositoryEvent } from "../server/domain/notifications/delivery.ts";
import { repoPushData } from "../server/domain/notifications/events.ts";
import { createRepository } from "../server/domain/repositories/repositories.ts";
import { type Jobs, startJobs } from "./index.ts";

let env: TestEnv;
let jobs: Jobs;
let receiver: HttpReceiver;
const held: ServerResponse[] = [];
const silent = createServer((_req: IncomingMessage, res: ServerResponse) => void held.push(res));

beforeAll(async () => {
  receiver = await startHttpReceiver();
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  env = await testEnv({ QUAYSIDE_SSRF_ALLOWED_HOSTS: "127.0.0.1" });
  jobs = await startJobs(env.deps, env.database, { work: true });
}, 60_000);

afterAll(async () => {
  for (const res of held) res.end();
  await jobs?.stop();
  await env?.close();
  await receiver?.close();
  await new Promise((resolve) => silent.close(resolve));
});

it("delivers to a live endpoint while another notification's endpoint hangs", async () => {
  const alice = await env.user("alice");
  const repo = await createRepository(env.deps.db, { principal: toPrincipal(alice) }, { namespace: "alice", name: "app", visibility: "private" });
  const silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/hook`;
  // The hanging one first: a single worker would take it first and hold the other back.
  await env.deps.db.insert(repositoryNotifications).values([
    { repositoryId: repo.id, event: "repo_push", method: "webhook", config: { url: silentUrl } },
    { repositoryId: repo.id, event: "repo_push", method: "webhook", config: { url: receiver.url("/hook") } },
  ]);
  const data = repoPushData({ siteUrl: "http://registry.test", namespace: "alice", name: "app" }, { tags: ["v1"], digests: ["sha256:ab"] });
  expect(await emitRepositoryEvent(env.deps, { repositoryId: repo.id, event: "repo_push", data })).toBe(2);
  await receiver.waitFor(1);
  // Both deliveries have begun (either may have reached its endpoint first) …
  while (held.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
  // … and the hanging one is still waiting for its answer: its timeout has not cut it off.
  expect(held.filter((res) => !res.writableEnded && !res.destroyed)).toHaveLength(1);
}, 60_000);

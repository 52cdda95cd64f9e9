// A push by tag raises `repo_push` for the repository's notifications after it has committed:
// one delivery job each, carrying the tag, the digest and the repository's addresses. Pushing by
// digest moves no tag and raises nothing; a queue that fails does not fail the push.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repositoryNotifications } from "../../db/schema.ts";
import { OCI_MANIFEST } from "../../e2e/support/built-image.ts";
import { RegistryClient } from "../../e2e/support/registry-client.ts";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";
import { toPrincipal } from "../domain/accounts/users.ts";
import { type DeliveryJob, NOTIFICATION_DELIVERY_QUEUE } from "../domain/notifications/delivery.ts";
import { createRepository } from "../domain/repositories/repositories.ts";

let env: TestEnv;
let registry: RegistryClient;
let queued: DeliveryJob[];
let next: (() => void) | undefined;
let queueFails = false;

beforeAll(async () => {
  env = await testEnv();
  env.deps.jobs = {
    async send(queue, data) {
      if (queue !== NOTIFICATION_DELIVERY_QUEUE) return; // a push's security scan
      next?.();
      if (queueFails) throw new Error("queue down");
      queued.push(data as DeliveryJob);
    },
  };
  const alice = await env.user("alice");
  const repo = await createRepository(env.deps.db, { principal: toPrincipal(alice) }, { namespace: "alice", name: "app", visibility: "private" });
  await env.deps.db.insert(repositoryNotifications).values({ repositoryId: repo.id, event: "repo_push", method: "webhook", config: { url: "https://example.com/hook" } });
  registry = new RegistryClient(env, { username: "alice", password: "password-alice" });
}, 60_000);

afterAll(() => env?.close());

/** Resolves once a job has been queued. */
const jobQueued = () => new Promise<void>((resolve) => (next = resolve));

describe("repo_push from the registry", () => {
  it("queues the pushed tag and digest for the repository's notification", async () => {
    queued = [];
    const arrived = jobQueued();
    const { digest } = await registry.pushImage("alice/app", "v1");
    await arrived;
    expect(queued).toEqual([
      {
        notificationId: expect.any(Number),
        event: "repo_push",
        performer: "alice",
        attempt: 1,
        data: {
          repository: "alice/app",
          namespace: "alice",
          name: "app",
          docker_url: "registry.test/alice/app",
          homepage: "http://registry.test/repository/alice/app",
          updated_tags: ["v1"],
          manifest_digests: [digest],
        },
      },
    ]);
  });

  it("raises nothing for a push by digest, and a failing queue does not fail a push", async () => {
    queued = [];
    const pushed = jobQueued();
    const { digest, body } = await registry.pushImage("alice/app", "v2");
    await pushed;
    queued = [];
    const byDigest = await registry.pushManifest("alice/app", digest, body, OCI_MANIFEST);
    expect(byDigest.status).toBe(201);
    queueFails = true;
    const refused = jobQueued();
    const res = await registry.pushManifest("alice/app", "v3", body, OCI_MANIFEST);
    expect(res.status).toBe(201);
    await refused;
    queueFails = false;
    const arrived = jobQueued();
    await registry.pushManifest("alice/app", "v4", body, OCI_MANIFEST);
    await arrived;
    expect(queued.map((j) => j.data.updated_tags)).toEqual([["v4"]]);
  });
});

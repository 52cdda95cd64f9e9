// repo_image_expiry: tags expiring within a notification's days are told once per tag and
// notification, as they enter the window; a notification created later hears of those already in it.
import { afterAll, beforeAll, expect, it } from "vitest";
import { repositoryNotifications } from "../../../db/schema.ts";
import { RegistryClient } from "../../../e2e/support/registry-client.ts";
import { ManualClock, type TestEnv, testEnv } from "../../../e2e/support/test-app.ts";
import { toPrincipal } from "../accounts/users.ts";
import { setTagExpiration } from "../content/tags.ts";
import { createRepository, type Repository } from "../repositories/repositories.ts";
import type { DeliveryJob } from "./delivery.ts";
import { notifyExpiringTags } from "./image-expiry.ts";

const DAY = 24 * 3600 * 1000;
const clock = new ManualClock();
let env: TestEnv;
let repo: Repository;
let queued: DeliveryJob[] = [];

beforeAll(async () => {
  env = await testEnv({}, { clock });
  env.deps.jobs = { send: async (_q, data) => void queued.push(data as DeliveryJob) };
  const alice = await env.user("alice");
  repo = await createRepository(env.deps.db, { principal: toPrincipal(alice) }, { namespace: "alice", name: "app", visibility: "private" });
  const registry = new RegistryClient(env, { username: "alice", password: "password-alice" });
  for (const tag of ["soon", "later", "never"]) await registry.pushImage("alice/app", tag);
  const now = clock.now();
  await setTagExpiration(env.deps.db, repo.id, "soon", new Date(now.getTime() + 3 * DAY), now);
  await setTagExpiration(env.deps.db, repo.id, "later", new Date(now.getTime() + 10 * DAY), now);
}, 60_000);

afterAll(() => env?.close());

const addNotification = async (days: number) => {
  const [row] = await env.deps.db
    .insert(repositoryNotifications)
    .values({ repositoryId: repo.id, event: "repo_image_expiry", method: "webhook", config: { url: "https://example.com/h" }, eventConfig: { days }, createdAt: clock.now() })
    .returning();
  return row!;
};

const scan = async () => {
  queued = [];
  await notifyExpiringTags({ ...env.deps, siteUrl: "http://registry.test" });
  return queued.map((j) => ({ notificationId: j.notificationId, tags: j.data.tags, expiring_in: j.data.expiring_in }));
};

it("tells each notification about each tag once, as it comes within its days", async () => {
  const week = await addNotification(7);
  expect(await scan()).toEqual([{ notificationId: week.id, tags: ["soon"], expiring_in: "7 days" }]);
  expect(queued[0]!.event).toBe("repo_image_expiry");
  expect(queued[0]!.data).toMatchObject({ repository: "alice/app", homepage: "http://registry.test/repository/alice/app" });
  expect(await scan()).toEqual([]);

  clock.advance(4 * DAY);
  // "later" now expires in 6 days; "soon" has expired.
  expect(await scan()).toEqual([{ notificationId: week.id, tags: ["later"], expiring_in: "7 days" }]);
  expect(await scan()).toEqual([]);

  // A notification made now hears of what is already within its days.
  const fortnight = await addNotification(14);
  expect(await scan()).toEqual([{ notificationId: fortnight.id, tags: ["later"], expiring_in: "14 days" }]);
  expect(await scan()).toEqual([]);
});

it("tells a tag whose expiry is moved into the window after it was pushed", async () => {
  const week = await addNotification(7);
  await scan();
  const now = clock.now();
  await setTagExpiration(env.deps.db, repo.id, "never", new Date(now.getTime() + 2 * DAY), now);
  expect((await scan()).filter((s) => s.notificationId === week.id)).toEqual([{ notificationId: week.id, tags: ["never"], expiring_in: "7 days" }]);
  expect(await scan()).toEqual([]);
});

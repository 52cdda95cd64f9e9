// Quay's tag writes: PUT (create, move, expiration), DELETE, POST restore and expire, in Quay's
// shapes, status codes, error bodies and usage-log rows.
import { desc } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog } from "../../db/schema.ts";
import { type ApiClient, problem, tokenClient } from "../../e2e/support/api-client.ts";
import { RegistryClient } from "../../e2e/support/registry-client.ts";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";
import type { Clock } from "../domain/clock.ts";

interface Tag {
  name: string;
  manifest_digest: string;
  reversion: boolean;
  start_ts?: number;
  end_ts?: number;
  expiration?: string;
}

const T0 = Date.UTC(2030, 2, 5, 12, 0, 0);
let now = T0;
const clock: Clock = { now: () => new Date(now) };
const TAG_ERROR = 'Invalid tag: must match [A-Za-z0-9_.-], NOT start with "." or "-", and can contain 1-128 characters';
const BAD_REQUEST = "The browser (or proxy) sent a request that this server could not understand.";

let env: TestEnv;
let writer: ApiClient;
let reader: ApiClient;
let a: string;
let b: string;

beforeAll(async () => {
  env = await testEnv({}, { clock });
  const alice = await env.user("alice");
  writer = await tokenClient(env, alice, ["repo:write"]);
  reader = await tokenClient(env, alice, ["repo:read"]);
  const registry = new RegistryClient(env, { username: "alice", password: "password-alice" });
  a = (await registry.pushImage("alice/app", "a")).digest;
  b = (await registry.pushImage("alice/app", "b")).digest;
});
afterAll(() => env.close());

const path = (tag: string, rest = "") => `/repository/alice/app/tag/${tag}${rest}`;
const history = async (tag: string) => (await writer.get<{ tags: Tag[] }>(`/repository/alice/app/tag/?specificTag=${tag}`)).body.tags;
const lastAudit = async () => (await env.deps.db.select().from(auditLog).orderBy(desc(auditLog.id)).limit(1))[0]!;

describe("PUT /api/v1/repository/{repo}/tag/{tag}", () => {
  it("creates a tag on a manifest, then moves it, answering 201 \"Updated\" and logging each", async () => {
    now += 1000;
    const created = await writer.put(path("web"), { manifest_digest: a });
    expect(created).toMatchObject({ status: 201, body: "Updated" });
    expect(await lastAudit()).toMatchObject({
      kind: "create_tag",
      metadata: { username: "alice", repo: "app", namespace: "alice", tag: "web", manifest_digest: a, original_manifest_digest: null },
    });
    now += 1000;
    expect((await writer.put(path("web"), { manifest_digest: b })).status).toBe(201);
    expect(await lastAudit()).toMatchObject({ kind: "move_tag", metadata: { tag: "web", manifest_digest: b, original_manifest_digest: a } });
    expect((await history("web")).map((t) => [t.manifest_digest, t.end_ts])).toEqual([
      [b, undefined],
      [a, (T0 + 2000) / 1000],
    ]);
  });

  it("answers 404 for a manifest the repository does not have, 400 for a bad tag name", async () => {
    const missing = await writer.put(path("web"), { manifest_digest: `sha256:${"0".repeat(64)}` });
    expect(missing).toMatchObject({ status: 404, body: problem(404, "not_found", "Not Found") });
    expect(await writer.put(path(".hidden"), { manifest_digest: a })).toMatchObject({ status: 400, body: { message: TAG_ERROR } });
    const noBody = await writer.request("PUT", path("web"));
    expect(noBody).toMatchObject({ status: 400, body: { error_type: "invalid_request", detail: "Missing JSON body" } });
    expect((await writer.put(path("web"), { expiration: "tomorrow" })).body).toMatchObject({ error_type: "invalid_request" });
  });

  it("sets, shows and clears an expiration; a past one is 400 and an unknown tag 404", async () => {
    const at = Math.floor(now / 1000) + 2 * 86_400;
    expect((await writer.put(path("web"), { expiration: at })).status).toBe(201);
    const [live] = await history("web");
    expect(live).toMatchObject({ end_ts: at, expiration: "Thu, 07 Mar 2030 12:00:02 -0000" });
    expect(await lastAudit()).toMatchObject({
      kind: "change_tag_expiration",
      metadata: { tag: "web", expiration_date: at, old_expiration_date: null },
    });
    expect(await writer.put(path("web"), { expiration: Math.floor(now / 1000) - 1 })).toMatchObject({
      status: 400,
      body: { message: BAD_REQUEST },
    });
    expect((await writer.put(path("nothing"), { expiration: at })).status).toBe(404);
    expect((await writer.put(path("web"), { expiration: null })).status).toBe(201);
    expect(await lastAudit()).toMatchObject({ metadata: { expiration_date: null, old_expiration_date: at } });
    expect((await history("web"))[0]!.end_ts).toBeUndefined();
  });

  it("keeps an expiration at least an hour after the tag's start, as Quay does", async () => {
    expect((await writer.put(path("web"), { expiration: Math.floor(now / 1000) + 60 })).status).toBe(201);
    expect((await history("web"))[0]!.end_ts).toBe((T0 + 2000) / 1000 + 3600);
    await writer.put(path("web"), { expiration: null });
  });

  it("needs write access: 403 for a read token", async () => {
    expect(await reader.put(path("web"), { manifest_digest: a })).toMatchObject({ status: 403, body: { error_type: "insufficient_scope" } });
  });
});

describe("DELETE and restore", () => {
  it("deletes a live tag (204), then 404 once it is gone", async () => {
    now += 1000;
    expect((await writer.delete(path("web"))).status).toBe(204);
    expect(await lastAudit()).toMatchObject({ kind: "delete_tag", metadata: { tag: "web", repo: "app", namespace: "alice" } });
    expect(await writer.delete(path("web"))).toMatchObject({ status: 404, body: problem(404, "not_found", "Not Found") });
    expect((await reader.delete(path("a"))).status).toBe(403);
  });

  it("restores a tag to a manifest in the time machine, marked as a reversion", async () => {
    expect(await writer.post(path("web", "/restore"), {})).toMatchObject({
      status: 400,
      body: problem(400, "invalid_request", "Missing manifest_digest"),
    });
    expect((await writer.post(path("web", "/restore"), { manifest_digest: `sha256:${"1".repeat(64)}` })).status).toBe(404);
    now += 1000;
    expect(await writer.post(path("web", "/restore"), { manifest_digest: b })).toMatchObject({ status: 200, body: {} });
    expect(await lastAudit()).toMatchObject({ kind: "revert_tag", metadata: { tag: "web", manifest_digest: b } });
    expect((await history("web"))[0]).toMatchObject({ manifest_digest: b, reversion: true });
  });

  it("refuses to restore what left the namespace's window", async () => {
    const registry = new RegistryClient(env, { username: "alice", password: "password-alice" });
    const lone = (await registry.pushImage("alice/app", "lone")).digest;
    await writer.delete(path("lone"));
    now += 15 * 86_400_000;
    expect((await writer.post(path("lone", "/restore"), { manifest_digest: lone })).status).toBe(404);
  });
});

describe("POST /api/v1/repository/{repo}/tag/{tag}/expire", () => {
  it("takes a deleted tag's rows out of the time machine", async () => {
    expect(await writer.post(path("web", "/expire"), {})).toMatchObject({
      status: 400,
      body: problem(400, "invalid_request", "manifest_digest required when is_alive set to false"),
    });
    await writer.delete(path("web"));
    now += 1000;
    expect(await writer.post(path("web", "/expire"), { manifest_digest: b })).toMatchObject({ status: 200, body: "" });
    expect(await lastAudit()).toMatchObject({ kind: "permanently_delete_tag", metadata: { tag: "web", manifest_digest: b } });
    expect((await writer.post(path("web", "/restore"), { manifest_digest: b })).status).toBe(200); // b is still live as "b"
    expect((await writer.post(path("nothing", "/expire"), { manifest_digest: b })).status).toBe(404);
    expect(await writer.post(path("web", "/expire"), { is_alive: true })).toMatchObject({ status: 200 });
    expect((await history("web"))[0]!.end_ts).toBe(Math.floor(now / 1000) - 14 * 86_400);
  });
});

describe("reads of live tags elsewhere", () => {
  it("leave an expired tag out of the repository list's last_modified at its instant", async () => {
    const registry = new RegistryClient(env, { username: "alice", password: "password-alice" });
    await registry.pushImage("alice/fleeting", "only");
    const at = Math.floor(now / 1000) + 7200;
    expect((await writer.put("/repository/alice/fleeting/tag/only", { expiration: at })).status).toBe(201);
    const lastModified = async () =>
      (await reader.get<{ repositories: { name: string; last_modified: number | null }[] }>("/repository?namespace=alice&last_modified=true")).body.repositories.find(
        (r) => r.name === "fleeting",
      )!.last_modified;
    expect(await lastModified()).toBe(Math.floor(now / 1000));
    now = at * 1000;
    expect(await lastModified()).toBeNull();
  });
});

// Quay's pull statistics endpoints, fed by pulls through /v2.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiClient, sessionClient } from "../../e2e/support/api-client.ts";
import { RegistryClient } from "../../e2e/support/registry-client.ts";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";
import { lastPulledByTag } from "../domain/activity/pull-statistics.ts";
import { findRepository } from "../domain/repositories/repositories.ts";

let env: TestEnv;
let api: ApiClient;
let registry: RegistryClient;
let digest: string;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

beforeAll(async () => {
  env = await testEnv();
  const alice = await env.user("alice");
  api = await sessionClient(env, alice);
  registry = new RegistryClient(env, { username: "alice", password: "password-alice" });
  ({ digest } = await registry.pushImage("alice/app", "latest"));
  await registry.pushImage("alice/app", "quiet");
  for (const reference of ["latest", "latest", digest]) {
    expect((await registry.request(`/v2/alice/app/manifests/${reference}`)).status).toBe(200);
  }
  await env.deps.pulls.flush();
});
afterAll(() => env.close());

describe("GET …/tag/{tag}/pull_statistics", () => {
  it("counts the tag's pulls and its manifest's, by tag and by digest", async () => {
    const res = await api.get<Record<string, unknown>>("/repository/alice/app/tag/latest/pull_statistics");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      tag_name: "latest",
      tag_pull_count: 2,
      last_tag_pull_date: expect.stringMatching(ISO),
      current_manifest_digest: digest,
      manifest_pull_count: 3,
      last_manifest_pull_date: expect.stringMatching(ISO),
    });
  });

  it("gives the Tags tab each pulled tag's last pull", async () => {
    const repo = (await findRepository(env.deps.db, { namespace: "alice", name: "app" }))!;
    const last = await lastPulledByTag(env.deps.db, repo.id, ["latest", "quiet"]);
    expect([...last.keys()]).toEqual(["latest"]);
    expect(last.get("latest")).toBeInstanceOf(Date);
  });

  it("gives zeros and nulls for a tag never pulled, 404 for no live tag", async () => {
    const quiet = await api.get<Record<string, unknown>>("/repository/alice/app/tag/quiet/pull_statistics");
    expect(quiet.body).toMatchObject({ tag_pull_count: 0, last_tag_pull_date: null, manifest_pull_count: 0, last_manifest_pull_date: null });
    expect((await api.get("/repository/alice/app/tag/nope/pull_statistics")).status).toBe(404);
    expect((await api.get("/repository/alice/nope/tag/latest/pull_statistics")).status).toBe(404);
  });

  it("starts afresh for a tag deleted and pushed again", async () => {
    expect((await api.delete("/repository/alice/app/tag/latest")).status).toBe(204);
    await registry.pushImage("alice/app", "latest");
    const res = await api.get<Record<string, unknown>>("/repository/alice/app/tag/latest/pull_statistics");
    expect(res.body).toMatchObject({ tag_pull_count: 0, last_tag_pull_date: null });
  });

  it("starts afresh for a tag that expired and was pushed again, as for a deleted one", async () => {
    await registry.pushImage("alice/app", "short-lived");
    expect((await registry.request("/v2/alice/app/manifests/short-lived")).status).toBe(200);
    await env.deps.pulls.flush();
    const before = await api.get<Record<string, unknown>>("/repository/alice/app/tag/short-lived/pull_statistics");
    expect(before.body).toMatchObject({ tag_pull_count: 1 });
    // Its expiry passed (as if set earlier and the time had come).
    await env.deps.db.execute(sql`update tags set expires_at = now() - interval '1 minute' where name = 'short-lived' and lifetime_end is null`);
    env.deps.cache.forgetContent((await findRepository(env.deps.db, { namespace: "alice", name: "app" }))!.id);
    expect((await api.get("/repository/alice/app/tag/short-lived/pull_statistics")).status).toBe(404);
    await registry.pushImage("alice/app", "short-lived");
    const after = await api.get<Record<string, unknown>>("/repository/alice/app/tag/short-lived/pull_statistics");
    expect(after.body).toMatchObject({ tag_pull_count: 0, last_tag_pull_date: null });
  });
});

describe("GET …/manifest/{digest}/pull_statistics", () => {
  it("counts the manifest's pulls; 404 for a digest the repository does not hold", async () => {
    const res = await api.get<Record<string, unknown>>(`/repository/alice/app/manifest/${digest}/pull_statistics`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ manifest_digest: digest, manifest_pull_count: 3, last_manifest_pull_date: expect.stringMatching(ISO) });
    expect((await api.get(`/repository/alice/app/manifest/sha256:${"0".repeat(64)}/pull_statistics`)).status).toBe(404);
  });
});

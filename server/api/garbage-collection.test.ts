// GET/POST /api/v1/superuser/gc: the collector's status, "why is this blob kept?", run now.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient, problem, sessionClient, tokenClient } from "../../e2e/support/api-client.ts";
import { RegistryClient } from "../../e2e/support/registry-client.ts";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";
import type { User } from "../domain/accounts/users.ts";

let env: TestEnv;
let root: User;
let api: ApiClient;
beforeAll(async () => {
  env = await testEnv();
  root = await env.user("root", { superuser: true });
  await env.user("alice");
  api = await sessionClient(env, root);
});
afterAll(() => env.close());

interface Status {
  running: boolean;
  grace_seconds: number;
  latest_run: Record<string, unknown> | null;
  last_finished_run: Record<string, unknown> | null;
  blob?: Record<string, unknown>;
}

/** Polls until no run is going on (a run of an almost empty store takes moments). */
async function settled(): Promise<Status> {
  for (;;) {
    const { body } = await api.get<Status>("/superuser/gc");
    if (!body.running) return body;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("who may call it", () => {
  it("refuses anonymous callers, other users and tokens without super:user, in Quay's shape", async () => {
    expect((await new ApiClient(env).get("/superuser/gc")).body).toEqual(problem(401, "invalid_token", "Requires authentication"));
    const alice = await sessionClient(env, (await env.user("bob"))!);
    expect((await alice.get("/superuser/gc")).body).toEqual(problem(403, "insufficient_scope", "Unauthorized"));
    expect((await alice.post("/superuser/gc", {})).status).toBe(403);
    const token = await tokenClient(env, root, ["repo:read"]);
    expect((await token.get("/superuser/gc")).status).toBe(403);
    expect((await (await tokenClient(env, root, ["super:user"])).get("/superuser/gc")).status).toBe(200);
  });
});

describe("status and run now", () => {
  it("shows no run before the first, then the run started now with its counters", async () => {
    expect((await api.get<Status>("/superuser/gc")).body).toEqual({
      running: false,
      grace_seconds: 3600,
      latest_run: null,
      last_finished_run: null,
    });
    const started = await api.post<{ started: boolean; run: { id: number } }>("/superuser/gc", {});
    expect(started.status).toBe(202);
    expect(started.body.started).toBe(true);
    const status = await settled();
    expect(status.latest_run).toEqual(status.last_finished_run);
    expect(status.last_finished_run).toMatchObject({
      id: started.body.run.id,
      phase: "done",
      manifests_examined: 0,
      blobs_deleted: 0,
      bytes_reclaimed: 0,
      error: null,
      started: expect.any(Number),
      finished: expect.any(Number),
    });
  });
});

describe("why is this blob kept?", () => {
  it("names the live tags that reach a layer, and says a blob nobody keeps will be collected", async () => {
    const alice = new RegistryClient(env, { username: "alice", password: "password-alice" });
    const image = await alice.pushImage("alice/app", "latest");
    const { body } = await api.get<Status>(`/superuser/gc?digest=${image.layerDigest}`);
    expect(body.blob).toMatchObject({
      digest: image.layerDigest,
      stored: true,
      kept: true,
      manifests: [
        {
          repository: "alice/app",
          digest: image.digest,
          reasons: expect.arrayContaining([
            { kind: "live-tag", repository: "alice/app", tag: "latest", manifest_digest: image.digest },
            { kind: "recent-push", repository: "alice/app", manifest_digest: image.digest, until: expect.any(Number) },
          ]),
        },
      ],
      links: [{ repository: "alice/app", linked: expect.any(Number), keeps_until: expect.any(Number) }],
    });
    // A blob pushed hours ago that no manifest names: nothing keeps it.
    const loose = await alice.pushBlob("alice/app", "loose bytes");
    await env.deps.db.execute(sql`update repo_blobs set created_at = now() - interval '3 hours' where digest = ${loose}`);
    expect((await api.get<Status>(`/superuser/gc?digest=${loose}`)).body.blob).toMatchObject({
      stored: true,
      size: 11,
      kept: false,
      manifests: [],
      links: [{ repository: "alice/app", linked: expect.any(Number), keeps_until: null }],
    });
    const unknown = `sha256:${"0".repeat(64)}`;
    expect((await api.get<Status>(`/superuser/gc?digest=${unknown}`)).body.blob).toEqual({
      digest: unknown,
      stored: false,
      size: null,
      kept: false,
      manifests: [],
      links: [],
    });
    expect((await api.get("/superuser/gc?digest=nonsense")).body).toEqual(problem(400, "invalid_request", "Invalid digest"));
  });
});

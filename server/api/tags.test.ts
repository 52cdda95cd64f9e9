import { and, eq, isNull } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tags } from "../../db/schema.ts";
import { type ApiClient, ApiClient as Client, problem, tokenClient } from "../../e2e/support/api-client.ts";
import { RegistryClient, sha256 } from "../../e2e/support/registry-client.ts";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";
import type { Clock } from "../domain/clock.ts";
import { findUserByName } from "../domain/accounts/users.ts";

interface Tag {
  name: string;
  manifest_digest: string;
  start_ts?: number;
  end_ts?: number;
  expiration?: string;
  [key: string]: unknown;
}
interface TagList {
  tags: Tag[];
  page: number;
  has_additional: boolean;
}

/** 2024-03-05 12:00:00 UTC, a Tuesday. */
const T0 = Date.UTC(2024, 2, 5, 12, 0, 0);
let now = T0;
const clock: Clock = { now: () => new Date(now) };

let env: TestEnv;
let api: ApiClient;
let registry: RegistryClient;
let imageA: { digest: string; body: string };
let imageB: { digest: string };
let index: { digest: string };

const list = (query = "", client = api) => client.get<TagList>(`/repository/alice/app/tag/${query}`);
/** The listed rows as `name@A|B|I` (image A, image B, the index). */
async function rows(query = ""): Promise<string[]> {
  const label = (digest: string) => (digest === imageA.digest ? "A" : digest === imageB.digest ? "B" : "I");
  return (await list(query)).body.tags.map((t) => `${t.name}@${label(t.manifest_digest)}`);
}

beforeAll(async () => {
  env = await testEnv({}, { clock });
  const alice = await env.user("alice");
  api = await tokenClient(env, alice, ["repo:read"]);
  registry = new RegistryClient(env, { username: "alice", password: "password-alice" });
  // t0: latest → A; t0+60s: latest moves to B; t0+120s: v1 → A; t0+180s: multi → an index of A.
  imageA = await registry.pushImage("alice/app", "latest", "layer A");
  now = T0 + 60_000;
  imageB = await registry.pushImage("alice/app", "latest", "layer B");
  now = T0 + 120_000;
  await registry.pushManifest("alice/app", "v1", imageA.body, "application/vnd.oci.image.manifest.v1+json");
  now = T0 + 180_000;
  const indexBody = JSON.stringify({
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.index.v1+json",
    manifests: [{
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      digest: imageA.digest,
      size: Buffer.byteLength(imageA.body),
      platform: { architecture: "amd64", os: "linux" },
    }],
  });
  const pushed = await registry.pushManifest("alice/app", "multi", indexBody, "application/vnd.oci.image.index.v1+json");
  expect(pushed.status).toBe(201);
  index = { digest: sha256(indexBody) };
});
afterAll(() => env.close());

describe("GET /api/v1/repository/{repo}/tag/", () => {
  it("lists the whole history, newest first, ended rows with end_ts and expiration", async () => {
    const res = await list();
    expect(res.status).toBe(200);
    expect(res.body.page).toBe(1);
    expect(res.body.has_additional).toBe(false);
    expect(await rows()).toEqual(["multi@I", "v1@A", "latest@B", "latest@A"]);
    const [multi, v1, latestB, latestA] = res.body.tags;
    expect(latestA).toEqual({
      name: "latest",
      reversion: false,
      start_ts: T0 / 1000,
      end_ts: T0 / 1000 + 60,
      manifest_digest: imageA.digest,
      is_manifest_list: false,
      size: Buffer.byteLength("layer A"),
      last_modified: "Tue, 05 Mar 2024 12:00:00 -0000",
      expiration: "Tue, 05 Mar 2024 12:01:00 -0000",
    });
    // A live tag has no end.
    expect(latestB).toEqual({
      name: "latest",
      reversion: false,
      start_ts: T0 / 1000 + 60,
      manifest_digest: imageB.digest,
      is_manifest_list: false,
      size: Buffer.byteLength("layer B"),
      last_modified: "Tue, 05 Mar 2024 12:01:00 -0000",
    });
    expect(v1).toMatchObject({ name: "v1", start_ts: T0 / 1000 + 120 });
    // An index is a manifest list; its layers belong to its children.
    expect(multi).toMatchObject({
      name: "multi",
      manifest_digest: index.digest,
      is_manifest_list: true,
      size: null,
      is_sparse: false,
      child_manifest_count: 1,
      present_child_count: 1,
    });
    expect(v1).not.toHaveProperty("child_manifest_count");
  });

  it("filters to live tags with onlyActiveTags", async () => {
    expect(await rows("?onlyActiveTags=true")).toEqual(["multi@I", "v1@A", "latest@B"]);
    expect(await rows("?onlyActiveTags=false")).toHaveLength(4);
  });

  it("filters by name: specificTag, eq: and like:", async () => {
    expect(await rows("?specificTag=latest")).toEqual(["latest@B", "latest@A"]);
    expect(await rows("?filter_tag_name=eq:v1")).toEqual(["v1@A"]);
    expect(await rows("?filter_tag_name=like:ates")).toEqual(["latest@B", "latest@A"]);
    expect(await rows("?filter_tag_name=like:ates&onlyActiveTags=1")).toEqual(["latest@B"]);
    expect(await rows("?specificTag=latest&filter_tag_name=eq:v1")).toEqual([]);
    // Quay ignores operations it does not know.
    expect(await rows("?filter_tag_name=regex:.*")).toHaveLength(4);
  });

  it("refuses a filter without an operation", async () => {
    const res = await list("?filter_tag_name=latest");
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      message:
        "Unsupported syntax for filter_tag_name. Expected <operation>:<tag_name> where <operation>can be 'like' or 'eq'.",
    });
  });

  it("pages with page and limit (clamped to 1..100)", async () => {
    const first = await list("?limit=3");
    expect(first.body.tags.map((t) => t.name)).toEqual(["multi", "v1", "latest"]);
    expect(first.body).toMatchObject({ page: 1, has_additional: true });
    const second = await list("?limit=3&page=2");
    expect(second.body).toMatchObject({ page: 2, has_additional: false });
    expect(second.body.tags).toHaveLength(1);
    expect((await list("?limit=0")).body.tags).toHaveLength(1);
    expect((await list("?limit=1000")).body.tags).toHaveLength(4);
    expect((await list("?page=0&limit=1")).body.page).toBe(1);
    expect((await list("?page=9")).body).toEqual({ tags: [], page: 9, has_additional: false });
  });

  it("refuses non-integer paging parameters as flask-restful does", async () => {
    const res = await list("?limit=many");
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ message: { limit: "Limit to the number of results to return per page. Max 100." } });
  });

  it("refuses paging numbers too large to count with 400, not 500", async () => {
    for (const [query, name] of [
      ["?page=99999999999999999999", "page"],
      ["?page=2147483648", "page"],
      ["?limit=99999999999999999999", "limit"],
      ["?limit=-99999999999999999999", "limit"],
    ] as const) {
      const res = await list(query);
      expect(res.status, query).toBe(400);
      expect(Object.keys((res.body as unknown as { message: Record<string, string> }).message)).toEqual([name]);
    }
    expect((await list("?page=2147483647")).body).toEqual({ tags: [], page: 2147483647, has_additional: false });
  });

  it("shows a scheduled expiry as end_ts on a live tag", async () => {
    const expiry = new Date(T0 + 86_400_000);
    await env.deps.db.update(tags).set({ expiresAt: expiry }).where(and(eq(tags.name, "v1"), isNull(tags.lifetimeEnd)));
    const v1 = (await list("?specificTag=v1")).body.tags[0]!;
    expect(v1.end_ts).toBe(expiry.getTime() / 1000);
    expect(v1.expiration).toBe("Wed, 06 Mar 2024 12:00:00 -0000");
  });

  it("leaves out a tag from onlyActiveTags at the instant it expires", async () => {
    const saved = now;
    now = T0 + 86_400_000;
    expect(await rows("?onlyActiveTags=true&specificTag=v1")).toEqual([]);
    expect((await list("?specificTag=v1")).body.tags[0]!.end_ts).toBe(now / 1000);
    now = saved;
  });

  it("follows repository visibility: 404 for the owner, 403 for others, 401 for nobody", async () => {
    const missing = await api.get("/repository/alice/nothing/tag/");
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual(problem(404, "not_found", "Not Found"));
    const bob = await env.user("bob");
    expect((await list("", await tokenClient(env, bob, ["repo:read"]))).status).toBe(403);
    expect((await list("", new Client(env))).status).toBe(401);
    // The path without the trailing slash works too.
    expect((await api.get("/repository/alice/app/tag")).status).toBe(200);
  });

  it("is readable anonymously once the repository is public", async () => {
    const alice = await findUserByName(env.deps.db, "alice");
    const admin = await tokenClient(env, alice!, ["repo:admin"]);
    expect((await admin.post("/repository/alice/app/changevisibility", { visibility: "public" })).status).toBe(200);
    const anonymous = await list("?onlyActiveTags=true", new Client(env));
    expect(anonymous.status).toBe(200);
    expect(anonymous.body.tags.map((t) => t.name)).toEqual(["multi", "v1", "latest"]);
  });
});

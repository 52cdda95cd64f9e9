import { and, desc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog, repoPermissions, stars } from "../../db/schema.ts";
import { type ApiClient, ApiClient as Client, problem, sessionClient, tokenClient } from "../../e2e/support/api-client.ts";
import { RegistryClient } from "../../e2e/support/registry-client.ts";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";
import { createRepository, findRepository } from "../domain/repositories/repositories.ts";
import type { User } from "../domain/accounts/users.ts";

interface ListItem {
  namespace: string;
  name: string;
  is_public: boolean;
  is_starred?: boolean;
  last_modified?: number | null;
  popularity?: number;
}
interface List {
  repositories: ListItem[];
  next_page?: string;
}

let env: TestEnv;
let alice: User;
let bob: User;
let aliceApi: ApiClient;
let bobApi: ApiClient;
const anon = () => new Client(env);
const newRepo = (repository: string, visibility = "private", description = "") => ({ repository, visibility, description });
const names = (list: { body: List }) => list.body.repositories.map((r) => `${r.namespace}/${r.name}`);

async function lastAudit(kind: string) {
  const [row] = await env.deps.db.select().from(auditLog).where(eq(auditLog.kind, kind)).orderBy(desc(auditLog.id)).limit(1);
  return row;
}

beforeAll(async () => {
  env = await testEnv();
  alice = await env.user("alice");
  bob = await env.user("bob");
  aliceApi = await tokenClient(env, alice, ["repo:admin", "repo:create", "user:read"]);
  bobApi = await tokenClient(env, bob, ["repo:admin", "repo:create"]);
  for (const [api, body] of [
    [aliceApi, newRepo("alpha", "private", "first")],
    [aliceApi, newRepo("beta", "public")],
    [bobApi, newRepo("bobs-private")],
    [bobApi, newRepo("bobs-public", "public")],
  ] as const) {
    expect((await api.post("/repository", body)).status).toBe(201);
  }
});
afterAll(() => env.close());

describe("POST /api/v1/repository", () => {
  it("creates a repository: 201 {namespace, name, kind} and a create_repo log row", async () => {
    const res = await aliceApi.post("/repository", newRepo("gamma", "private", "a description"));
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ namespace: "alice", name: "gamma", kind: "image" });
    const repo = await findRepository(env.deps.db, { namespace: "alice", name: "gamma" });
    expect(repo).toMatchObject({ visibility: "private", description: "a description" });
    expect(await lastAudit("create_repo")).toMatchObject({
      repositoryId: repo!.id,
      performerId: alice.id,
      metadata: { repo: "gamma", namespace: "alice" },
    });
  });

  it("accepts an explicit namespace and repo_kind image", async () => {
    const res = await aliceApi.post("/repository", { ...newRepo("delta"), namespace: "alice", repo_kind: "image" });
    expect(res.status).toBe(201);
  });

  it("refuses duplicates, bad names and bad bodies with 400 invalid_request", async () => {
    const dup = await aliceApi.post("/repository", newRepo("alpha"));
    expect(dup.status).toBe(400);
    expect(dup.body).toEqual(problem(400, "invalid_request", "Repository already exists"));

    const bad = await aliceApi.post("/repository", newRepo("Bad Name"));
    expect(bad.body).toEqual(problem(400, "invalid_request", "Invalid repository name"));

    const noDescription = await aliceApi.post("/repository", { repository: "x", visibility: "public" });
    expect(noDescription.body).toEqual(problem(400, "invalid_request", "'description' is a required property"));

    const badVisibility = await aliceApi.post("/repository", newRepo("x", "secret"));
    expect(badVisibility.body).toEqual(problem(400, "invalid_request", "'secret' is not one of ['public', 'private']"));

    const wrongType = await aliceApi.post("/repository", { ...newRepo("x"), description: 5 });
    expect(wrongType.body).toEqual(problem(400, "invalid_request", "5 is not of type 'string'"));

    const empty = await aliceApi.request("POST", "/repository");
    expect(empty.body).toEqual(problem(400, "invalid_request", "Missing JSON body"));
  });

  it("refuses another user's namespace (403) and unknown namespaces alike", async () => {
    const res = await aliceApi.post("/repository", { ...newRepo("mine-now"), namespace: "bob" });
    expect(res.status).toBe(403);
    expect(res.body).toEqual(problem(403, "insufficient_scope", "Unauthorized"));
    expect((await aliceApi.post("/repository", { ...newRepo("x"), namespace: "nobody" })).status).toBe(403);
  });
});

describe("GET /api/v1/repository", () => {
  it("requires namespace, starred or public", async () => {
    const res = await aliceApi.get("/repository");
    expect(res.status).toBe(400);
    expect(res.body).toEqual(problem(400, "invalid_request", "namespace, starred or public are required for this API call"));
    expect((await aliceApi.get("/repository?public=false&namespace=")).status).toBe(400);
  });

  it("lists a namespace's repositories the caller holds a role on; public=true adds the public ones", async () => {
    expect(names(await aliceApi.get<List>("/repository?namespace=alice"))).toEqual(
      expect.arrayContaining(["alice/alpha", "alice/beta"]),
    );
    // Quay lists only granted repositories unless public is asked for.
    expect(names(await aliceApi.get<List>("/repository?namespace=bob"))).toEqual([]);
    expect(names(await aliceApi.get<List>("/repository?namespace=bob&public=true"))).toEqual(["bob/bobs-public"]);
    expect(names(await anon().get<List>("/repository?namespace=bob"))).toEqual([]);
    expect(names(await anon().get<List>("/repository?namespace=bob&public=1"))).toEqual(["bob/bobs-public"]);
  });

  it("renders Quay's item shape, with is_starred only for signed-in callers", async () => {
    const mine = await aliceApi.get<List>("/repository?namespace=alice");
    expect(mine.body.repositories.find((r) => r.name === "alpha")).toEqual({
      namespace: "alice",
      name: "alpha",
      description: "first",
      is_public: false,
      kind: "image",
      state: "NORMAL",
      quota: null,
      is_starred: false,
    });
    expect(mine.body).not.toHaveProperty("next_page");
    const anonymous = await anon().get<List>("/repository?namespace=alice&public=true");
    expect(anonymous.body.repositories).toEqual([
      { namespace: "alice", name: "beta", description: "", is_public: true, kind: "image", state: "NORMAL", quota: null },
    ]);
  });

  it("lists starred repositories (still readable ones), and marks them", async () => {
    const beta = await findRepository(env.deps.db, { namespace: "alice", name: "beta" });
    const bobsPrivate = await findRepository(env.deps.db, { namespace: "bob", name: "bobs-private" });
    // A star on a repository alice can no longer read does not show.
    await env.deps.db.insert(stars).values([{ userId: alice.id, repositoryId: beta!.id }, { userId: alice.id, repositoryId: bobsPrivate!.id }]);
    const starred = await aliceApi.get<List>("/repository?starred=true");
    expect(names(starred)).toEqual(["alice/beta"]);
    expect(starred.body.repositories[0]!.is_starred).toBe(true);
    const listed = await aliceApi.get<List>("/repository?namespace=alice");
    expect(listed.body.repositories.find((r) => r.name === "beta")!.is_starred).toBe(true);

    const anonymous = await anon().get("/repository?starred=true");
    expect(anonymous.status).toBe(400);
    expect(anonymous.body).toEqual({ message: "The browser (or proxy) sent a request that this server could not understand." });
  });

  it("adds last_modified (Unix seconds, null without tags) and popularity when asked", async () => {
    const before = Math.floor(Date.now() / 1000);
    await new RegistryClient(env, { username: "alice", password: "password-alice" }).pushImage("alice/beta", "v1");
    const res = await aliceApi.get<List>("/repository?namespace=alice&last_modified=true&popularity=true");
    const beta = res.body.repositories.find((r) => r.name === "beta")!;
    const alpha = res.body.repositories.find((r) => r.name === "alpha")!;
    expect(beta.last_modified).toBeGreaterThanOrEqual(before);
    expect(Number.isInteger(beta.last_modified)).toBe(true);
    expect(alpha.last_modified).toBeNull();
    expect(beta.popularity).toBeGreaterThanOrEqual(2); // created, pushed
    expect(alpha.popularity).toBeGreaterThanOrEqual(1);
    const plain = await aliceApi.get<List>("/repository?namespace=alice");
    expect(plain.body.repositories[0]).not.toHaveProperty("last_modified");
    expect(plain.body.repositories[0]).not.toHaveProperty("popularity");
  });

  it("lists nothing for other repository kinds", async () => {
    expect(names(await aliceApi.get<List>("/repository?namespace=alice&repo_kind=application"))).toEqual([]);
  });
});

/** The config and layer bytes an image manifest names. */
function storedBytes(manifestJson: string): number {
  const manifest = JSON.parse(manifestJson) as { config: { size: number }; layers: { size: number }[] };
  return manifest.config.size + manifest.layers.reduce((sum, layer) => sum + layer.size, 0);
}

describe("GET /api/v1/repository/{repo}", () => {
  it("renders every field, with live tags by default", async () => {
    const pushed = await new RegistryClient(env, { username: "alice", password: "password-alice" }).pushImage("alice/alpha", "latest");
    const res = await aliceApi.get<Record<string, unknown>>("/repository/alice/alpha");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      namespace: "alice",
      name: "alpha",
      kind: "image",
      description: "first",
      is_public: false,
      is_organization: false,
      is_starred: false,
      status_token: "",
      trust_enabled: false,
      tag_expiration_s: 1209600,
      is_free_account: true,
      state: "NORMAL",
      tags: {
        latest: {
          name: "latest",
          size: expect.any(Number),
          last_modified: expect.stringMatching(/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} -0000$/),
          manifest_digest: pushed.digest,
        },
      },
      can_write: true,
      can_admin: true,
      // Storage used: the unique bytes of the config and layer pushed.
      quota_report: { quota_bytes: storedBytes(pushed.body), configured_quota: null },
    });
  });

  it("leaves tags out with includeTags=false and adds 92 days of stats with includeStats", async () => {
    const res = await aliceApi.get<Record<string, unknown>>("/repository/alice/alpha?includeTags=false&includeStats=true");
    expect(res.body).not.toHaveProperty("tags");
    const stats = res.body.stats as { date: string; count: number }[];
    const today = new Date().toISOString().slice(0, 10);
    // Today's activity (creation, push) first, then a zero for each of the 91 days before.
    expect(stats[0]).toEqual({ date: today, count: expect.any(Number) });
    expect(stats[0]!.count).toBeGreaterThanOrEqual(2);
    expect(stats).toHaveLength(92);
    expect(stats.slice(1).every((s) => s.count === 0 && s.date < today)).toBe(true);
  });

  it("answers 404 to the namespace owner, 403 to other users and 401 to nobody", async () => {
    const missing = await aliceApi.get("/repository/alice/nothing-here");
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual(problem(404, "not_found", "Not Found"));
    expect((await bobApi.get("/repository/alice/alpha")).status).toBe(403);
    expect((await bobApi.get("/repository/alice/nothing-here")).status).toBe(403);
    expect((await anon().get("/repository/alice/alpha")).status).toBe(401);
  });

  it("lets a granted user in, with their grant's rights", async () => {
    const alpha = await findRepository(env.deps.db, { namespace: "alice", name: "alpha" });
    await env.deps.db.insert(repoPermissions).values({ repositoryId: alpha!.id, userId: bob.id, role: "write" });
    const res = await bobApi.get<Record<string, unknown>>("/repository/alice/alpha");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ can_write: true, can_admin: false });
    expect((await bobApi.put("/repository/alice/alpha", { description: "bob was here" })).status).toBe(200);
    expect((await bobApi.delete("/repository/alice/alpha")).status).toBe(403);
    expect(names(await bobApi.get<List>("/repository?namespace=alice"))).toEqual(["alice/alpha"]);
  });
});

describe("PUT /api/v1/repository/{repo}", () => {
  it("sets the description and logs it", async () => {
    const res = await aliceApi.put("/repository/alice/gamma", { description: "new words" });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true });
    expect((await findRepository(env.deps.db, { namespace: "alice", name: "gamma" }))!.description).toBe("new words");
    expect(await lastAudit("set_repo_description")).toMatchObject({
      performerId: alice.id,
      metadata: { repo: "gamma", namespace: "alice", description: "new words" },
    });
  });

  it("needs a description, and answers 404 for a missing repository", async () => {
    expect((await aliceApi.put("/repository/alice/gamma", {})).body).toEqual(
      problem(400, "invalid_request", "'description' is a required property"),
    );
    expect((await aliceApi.put("/repository/alice/nothing-here", { description: "x" })).status).toBe(404);
  });
});

describe("POST /api/v1/repository/{repo}/changevisibility", () => {
  it("makes a repository public and private again, logging each change", async () => {
    const pub = await aliceApi.post("/repository/alice/gamma/changevisibility", { visibility: "public" });
    expect(pub.status).toBe(200);
    expect(pub.body).toEqual({ success: true });
    expect((await anon().get("/repository/alice/gamma")).status).toBe(200);
    expect(await lastAudit("change_repo_visibility")).toMatchObject({ metadata: { visibility: "public", repo: "gamma" } });

    expect((await aliceApi.post("/repository/alice/gamma/changevisibility", { visibility: "private" })).status).toBe(200);
    expect((await anon().get("/repository/alice/gamma")).status).toBe(401);
  });

  it("validates the body and answers Quay's 200 null for a missing repository", async () => {
    const bad = await aliceApi.post("/repository/alice/gamma/changevisibility", { visibility: "hidden" });
    expect(bad.body).toEqual(problem(400, "invalid_request", "'hidden' is not one of ['public', 'private']"));
    const missing = await aliceApi.post("/repository/alice/nothing-here/changevisibility", { visibility: "public" });
    expect(missing.status).toBe(200);
    expect(missing.body).toBeNull();
    expect((await bobApi.post("/repository/alice/gamma/changevisibility", { visibility: "public" })).status).toBe(403);
  });
});

describe("DELETE /api/v1/repository/{repo}", () => {
  it("deletes (204), logs, and the repository is gone", async () => {
    const res = await aliceApi.delete("/repository/alice/delta");
    expect(res.status).toBe(204);
    expect(res.body).toBeUndefined();
    expect((await aliceApi.get("/repository/alice/delta")).status).toBe(404);
    expect(await lastAudit("delete_repo")).toMatchObject({ metadata: { repo: "delta", namespace: "alice" } });
  });

  it("works with a session carrying its CSRF token", async () => {
    const session = await sessionClient(env, alice);
    expect((await session.post("/repository", newRepo("short-lived"))).status).toBe(201);
    expect((await session.delete("/repository/alice/short-lived")).status).toBe(204);
  });
});

describe("routing", () => {
  it("answers 405 for methods a resource lacks and 404 JSON for unknown paths", async () => {
    expect((await aliceApi.request("PATCH", "/repository")).status).toBe(405);
    expect((await aliceApi.request("POST", "/repository/alice/alpha")).status).toBe(405);
    const unknown = await aliceApi.get<{ message: string }>("/no-such-endpoint");
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toMatch(/not found/);
  });
});

describe("paging of the public listing", () => {
  let pagingEnv: TestEnv;
  beforeAll(async () => {
    pagingEnv = await testEnv();
    const owner = await pagingEnv.user("owner");
    const actor = { principal: { kind: "user" as const, userId: owner.id, username: "owner", namespaceId: owner.namespaceId, superuser: false } };
    for (let i = 0; i < 101; i++) {
      await createRepository(pagingEnv.deps.db, actor, { namespace: "owner", name: `r${String(i).padStart(3, "0")}`, visibility: "public" });
    }
  });
  afterAll(() => pagingEnv.close());

  it("returns 100 per page with an opaque next_page, then the rest", async () => {
    const api = new Client(pagingEnv);
    const first = await api.get<List>("/repository?public=true");
    expect(first.body.repositories).toHaveLength(100);
    expect(first.body.next_page).toEqual(expect.any(String));
    expect(first.body.repositories[0]!.name).toBe("r000");
    const second = await api.get<List>(`/repository?public=true&next_page=${encodeURIComponent(first.body.next_page!)}`);
    expect(names(second)).toEqual(["owner/r100"]);
    expect(second.body).not.toHaveProperty("next_page");
    // An unreadable token starts over, as in Quay.
    const garbage = await api.get<List>("/repository?public=true&next_page=garbage");
    expect(garbage.body.repositories[0]!.name).toBe("r000");
  });

  it("returns a namespace's repositories whole", async () => {
    const all = await new Client(pagingEnv).get<List>("/repository?namespace=owner&public=true");
    expect(all.body.repositories).toHaveLength(101);
    expect(all.body).not.toHaveProperty("next_page");
  });
});

it("keeps stars of other users out of is_starred", async () => {
  const rows = await env.deps.db.select().from(stars).where(and(eq(stars.userId, bob.id)));
  expect(rows).toEqual([]);
  const list = await bobApi.get<List>("/repository?namespace=alice&public=true");
  expect(list.body.repositories.every((r) => r.is_starred === false)).toBe(true);
});

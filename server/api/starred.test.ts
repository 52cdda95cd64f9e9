import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repositories, stars } from "../../db/schema.ts";
import { ApiClient, problem, sessionClient, tokenClient } from "../../e2e/support/api-client.ts";
import type { User } from "../domain/accounts/users.ts";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";

describe("starring: /api/v1/user/starred", () => {
  let env: TestEnv;
  let alice: ApiClient;
  let a: User;
  beforeAll(async () => {
    env = await testEnv();
    a = await env.user("alice");
    const b = await env.user("bob");
    alice = await sessionClient(env, a);
    const bob = await sessionClient(env, b);
    for (const [client, ns, name, visibility] of [
      [alice, "alice", "mine", "private"],
      [bob, "bob", "open", "public"],
      [bob, "bob", "secret", "private"],
    ] as const) {
      expect((await client.post("/repository", { namespace: ns, repository: name, visibility, description: "d" })).status).toBe(201);
    }
  });
  afterAll(() => env.close());

  it("lists nothing at first", async () => {
    const res = await alice.get("/user/starred");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ repositories: [] });
  });

  it("stars (twice is fine), lists, and the repository list's starred filter agrees", async () => {
    for (let i = 0; i < 2; i++) {
      const res = await alice.post("/user/starred", { namespace: "bob", repository: "open" });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({ namespace: "bob", repository: "open" });
    }
    expect((await alice.post("/user/starred", { namespace: "alice", repository: "mine" })).status).toBe(201);
    const list = await alice.get("/user/starred");
    expect(list.body).toEqual({
      repositories: [
        { namespace: "alice", name: "mine", description: "d", is_public: false },
        { namespace: "bob", name: "open", description: "d", is_public: true },
      ],
    });
    const filtered = await alice.get<{ repositories: { name: string; is_starred: boolean }[] }>("/repository?starred=true");
    expect(filtered.body.repositories.map((r) => [r.name, r.is_starred])).toEqual([["mine", true], ["open", true]]);
  });

  it("answers 200 null for unknown and unreadable repositories alike", async () => {
    for (const repository of ["nothing", "secret"]) {
      const res = await alice.post("/user/starred", { namespace: "bob", repository });
      expect(res.status).toBe(200);
      expect(res.body).toBeNull();
    }
    const del = await alice.delete("/user/starred/bob/nothing");
    expect(del.status).toBe(200);
    expect(del.body).toBeNull();
  });

  it("unstars with 204, also when not starred", async () => {
    expect((await alice.delete("/user/starred/bob/open")).status).toBe(204);
    expect((await alice.delete("/user/starred/bob/open")).status).toBe(204);
    const list = await alice.get<{ repositories: { name: string }[] }>("/user/starred");
    expect(list.body.repositories.map((r) => r.name)).toEqual(["mine"]);
  });

  it("validates the body", async () => {
    const res = await alice.post("/user/starred", { namespace: "bob" });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(problem(400, "invalid_request", "'repository' is a required property"));
  });

  it("needs user:admin and a user", async () => {
    const anon = new ApiClient(env);
    expect((await anon.get("/user/starred")).body).toEqual(problem(401, "invalid_token", "Requires authentication"));
    const reader = await tokenClient(env, a, ["user:read", "repo:read"]);
    expect((await reader.get("/user/starred")).body).toEqual(problem(403, "insufficient_scope", "Unauthorized"));
    const admin = await tokenClient(env, a, ["user:admin"]);
    expect((await admin.get("/user/starred")).status).toBe(200);
  });
});

describe("GET /api/v1/registry/capabilities", () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await testEnv();
  });
  afterAll(() => env.close());

  it("answers anyone with Quay's shape", async () => {
    const res = await new ApiClient(env).get("/registry/capabilities");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      sparse_manifests: { supported: false, required_architectures: [], optional_architectures_allowed: false },
      mirror_architectures: ["amd64", "arm64", "ppc64le", "s390x"],
    });
  });
});

describe("GET /api/v1/user/starred pages", () => {
  let env: TestEnv;
  let api: ApiClient;
  beforeAll(async () => {
    env = await testEnv();
    const carol = await env.user("carol");
    api = await sessionClient(env, carol);
    const rows = await env.deps.db
      .insert(repositories)
      .values(Array.from({ length: 101 }, (_, i) => ({ namespaceId: carol.namespaceId, name: `r${String(i).padStart(3, "0")}` })))
      .returning({ id: repositories.id });
    await env.deps.db.insert(stars).values(rows.map((r) => ({ userId: carol.id, repositoryId: r.id })));
  });
  afterAll(() => env.close());

  it("by 100 with Quay's opaque next_page", async () => {
    const first = await api.get<{ repositories: { name: string }[]; next_page?: string }>("/user/starred");
    expect(first.body.repositories).toHaveLength(100);
    expect(first.body.next_page).toEqual(expect.any(String));
    const second = await api.get<{ repositories: { name: string }[]; next_page?: string }>(`/user/starred?next_page=${first.body.next_page}`);
    expect(second.body).toEqual({ repositories: [{ namespace: "carol", name: "r100", description: "", is_public: false }] });
  });
});

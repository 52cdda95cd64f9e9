// /api/v1 robot accounts, user and organization variants, in Quay's shapes and error bodies.
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog, repoPermissions, teamMembers, teams, users } from "../../db/schema.ts";
import { ApiClient, problem, sessionClient, tokenClient } from "../../e2e/support/api-client.ts";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";
import { createOrganization } from "../domain/accounts/organizations.ts";
import { findUserByName, toPrincipal, type User } from "../domain/accounts/users.ts";
import { createRepository } from "../domain/repositories/repositories.ts";

let env: TestEnv;
let alice: User;
let api: ApiClient;

beforeAll(async () => {
  env = await testEnv();
  alice = await env.user("alice");
  api = await sessionClient(env, alice);
});
afterAll(() => env.close());

const RFC2822 = /^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} -0000$/;
const TOKEN = /^[A-Z0-9]{64}$/;
const NOT_FOUND = { message: "Could not find robot with specified username" };

async function findUserIdByName(env: TestEnv, username: string): Promise<number> {
  const [row] = await env.deps.db.select({ id: users.id }).from(users).where(eq(users.username, username));
  return row!.id;
}

const auditKinds = async (namespaceId: number) =>
  (await env.deps.db.select({ kind: auditLog.kind }).from(auditLog).where(eq(auditLog.namespaceId, namespaceId))).map(
    (r) => r.kind,
  );

describe("user robots", () => {
  it("creates a robot (201) with a Quay token, description and metadata, once", async () => {
    const res = await api.put<Record<string, unknown>>("/user/robots/builder", {
      description: "CI",
      unstructured_metadata: { team: "ci" },
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      name: "alice+builder",
      created: expect.stringMatching(RFC2822),
      last_accessed: null,
      description: "CI",
      token: expect.stringMatching(TOKEN),
      unstructured_metadata: { team: "ci" },
    });
    expect(await auditKinds(alice.namespaceId)).toContain("create_robot");

    const again = await api.put("/user/robots/builder");
    expect(again.status).toBe(400);
    expect(again.body).toEqual(problem(400, "invalid_request", "Existing robot with name: alice+builder"));

    // No body at all is fine.
    const bare = await api.put<Record<string, unknown>>("/user/robots/bare");
    expect(bare.status).toBe(201);
    expect(bare.body).toMatchObject({ name: "alice+bare", description: "", unstructured_metadata: {} });
  });

  it("refuses names outside Quay's rule", async () => {
    for (const bad of ["Upper", "a", "with space", "-dash", "a..b"]) {
      const res = await api.put<{ detail: string }>(`/user/robots/${encodeURIComponent(bad)}`);
      expect(res.status).toBe(400);
      expect(res.body.detail).toMatch(new RegExp(`^The name for the robot '${bad.replace(/\./g, "\\.")}' is invalid: `));
    }
    const long = await api.put("/user/robots/x", { description: "d".repeat(256) });
    expect(long.status).toBe(400);
  });

  it("gets one robot with its token, unknown ones are a plain 400", async () => {
    const created = await api.put<{ token: string }>("/user/robots/getter", { description: "g" });
    const res = await api.get<Record<string, unknown>>("/user/robots/getter");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: "alice+getter", description: "g", token: created.body.token, unstructured_metadata: {} });
    const missing = await api.get("/user/robots/nobody");
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual(NOT_FOUND);
  });

  it("lists robots with tokens by default, without on token=false, with permissions and a limit", async () => {
    const repo = await createRepository(env.deps.db, { principal: toPrincipal(alice) }, { namespace: "alice", name: "app", visibility: "private" });
    const robot = await api.put<{ token: string }>("/user/robots/lister");
    const robotId = await findUserIdByName(env, "alice+lister");
    await env.deps.db.insert(repoPermissions).values({ repositoryId: repo.id, userId: robotId, role: "write" });

    const all = await api.get<{ robots: Record<string, unknown>[] }>("/user/robots");
    expect(all.status).toBe(200);
    const lister = all.body.robots.find((r) => r.name === "alice+lister");
    expect(lister).toEqual({
      name: "alice+lister",
      created: expect.stringMatching(RFC2822),
      last_accessed: null,
      description: "",
      token: robot.body.token,
    });
    const names = all.body.robots.map((r) => r.name);
    expect(names).toEqual([...names].sort());

    const noTokens = await api.get<{ robots: Record<string, unknown>[] }>("/user/robots?token=False");
    expect(noTokens.body.robots.every((r) => !("token" in r))).toBe(true);

    const withPermissions = await api.get<{ robots: Record<string, unknown>[] }>("/user/robots?permissions=true&token=false");
    expect(withPermissions.body.robots.find((r) => r.name === "alice+lister")).toEqual({
      name: "alice+lister",
      created: expect.stringMatching(RFC2822),
      last_accessed: null,
      description: "",
      teams: [],
      repositories: ["app"],
    });

    const limited = await api.get<{ robots: unknown[] }>("/user/robots?limit=1");
    expect(limited.body.robots).toHaveLength(1);

    const permissions = await api.get("/user/robots/lister/permissions");
    expect(permissions.body).toEqual({ permissions: [{ repository: { name: "app", is_public: false }, role: "write" }] });
    expect((await api.get("/user/robots/nobody/permissions")).body).toEqual(NOT_FOUND);
  });

  it("regenerates the token (no metadata in the answer)", async () => {
    const before = await api.put<{ token: string }>("/user/robots/regen");
    const res = await api.post<Record<string, unknown>>("/user/robots/regen/regenerate");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      name: "alice+regen",
      created: expect.stringMatching(RFC2822),
      last_accessed: null,
      description: "",
      token: expect.stringMatching(TOKEN),
    });
    expect(res.body.token).not.toBe(before.body.token);
    expect((await api.get<{ token: string }>("/user/robots/regen")).body.token).toBe(res.body.token);
    expect(await auditKinds(alice.namespaceId)).toContain("regenerate_robot_token");
    expect((await api.post("/user/robots/nobody/regenerate")).body).toEqual(NOT_FOUND);
  });

  it("keeps a federation list: replace, refuse duplicates and non-URLs, empty", async () => {
    await api.put("/user/robots/fed");
    expect((await api.get("/user/robots/fed/federation")).body).toEqual([]);
    const config = [{ issuer: "https://issuer.example", subject: "ci", extra: 1 }];
    const set = await api.post("/user/robots/fed/federation", config);
    expect(set.status).toBe(200);
    expect(set.body).toEqual([{ issuer: "https://issuer.example", subject: "ci" }]);
    expect((await api.get("/user/robots/fed/federation")).body).toEqual(set.body);

    const dup = await api.post("/user/robots/fed/federation", [config[0], config[0]]);
    expect(dup.body).toEqual(problem(400, "invalid_request", "Duplicate federation config entry"));
    const notUrl = await api.post("/user/robots/fed/federation", [{ issuer: "issuer", subject: "s" }]);
    expect(notUrl.body).toEqual(problem(400, "invalid_request", "Issuer must be a URL (http:// or https://)"));
    const empty = await api.post("/user/robots/fed/federation", [{ issuer: "", subject: "s" }]);
    expect(empty.body).toEqual(problem(400, "invalid_request", "Missing one or more required fields (issuer, subject)"));
    expect((await api.post("/user/robots/nobody/federation", config)).body).toEqual(NOT_FOUND);

    const removed = await api.delete("/user/robots/fed/federation");
    expect(removed.status).toBe(204);
    expect((await api.get("/user/robots/fed/federation")).body).toEqual([]);
    const kinds = await auditKinds(alice.namespaceId);
    expect(kinds).toContain("create_robot_federation");
    expect(kinds).toContain("delete_robot_federation");
  });

  it("deletes a robot (204), after which it is unknown", async () => {
    await api.put("/user/robots/doomed");
    const res = await api.delete("/user/robots/doomed");
    expect(res.status).toBe(204);
    expect((await api.get("/user/robots/doomed")).body).toEqual(NOT_FOUND);
    expect((await api.delete("/user/robots/doomed")).body).toEqual(NOT_FOUND);
    expect(await auditKinds(alice.namespaceId)).toContain("delete_robot");
  });

  it("needs user:admin: 401 anonymous, 403 with a narrower token", async () => {
    const anonymous = new ApiClient(env);
    expect((await anonymous.get("/user/robots")).body).toEqual(problem(401, "invalid_token", "Requires authentication"));
    const reader = await tokenClient(env, alice, ["user:read"]);
    expect((await reader.get("/user/robots")).body).toEqual(problem(403, "insufficient_scope", "Unauthorized"));
    const admin = await tokenClient(env, alice, ["user:admin"]);
    expect((await admin.put("/user/robots/viatoken")).status).toBe(201);
  });
});

describe("organization robots", () => {
  let org: { namespaceId: number };
  let member: ApiClient;
  let stranger: ApiClient;

  beforeAll(async () => {
    const owner = await env.user("orgowner");
    org = await createOrganization(env.deps.db, { name: "acme" }, { principal: toPrincipal(owner) });
    api = await sessionClient(env, owner);
    const bob = await env.user("bob");
    const [readers] = await env.deps.db
      .insert(teams)
      .values({ namespaceId: org.namespaceId, name: "readers", role: "member" })
      .returning();
    await env.deps.db.insert(teamMembers).values({ teamId: readers!.id, userId: bob.id });
    member = await sessionClient(env, bob);
    stranger = await sessionClient(env, await env.user("mallory"));
  });

  it("lets admins manage robots and members list them without tokens or permissions", async () => {
    const created = await api.put<Record<string, unknown>>("/organization/acme/robots/deployer", { description: "d" });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: "acme+deployer", description: "d", token: expect.stringMatching(TOKEN) });
    const robotId = await findUserIdByName(env, "acme+deployer");
    const [owners] = await env.deps.db.select().from(teams).where(and(eq(teams.namespaceId, org.namespaceId), eq(teams.name, "owners")));
    await env.deps.db.insert(teamMembers).values({ teamId: owners!.id, userId: robotId });

    const full = await api.get<{ robots: Record<string, unknown>[] }>("/organization/acme/robots?permissions=true");
    expect(full.body.robots).toEqual([
      {
        name: "acme+deployer",
        created: expect.stringMatching(RFC2822),
        last_accessed: null,
        description: "d",
        token: created.body.token,
        teams: [{ name: "owners", avatar: expect.objectContaining({ name: "owners", kind: "team" }) }],
        repositories: [],
      },
    ]);

    const listed = await member.get<{ robots: Record<string, unknown>[] }>("/organization/acme/robots?permissions=true");
    expect(listed.status).toBe(200);
    expect(listed.body.robots).toEqual([
      { name: "acme+deployer", created: expect.stringMatching(RFC2822), last_accessed: null, description: "d" },
    ]);
    for (const res of [
      await member.get("/organization/acme/robots/deployer"),
      await member.put("/organization/acme/robots/other"),
      await member.post("/organization/acme/robots/deployer/regenerate"),
      await member.delete("/organization/acme/robots/deployer"),
      await member.get("/organization/acme/robots/deployer/federation"),
      await stranger.get("/organization/acme/robots"),
      await stranger.get("/organization/nowhere/robots"),
    ]) {
      expect(res.body).toEqual(problem(403, "insufficient_scope", "Unauthorized"));
    }

    expect((await api.get("/organization/acme/robots/deployer")).body).toMatchObject({ token: created.body.token });
    expect((await api.get("/organization/acme/robots/deployer/permissions")).body).toEqual({ permissions: [] });
    expect((await api.post("/organization/acme/robots/deployer/regenerate")).status).toBe(200);
    expect((await api.post("/organization/acme/robots/deployer/federation", [{ issuer: "http://i", subject: "s" }])).status).toBe(200);
    expect((await api.delete("/organization/acme/robots/deployer/federation")).status).toBe(204);
    expect((await api.get("/organization/acme/robots/ghost")).body).toEqual(NOT_FOUND);
    expect((await api.delete("/organization/acme/robots/deployer")).status).toBe(204);
    expect((await api.get<{ robots: unknown[] }>("/organization/acme/robots")).body).toEqual({ robots: [] });
    expect(await auditKinds(org.namespaceId)).toEqual(
      expect.arrayContaining(["create_robot", "regenerate_robot_token", "create_robot_federation", "delete_robot_federation", "delete_robot"]),
    );
  });

  it("needs the org:admin scope", async () => {
    const owner = (await findUserByName(env.deps.db, "orgowner"))!;
    const userAdmin = await tokenClient(env, owner, ["user:admin", "repo:admin"]);
    expect((await userAdmin.get("/organization/acme/robots")).status).toBe(403);
    const orgAdmin = await tokenClient(env, owner, ["org:admin"]);
    expect((await orgAdmin.get("/organization/acme/robots")).status).toBe(200);
    // A robot's permissions ask for user:admin instead (Quay).
    await api.put("/organization/acme/robots/auditor");
    expect((await orgAdmin.get("/organization/acme/robots/auditor/permissions")).status).toBe(403);
    expect((await userAdmin.get("/organization/acme/robots/auditor/permissions")).body).toEqual({ permissions: [] });
  });
});

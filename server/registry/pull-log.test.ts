// Every manifest pull through /v2 writes one pull_repo row naming its performer, and feeds the pull
// statistics; a clean shutdown writes the pulls still in memory.
import { and, desc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "../../db/client.ts";
import { auditLog, manifestPullStats, repoPermissions, tagPullStats } from "../../db/schema.ts";
import { basic, RegistryClient } from "../../e2e/support/registry-client.ts";
import { type TestEnv, testEnv, testServer } from "../../e2e/support/test-app.ts";
import { createRobot } from "../domain/accounts/robots.ts";
import { createUser, toPrincipal, type User } from "../domain/accounts/users.ts";
import { findRepository, setVisibility } from "../domain/repositories/repositories.ts";

let env: TestEnv;
let alice: User;
let digest: string;
let repositoryId: number;
const clients: Record<string, RegistryClient> = {};

beforeAll(async () => {
  env = await testEnv();
  alice = await env.user("alice");
  clients.alice = new RegistryClient(env, { username: "alice", password: "password-alice" });
  clients.anonymous = new RegistryClient(env);
  ({ digest } = await clients.alice.pushImage("alice/app", "latest"));
  const repo = (await findRepository(env.deps.db, { namespace: "alice", name: "app" }))!;
  repositoryId = repo.id;
  await setVisibility(env.deps, { principal: toPrincipal(alice) }, repo, "public");
  const robot = await createRobot(env.deps.db, { id: alice.namespaceId, name: "alice" }, "ci", {}, { principal: toPrincipal(alice) });
  await env.deps.db.insert(repoPermissions).values({ repositoryId: repo.id, userId: robot.robot.id, role: "read" });
  clients.robot = new RegistryClient(env, { username: "alice+ci", password: robot.token });
});
afterAll(() => env.close());

const pullRows = () =>
  env.deps.db.select().from(auditLog).where(and(eq(auditLog.kind, "pull_repo"), eq(auditLog.repositoryId, repositoryId))).orderBy(desc(auditLog.id));

describe("pull logging", () => {
  it.each([
    ["alice", "by tag", "user"],
    ["robot", "by digest", "robot"],
    ["anonymous", "by tag", "anonymous"],
    ["alice", "by digest (HEAD)", "user"],
  ] as const)("%s pulling %s writes one row as %s", async (who, how, performerKind) => {
    const before = (await pullRows()).length;
    const reference = how === "by tag" ? "latest" : digest;
    const method = how.includes("HEAD") ? "HEAD" : "GET";
    const res =
      who === "anonymous"
        ? await env.app.request(`/v2/alice/app/manifests/${reference}`, {
            method,
            headers: { authorization: `Bearer ${await clients.anonymous!.token("repository:alice/app:pull")}` },
          })
        : await clients[who]!.request(`/v2/alice/app/manifests/${reference}`, { method });
    expect(res.status).toBe(200);
    await env.deps.pulls.flush();
    const rows = await pullRows();
    expect(rows.length).toBe(before + 1);
    const row = rows[0]!;
    expect(row.performerKind).toBe(performerKind);
    expect(row.performerId === null).toBe(who === "anonymous");
    expect(row.namespaceId).toBe(alice.namespaceId);
    expect(row.metadata).toEqual(
      how === "by tag"
        ? { namespace: "alice", repo: "app", tag: "latest", manifest_digest: digest }
        : { namespace: "alice", repo: "app", manifest_digest: digest },
    );
  });

  it("counts pulls per tag and per manifest", async () => {
    const [tagStats] = await env.deps.db.select().from(tagPullStats).where(eq(tagPullStats.repositoryId, repositoryId));
    const [manifestStats] = await env.deps.db.select().from(manifestPullStats).where(eq(manifestPullStats.repositoryId, repositoryId));
    expect(tagStats).toMatchObject({ tag: "latest", pullCount: 2, manifestDigest: digest });
    expect(manifestStats).toMatchObject({ manifestDigest: digest, pullCount: 4 });
  });
});

it("writes pulls still in memory when the server stops cleanly", async () => {
  const server = await testServer({ QUAYSIDE_PUBLIC_URL: "http://registry.test" });
  const url = server.deps.config.databaseUrl!;
  await createUser(server.deps.db, { username: "carol", password: "password-carol" }, { principal: { kind: "anonymous" } });
  // The registry client, over the real socket.
  const overHttp = { app: { request: (path: string, init?: RequestInit) => fetch(`${server.url}${path}`, init) } } as unknown as TestEnv;
  const carol = new RegistryClient(overHttp, { username: "carol", password: "password-carol" });
  try {
    await carol.pushImage("carol/app", "v1");
    const res = await fetch(`${server.url}/v2/carol/app/manifests/v1`, { headers: { authorization: basic("carol", "password-carol") } });
    expect(res.status).toBe(200);
  } finally {
    await server.close(); // well within the second a batch may wait
  }
  const db = connect(url, { max: 1 });
  try {
    const rows = await db.db.select().from(auditLog).where(eq(auditLog.kind, "pull_repo"));
    expect(rows.map((r) => r.metadata)).toEqual([expect.objectContaining({ repo: "app", tag: "v1" })]);
  } finally {
    await db.close();
  }
});

it("logs and counts no pulls with QUAYSIDE_LOG_PULLS=false", async () => {
  const quiet = await testEnv({ QUAYSIDE_LOG_PULLS: "false" });
  try {
    await quiet.user("dave");
    const dave = new RegistryClient(quiet, { username: "dave", password: "password-dave" });
    await dave.pushImage("dave/app", "v1");
    expect((await dave.request("/v2/dave/app/manifests/v1")).status).toBe(200);
    await quiet.deps.pulls.flush();
    expect(await quiet.deps.db.select().from(auditLog).where(eq(auditLog.kind, "pull_repo"))).toEqual([]);
    expect(await quiet.deps.db.select().from(tagPullStats)).toEqual([]);
  } finally {
    await quiet.close();
  }
});

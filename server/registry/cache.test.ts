// Hot manifests are served from memory; every node sees changes made anywhere.
import { afterAll, beforeAll, expect, it } from "vitest";
import { RegistryClient } from "../../e2e/support/registry-client.ts";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";
import { buildApp } from "../app.ts";
import { buildDeps } from "../runtime.ts";
import { connect, type Database } from "../../db/client.ts";
import { repoPermissions } from "../../db/schema.ts";
import { deleteRepository, findRepository } from "../domain/repositories/repositories.ts";
import { findUserByName } from "../domain/accounts/users.ts";

let env: TestEnv;
let alice: RegistryClient;
let otherNode: ReturnType<typeof buildApp>;
let otherDatabase: Database;

beforeAll(async () => {
  env = await testEnv();
  await env.user("alice");
  alice = new RegistryClient(env, { username: "alice", password: "password-alice" });
  // A second node: its own pool and cache over the same database and storage.
  otherDatabase = connect(env.config.databaseUrl!, { max: 2 });
  otherNode = buildApp(await buildDeps(env.config, otherDatabase));
});
afterAll(async () => {
  await otherDatabase.close();
  await env.close();
});

async function digestOn(app: ReturnType<typeof buildApp>, path: string): Promise<string | null> {
  const token = await alice.token("repository:alice/cached:pull");
  const res = await app.request(path, { headers: { authorization: `Bearer ${token}` } });
  return res.status === 200 ? res.headers.get("docker-content-digest") : `status ${res.status}`;
}

async function eventually(check: () => Promise<boolean>) {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error("never became true");
}

it("reads its own writes at once and sees other nodes' writes promptly", async () => {
  const first = await alice.pushImage("alice/cached", "v1");
  expect(await digestOn(env.app, "/v2/alice/cached/manifests/v1")).toBe(first.digest);
  expect(await digestOn(otherNode, "/v2/alice/cached/manifests/v1")).toBe(first.digest);

  // Retag on this node: this node answers the new digest immediately...
  const second = await alice.pushImage("alice/cached", "v1");
  expect(await digestOn(env.app, "/v2/alice/cached/manifests/v1")).toBe(second.digest);
  // ...and the other node drops its cached answer when the change notification arrives.
  await eventually(async () => (await digestOn(otherNode, "/v2/alice/cached/manifests/v1")) === second.digest);

  // Deletion by digest reaches the other node too.
  await alice.request(`/v2/alice/cached/manifests/${second.digest}`, { method: "DELETE" });
  expect(await digestOn(env.app, "/v2/alice/cached/manifests/v1")).toBe("status 404");
  await eventually(async () => (await digestOn(otherNode, `/v2/alice/cached/manifests/${second.digest}`)) === "status 404");
});

async function tagsOn(app: ReturnType<typeof buildApp>, query = ""): Promise<string[]> {
  const token = await alice.token("repository:alice/listed:pull");
  const res = await app.request(`/v2/alice/listed/tags/list${query}`, { headers: { authorization: `Bearer ${token}` } });
  return ((await res.json()) as { tags: string[] }).tags;
}

it("keeps the tags list in step with pushes and deletions on every node", async () => {
  const { body, digest } = await alice.pushImage("alice/listed", "b");
  expect(await tagsOn(env.app)).toEqual(["b"]);
  expect(await tagsOn(otherNode)).toEqual(["b"]);

  await alice.pushManifest("alice/listed", "a", body, "application/vnd.oci.image.manifest.v1+json");
  await alice.pushManifest("alice/listed", "c", body, "application/vnd.oci.image.manifest.v1+json");
  expect(await tagsOn(env.app)).toEqual(["a", "b", "c"]);
  expect(await tagsOn(env.app, "?n=1&last=a")).toEqual(["b"]);
  await eventually(async () => (await tagsOn(otherNode)).join() === "a,b,c");

  await alice.request(`/v2/alice/listed/manifests/${digest}`, { method: "DELETE" });
  expect(await tagsOn(env.app)).toEqual([]);
  await eventually(async () => (await tagsOn(otherNode)).length === 0);
});

it("forgets a deleted repository (this node at once, others when notified), so a push recreates it", async () => {
  await alice.pushImage("alice/doomed", "v1");
  expect(await alice.request("/v2/alice/doomed/tags/list").then((r) => r.status)).toBe(200);
  const onOtherNode = async () => {
    const token = await alice.token("repository:alice/doomed:pull");
    return (await otherNode.request("/v2/alice/doomed/tags/list", { headers: { authorization: `Bearer ${token}` } })).status;
  };
  expect(await onOtherNode()).toBe(200);
  const repo = await findRepository(env.deps.db, { namespace: "alice", name: "doomed" });
  await deleteRepository(env.deps, { principal: { kind: "anonymous" } }, repo!);
  const gone = await alice.request("/v2/alice/doomed/tags/list");
  expect(gone.status).toBe(404);
  expect(((await gone.json()) as { errors: { code: string }[] }).errors[0]!.code).toBe("NAME_UNKNOWN");
  await eventually(async () => (await onOtherNode()) === 404);
  await alice.pushImage("alice/doomed", "v2");
  expect(await tagsIn(alice, "alice/doomed")).toEqual(["v2"]);
});

async function tagsIn(client: RegistryClient, repo: string): Promise<string[]> {
  return ((await (await client.request(`/v2/${repo}/tags/list`)).json()) as { tags: string[] }).tags;
}

it("keeps each caller's catalog in step with new, deleted and newly granted repositories", async () => {
  await env.user("bob");
  const bob = new RegistryClient(env, { username: "bob", password: "password-bob" });
  const catalogOn = async (app: ReturnType<typeof buildApp>, client: RegistryClient) => {
    const token = await client.token("registry:catalog:*");
    const res = await app.request("/v2/_catalog", { headers: { authorization: `Bearer ${token}` } });
    return ((await res.json()) as { repositories: string[] }).repositories;
  };
  const before = await catalogOn(env.app, alice);
  await catalogOn(otherNode, alice);
  await alice.pushImage("alice/catalogued", "v1");
  expect(await catalogOn(env.app, alice)).toEqual([...before, "alice/catalogued"].sort());
  await eventually(async () => (await catalogOn(otherNode, alice)).includes("alice/catalogued"));

  expect(await catalogOn(env.app, bob)).not.toContain("alice/catalogued");
  await catalogOn(otherNode, bob);
  const repo = await findRepository(env.deps.db, { namespace: "alice", name: "catalogued" });
  const bobUser = await findUserByName(env.deps.db, "bob");
  await env.deps.db.insert(repoPermissions).values({ repositoryId: repo!.id, userId: bobUser!.id, role: "read" });
  await eventually(async () => (await catalogOn(env.app, bob)).includes("alice/catalogued"));
  await eventually(async () => (await catalogOn(otherNode, bob)).includes("alice/catalogued"));

  await deleteRepository(env.deps, { principal: { kind: "anonymous" } }, repo!);
  expect(await catalogOn(env.app, alice)).not.toContain("alice/catalogued");
  await eventually(async () => !(await catalogOn(otherNode, bob)).includes("alice/catalogued"));
});

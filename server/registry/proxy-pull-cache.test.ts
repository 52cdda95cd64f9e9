// A fresh cached pull through a proxy cache organization is answered from the registry's memory
// as a local pull is (no more database round trips), and what that memory holds ends when it
// should: a tag's last upstream check once past the staleness window, who may pull when a member
// leaves the organization (on this node at once, on another once notified), and the proxy's own
// rule when its configuration is removed.
import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/client.ts";
import * as schema from "../../db/schema.ts";
import { imageManifest, OCI_MANIFEST, pushMonolithic, putManifest, type Target } from "../../e2e/bench/client.ts";
import { type ProxyUpstream, startProxyUpstream } from "../../e2e/support/proxy-upstream.ts";
import { RegistryClient } from "../../e2e/support/registry-client.ts";
import { ManualClock, type TestEnv, testEnv } from "../../e2e/support/test-app.ts";
import { buildApp } from "../app.ts";
import { createOrganization, type Organization } from "../domain/accounts/organizations.ts";
import { addTeamMember, type Account, removeTeamMember, saveTeam, type Team } from "../domain/accounts/teams.ts";
import { toPrincipal, type User } from "../domain/accounts/users.ts";
import { createProxyCacheConfig, deleteProxyCacheConfig } from "../domain/mirroring/proxy-cache-configs.ts";
import { findManifest } from "../domain/content/manifests.ts";
import { findRepository } from "../domain/repositories/repositories.ts";
import { buildDeps } from "../runtime.ts";

type App = ReturnType<typeof buildApp>;

let work: string;
let upstream: ProxyUpstream;
let env: TestEnv;
let alice: User;
let org: Organization;
let readers: Team;
let bob: User;
/** A second node whose pool counts the queries it sends. */
let node: App;
const clock = new ManualClock();
const STALENESS_S = 3600;
let nodeDatabase: Database;
/** The queries `node` has sent. */
const queries: string[] = [];

const blob = (text: string) => {
  const data = Buffer.from(text);
  return { data, digest: `sha256:${createHash("sha256").update(data).digest("hex")}` };
};

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "quayside-proxy-cache-"));
  upstream = await startProxyUpstream(work);
  const basicAuth = { authorization: `Basic ${Buffer.from(`${upstream.username}:${upstream.password}`).toString("base64")}` };
  const direct: Target = { label: "upstream", url: `http://${upstream.directHost}`, host: upstream.directHost, auth: async () => basicAuth, catalogAuth: async () => basicAuth };
  const config = blob(JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [] } }));
  const layer = blob("a proxied layer");
  for (const b of [config, layer]) await pushMonolithic(direct, "team/app", b);
  await putManifest(direct, "team/app", "latest", imageManifest(config, [layer]));

  env = await testEnv({ QUAYSIDE_SSRF_ALLOWED_HOSTS: "127.0.0.1", QUAYSIDE_PROXY_CACHE_STALENESS: String(STALENESS_S) }, { clock });
  alice = await env.user("alice");
  bob = await env.user("bob");
  const asAlice = { principal: toPrincipal(alice) };
  org = await createOrganization(env.deps.db, { name: "hub" }, asAlice);
  await createProxyCacheConfig(
    env.deps.db,
    asAlice,
    org.namespaceId,
    { upstreamRegistry: upstream.host, username: upstream.username, password: upstream.password, insecure: true },
    env.deps.config.ssrfAllowedHosts,
  );
  // bob is a plain member: a team with no grant on any repository.
  ({ team: readers } = await saveTeam(env.deps, asAlice, org, "readers", { role: "member" }));
  await addTeamMember(env.deps, asAlice, org, readers, bob as Account);

  const sql = postgres(env.config.databaseUrl!, { max: 2, onnotice: () => {}, debug: (_connection, query) => void queries.push(query) });
  nodeDatabase = { url: env.config.databaseUrl!, db: drizzle(sql, { schema }), sql, close: () => sql.end({ timeout: 5 }) };
  node = buildApp(await buildDeps(env.config, nodeDatabase, clock));
}, 60_000);
afterAll(async () => {
  await nodeDatabase?.close();
  await env?.close();
  await upstream?.close();
  await rm(work, { recursive: true, force: true });
});

/** A pull token for the repository of manifest path `path`, from the main node. */
function pullToken(user: User, path: string): Promise<string> {
  const repo = /^\/v2\/(.+)\/manifests\//.exec(path)![1]!;
  return new RegistryClient(env, { username: user.username, password: `password-${user.username}` }).token(`repository:${repo}:pull`);
}

/** The status of a manifest GET of `path` on `app` with `token`. */
async function get(app: App, path: string, token: string): Promise<number> {
  const res = await app.request(path, { headers: { authorization: `Bearer ${token}`, accept: OCI_MANIFEST } });
  await res.arrayBuffer();
  return res.status;
}

const pull = async (app: App, user: User, path: string) => get(app, path, await pullToken(user, path));

const PULLS = 20;

/**
 * The queries `node` sends on every one of PULLS pulls of `path` (the token is fetched from the
 * other node first); a query some background work sends meanwhile is not one of them.
 */
async function queriesPerPull(user: User, path: string): Promise<string[]> {
  const token = await pullToken(user, path);
  const before = queries.length;
  for (let i = 0; i < PULLS; i++) expect(await get(node, path, token)).toBe(200);
  const sent = new Map<string, number>();
  for (const query of queries.slice(before)) sent.set(query, (sent.get(query) ?? 0) + 1);
  return [...sent].filter(([, n]) => n >= PULLS).map(([query]) => query);
}

describe("a fresh cached pull through a proxy organization", () => {
  it("costs the database no more round trips than a local pull", async () => {
    // Pulled through the other node: this one reads the tag's last upstream check once, then holds it.
    expect(await pull(env.app, alice, "/v2/hub/team/app/manifests/latest")).toBe(200);
    const stored = async () => {
      const repo = await findRepository(env.deps.db, { namespace: "hub", name: "team/app" });
      return !!repo && !!(await findManifest(env.deps.db, repo.id, { tag: "latest" }, env.deps.clock.now()));
    };
    await expect.poll(stored, { timeout: 15_000 }).toBe(true);
    await new RegistryClient(env, { username: "alice", password: "password-alice" }).pushImage("alice/local", "latest");
    // Warm both sides (the first pulls read what later ones find in memory).
    for (const user of [alice, bob]) await pull(node, user, "/v2/hub/team/app/manifests/latest");
    await pull(node, alice, "/v2/alice/local/manifests/latest");
    const fetchedBefore = upstream.requests.length;
    const local = await queriesPerPull(alice, "/v2/alice/local/manifests/latest");
    expect(await queriesPerPull(alice, "/v2/hub/team/app/manifests/latest"), "an owner's proxied pulls").toEqual(local);
    expect(await queriesPerPull(bob, "/v2/hub/team/app/manifests/latest"), "a member's proxied pulls (no grant)").toEqual(local);
    expect(upstream.requests.slice(fetchedBefore)).toEqual([]);
  });

  it("is checked upstream again once the check this node read is past the staleness window", async () => {
    const before = upstream.requests.length;
    clock.advance((STALENESS_S + 1) * 1000);
    expect(await pull(node, alice, "/v2/hub/team/app/manifests/latest")).toBe(200);
    expect(upstream.requests.slice(before).some((r) => r.startsWith("HEAD /v2/team/app/manifests/latest"))).toBe(true);
    const checked = upstream.requests.length;
    expect(await pull(node, alice, "/v2/hub/team/app/manifests/latest")).toBe(200);
    expect(upstream.requests.slice(checked), "checked just now").toEqual([]);
  });

  it("is refused to a member who left the organization, on this node at once and on another once notified", async () => {
    expect(await pull(env.app, bob, "/v2/hub/team/app/manifests/latest")).toBe(200);
    expect(await pull(node, bob, "/v2/hub/team/app/manifests/latest")).toBe(200);
    await removeTeamMember(env.deps, { principal: toPrincipal(alice) }, org, readers, bob as Account);
    expect(await pull(env.app, bob, "/v2/hub/team/app/manifests/latest")).toBe(403);
    await expect.poll(() => pull(node, bob, "/v2/hub/team/app/manifests/latest")).toBe(403);
    await addTeamMember(env.deps, { principal: toPrincipal(alice) }, org, readers, bob as Account);
    expect(await pull(env.app, bob, "/v2/hub/team/app/manifests/latest")).toBe(200);
    await expect.poll(() => pull(node, bob, "/v2/hub/team/app/manifests/latest")).toBe(200);
  });

  it("is a pull of a normal repository once the proxy configuration is removed", async () => {
    expect(await pull(env.app, bob, "/v2/hub/team/app/manifests/latest")).toBe(200);
    await deleteProxyCacheConfig(env.deps.db, { principal: toPrincipal(alice) }, org.namespaceId);
    // A member without a grant on the repository pulls it only while it is a proxy's.
    expect(await pull(env.app, bob, "/v2/hub/team/app/manifests/latest")).toBe(403);
    expect(await pull(env.app, alice, "/v2/hub/team/app/manifests/latest")).toBe(200);
  });
});

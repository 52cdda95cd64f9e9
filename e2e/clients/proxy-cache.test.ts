// Proxy cache organizations with real podman against CNCF distribution upstreams (htpasswd basic
// auth) on loopback: the first pull goes through and is cached, the second needs no upstream,
// a retag upstream is seen once the staleness window has passed (injected clock), a rate-limited
// or vanished upstream is not needed for cached tags, pushes are refused; and the prefix-less
// mirror mode with two upstreams listed in registries.conf.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../server/free-port.ts";
import { createOrganization } from "../../server/domain/accounts/organizations.ts";
import { toPrincipal, type User } from "../../server/domain/accounts/users.ts";
import { createUser } from "../../server/domain/accounts/users.ts";
import { createProxyCacheConfig } from "../../server/domain/mirroring/proxy-cache-configs.ts";
import { findRepository } from "../../server/domain/repositories/repositories.ts";
import { findManifest } from "../../server/domain/content/manifests.ts";
import { type ProxyUpstream, startProxyUpstream } from "../support/proxy-upstream.ts";
import { ManualClock, type TestServer, testServer } from "../support/test-app.ts";
import { ClientSandbox, OciLayout, ok, requireTools } from "./tools.ts";

requireTools("podman", "skopeo", "docker-registry", "htpasswd");

const ALICE = { username: "alice", password: "password-alice" };
const STALENESS_S = 600;

let work: string;
const sandboxes: ClientSandbox[] = [];
const upstreams: ProxyUpstream[] = [];
const servers: TestServer[] = [];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "quayside-proxy-"));
});

afterAll(async () => {
  for (const s of sandboxes) await s.close();
  for (const s of servers) await s.close();
  for (const u of upstreams) await u.close();
  await rm(work, { recursive: true, force: true });
});

async function sandbox(): Promise<ClientSandbox> {
  const s = await ClientSandbox.create();
  sandboxes.push(s);
  return s;
}

async function upstream(name: string): Promise<ProxyUpstream> {
  const u = await startProxyUpstream(join(work, name));
  upstreams.push(u);
  return u;
}

/** Copies a one-layer image whose file says `text` into the upstream (directly) as repo:tag; its digest. */
async function fill(u: ProxyUpstream, repo: string, tag: string, text: string): Promise<string> {
  const dir = await mkdtemp(join(work, "layout-"));
  const layout = await OciLayout.create(dir);
  const image = await layout.image("amd64", text);
  layout.ref(image.descriptor, tag);
  await layout.commit();
  const s = await sandbox();
  ok(
    await s.skopeo(
      ["copy", "--insecure-policy", "--dest-tls-verify=false", "--dest-creds", `${u.username}:${u.password}`, `oci:${dir}:${tag}`, `docker://${u.directHost}/${repo}:${tag}`],
      { timeout: 60_000 },
    ),
    `skopeo copy to upstream ${repo}:${tag}`,
  );
  return image.descriptor.digest;
}

async function proxyOrganization(server: TestServer, alice: User, name: string, u: ProxyUpstream): Promise<void> {
  const actor = { principal: toPrincipal(alice) };
  const org = await createOrganization(server.deps.db, { name }, actor);
  await createProxyCacheConfig(
    server.deps.db,
    actor,
    org.namespaceId,
    { upstreamRegistry: u.host, username: u.username, password: u.password, insecure: true, expirationS: 86_400 },
    server.deps.config.ssrfAllowedHosts,
  );
}

async function login(s: ClientSandbox, host: string) {
  ok(
    await s.podman(["login", "--tls-verify=false", "--authfile", s.authFile, "-u", ALICE.username, "--password-stdin", host], {
      input: `${ALICE.password}\n`,
      timeout: 30_000,
    }),
    `podman login ${host}`,
  );
}

/** `podman pull` into a fresh sandbox (no layers held locally); the pulled image's digest. */
async function pull(reference: string, host: string, registriesConf?: string): Promise<string> {
  const s = await sandbox();
  if (registriesConf) await writeFile(s.env.CONTAINERS_REGISTRIES_CONF!, registriesConf);
  await login(s, host);
  ok(await s.podman(["pull", "--tls-verify=false", reference], { timeout: 120_000 }), `podman pull ${reference}`);
  const inspect = ok(await s.podman(["image", "inspect", "--format", "{{.Digest}}", reference]), "podman image inspect");
  return inspect.stdout.trim();
}

/** Waits until the proxy has stored the manifest `digest` in `org/repo` (the rest of it is fetched after the pull). */
async function cached(server: TestServer, org: string, repo: string, digest: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const found = await findRepository(server.deps.db, { namespace: org, name: repo });
    if (found && (await findManifest(server.deps.db, found.id, { digest }, server.deps.clock.now()))) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${org}/${repo}@${digest} was never stored`);
}

/** A server with the injected clock and organization `hub` proxying `u`. */
async function proxyServer(clock: ManualClock, u: ProxyUpstream): Promise<TestServer> {
  const server = await testServer({ QUAYSIDE_SSRF_ALLOWED_HOSTS: "127.0.0.1", QUAYSIDE_PROXY_CACHE_STALENESS: String(STALENESS_S) }, { clock });
  servers.push(server);
  const alice = await createUser(server.deps.db, { username: "alice", password: ALICE.password }, { principal: { kind: "anonymous" } });
  await proxyOrganization(server, alice, "hub", u);
  return server;
}

describe("a proxy cache organization", () => {
  const clock = new ManualClock();
  let server: TestServer;
  let u: ProxyUpstream;

  beforeAll(async () => {
    u = await upstream("prefixed");
    server = await proxyServer(clock, u);
  }, 120_000);

  it("pulls through on the first pull and caches it; the second pull needs no upstream", async () => {
    const digest = await fill(u, "team/app", "1.0", "first build");
    expect(await pull(`${server.host}/hub/team/app:1.0`, server.host)).toBe(digest);
    await cached(server, "hub", "team/app", digest);

    await u.stopRegistry();
    const before = u.requests.length;
    expect(await pull(`${server.host}/hub/team/app:1.0`, server.host)).toBe(digest);
    expect(u.requests.slice(before), "a fresh cached tag asks nothing upstream").toEqual([]);
  }, 240_000);

  it("serves the cached copy when the upstream rate-limits or is down once the tag is stale", async () => {
    clock.advance((STALENESS_S + 1) * 1000);
    u.mode = "rate-limited";
    const before = u.requests.length;
    const digest = await pull(`${server.host}/hub/team/app:1.0`, server.host);
    expect(u.requests.length, "a stale tag is asked about").toBeGreaterThan(before);
    u.mode = "down";
    expect(await pull(`${server.host}/hub/team/app:1.0`, server.host)).toBe(digest);
    u.mode = "pass";
  }, 240_000);
});

describe("a retag upstream", () => {
  const clock = new ManualClock();
  let server: TestServer;
  let u: ProxyUpstream;

  beforeAll(async () => {
    u = await upstream("retag");
    server = await proxyServer(clock, u);
  }, 120_000);

  it("is seen after the staleness window, not before", async () => {
    const first = await fill(u, "app", "stable", "version one");
    expect(await pull(`${server.host}/hub/app:stable`, server.host)).toBe(first);
    await cached(server, "hub", "app", first);
    const second = await fill(u, "app", "stable", "version two");

    expect(await pull(`${server.host}/hub/app:stable`, server.host), "within the window: the cached tag").toBe(first);
    clock.advance((STALENESS_S + 1) * 1000);
    expect(await pull(`${server.host}/hub/app:stable`, server.host), "past the window: the upstream's").toBe(second);
  }, 240_000);

  it("refuses pushes into the proxy organization", async () => {
    const s = await sandbox();
    await login(s, server.host);
    const dir = await mkdtemp(join(work, "push-"));
    const layout = await OciLayout.create(dir);
    const image = await layout.image("amd64", "local push");
    layout.ref(image.descriptor, "mine");
    await layout.commit();
    const pushed = await s.skopeo(
      ["copy", "--insecure-policy", "--dest-tls-verify=false", "--dest-creds", `${ALICE.username}:${ALICE.password}`, `oci:${dir}:mine`, `docker://${server.host}/hub/team/app:mine`],
      { timeout: 60_000 },
    );
    expect(pushed.code).not.toBe(0);
    expect(pushed.stderr).toMatch(/denied|unauthorized/i);
  }, 120_000);
});

describe("the prefix-less mirror mode", () => {
  let server: TestServer;

  it("lets podman pull from two upstreams listed with Quayside as their mirror", async () => {
    const [a, b] = [await upstream("mirror-a"), await upstream("mirror-b")];
    const port = await freePort();
    server = await testServer({
      PORT: String(port),
      QUAYSIDE_SSRF_ALLOWED_HOSTS: "127.0.0.1",
      QUAYSIDE_PROXY_MIRROR_HOSTS: `localhost:${port}=mirror-a,127.0.0.1:${port}=mirror-b`,
    });
    servers.push(server);
    const alice = await createUser(server.deps.db, { username: "alice", password: ALICE.password }, { principal: { kind: "anonymous" } });
    await proxyOrganization(server, alice, "mirror-a", a);
    await proxyOrganization(server, alice, "mirror-b", b);
    const fromA = await fill(a, "library/tool", "1", "tool from a");
    const fromB = await fill(b, "team/service", "2", "service from b");

    // The upstreams' own names, with Quayside (one name per upstream) as their mirror.
    const registriesConf = [
      `[[registry]]`,
      `prefix = "${a.host}"`,
      `location = "${a.host}"`,
      `[[registry.mirror]]`,
      `location = "localhost:${port}"`,
      `insecure = true`,
      `[[registry]]`,
      `prefix = "${b.host}"`,
      `location = "${b.host}"`,
      `[[registry.mirror]]`,
      `location = "127.0.0.1:${port}"`,
      `insecure = true`,
      "",
    ].join("\n");
    // The client holds no upstream credentials: the images can only come through the mirror.
    const s = await sandbox();
    await writeFile(s.env.CONTAINERS_REGISTRIES_CONF!, registriesConf);
    await login(s, `localhost:${port}`);
    await login(s, `127.0.0.1:${port}`);
    ok(await s.podman(["pull", "--tls-verify=false", `${a.host}/library/tool:1`], { timeout: 120_000 }), "pull from upstream a");
    ok(await s.podman(["pull", "--tls-verify=false", `${b.host}/team/service:2`], { timeout: 120_000 }), "pull from upstream b");
    const digests = ok(await s.podman(["images", "--format", "{{.Digest}}"]), "podman images").stdout;
    expect(digests).toContain(fromA);
    expect(digests).toContain(fromB);
    await cached(server, "mirror-a", "library/tool", fromA);
    await cached(server, "mirror-b", "team/service", fromB);
  }, 300_000);
});

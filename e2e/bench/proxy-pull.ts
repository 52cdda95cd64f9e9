// A pull through a proxy cache organization of an image already cached, its tag fresh (inside the
// staleness window), next to a local pull of the same manifest from a normal repository of the
// same server: manifest GET by tag, 32 connections, wrk, as the other manifest GET rows. The
// upstream is distribution with htpasswd behind the counting front door of the proxy tests
// (e2e/support/proxy-upstream.ts); the proxy organization is configured through its settings
// page. The upstream must see no request from the warm-up to the end of the measured runs.
import { join } from "node:path";
import postgres from "postgres";
import { type ProxyUpstream, startProxyUpstream } from "../support/proxy-upstream.ts";
import { onCleanup } from "./cleanup.ts";
import { httpRequest, OCI_MANIFEST, pushMonolithic, putManifest, type Target } from "./client.ts";
import { alternate, type Row } from "./measure.ts";
import { type Bench, withRss, wrkSample } from "./operations.ts";
import { quaysideDatabaseUrl } from "./quayside-db.ts";
import type { BenchServer } from "./server-process.ts";
import { signIn } from "./tags-tab.ts";

const ORG = "proxied";
const UPSTREAM_REPO = "library/app";
const LOCAL_REPO = "bench/local-app";
const LOCAL_LABEL = "local pull of the same manifest (normal repository, same server)";

const ms = (v: number | undefined) => (v === undefined ? "–" : v.toFixed(v < 10 ? 2 : 1));

/** Staleness the server must be started with, so no cached tag is checked upstream during the row. */
export const PROXY_BENCH_STALENESS = "1h";

/** Pushes the bench's 10-layer manifest to `repo` of `target` as `latest`. */
async function pushManifest(b: Bench, target: Target, repo: string): Promise<void> {
  const m = b.fixtures.manifest;
  for (const blob of [m.config, ...m.layers]) await pushMonolithic(target, repo, blob);
  await putManifest(target, repo, "latest", m.body);
}

/** Configures organization ORG as a proxy of `upstream` through the UI's forms, as its admin. */
async function configureProxyOrganization(b: Bench, upstream: ProxyUpstream): Promise<void> {
  const cookie = await signIn(b);
  const post = async (path: string, fields: Record<string, string>) => {
    const form = await httpRequest(`${b.quayside.url}${path}`, "GET", { cookie });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.body.toString())?.[1] ?? "";
    const body = Buffer.from(new URLSearchParams({ _csrf: csrf, ...fields }).toString());
    const res = await httpRequest(`${b.quayside.url}${path}`, "POST", { cookie, "content-type": "application/x-www-form-urlencoded" }, body);
    if (res.status !== 303) throw new Error(`POST ${path}: ${res.status} ${res.body.toString().slice(0, 300)}`);
  };
  await post("/organizations/new", { name: ORG, email: "" });
  await post(`/organization/${ORG}/proxy-cache`, {
    upstream_registry: upstream.host,
    upstream_registry_username: upstream.username,
    upstream_registry_password: upstream.password,
    expiration_s: "86400",
    insecure: "1",
  });
}

/** Waits until the first proxied pull has stored the manifest and pointed the tag (done in the background). */
async function waitForCachedTag(server: BenchServer, repo: string): Promise<void> {
  const sql = postgres(quaysideDatabaseUrl(server), { max: 1, onnotice: () => {} });
  try {
    for (let tries = 0; tries < 120; tries++) {
      const rows = await sql`
        select 1 from tags t join repositories r on r.id = t.repository_id join namespaces n on n.id = r.namespace_id
        where n.name = ${ORG} and r.name = ${repo} and t.name = 'latest' and t.lifetime_end is null`;
      if (rows.length > 0) return;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`proxy pull: ${ORG}/${repo}:latest was not cached within 30 s`);
  } finally {
    await sql.end();
  }
}

/** `b.quayside` is `server`, started with QUAYSIDE_SSRF_ALLOWED_HOSTS=127.0.0.1 and PROXY_BENCH_STALENESS. */
export async function proxyPullRow(b: Bench, server: BenchServer): Promise<Row> {
  const upstream = await startProxyUpstream(join(b.workDir, "proxy-upstream"));
  const closeUpstream = onCleanup("proxy upstream (distribution)", () => upstream.close());
  try {
    const basic = { authorization: `Basic ${Buffer.from(`${upstream.username}:${upstream.password}`).toString("base64")}` };
    const direct: Target = { label: "upstream", url: `http://${upstream.directHost}`, host: upstream.directHost, auth: async () => basic, catalogAuth: async () => basic };
    await pushManifest(b, direct, UPSTREAM_REPO);
    await pushManifest(b, b.quayside, LOCAL_REPO);
    await configureProxyOrganization(b, upstream);

    const m = b.fixtures.manifest;
    const proxiedRepo = `${ORG}/${UPSTREAM_REPO}`;
    const urls = {
      proxied: `${b.quayside.url}/v2/${proxiedRepo}/manifests/latest`,
      local: `${b.quayside.url}/v2/${LOCAL_REPO}/manifests/latest`,
    };
    const headers = {
      proxied: { ...(await b.quayside.auth(proxiedRepo)), accept: OCI_MANIFEST },
      local: { ...(await b.quayside.auth(LOCAL_REPO)), accept: OCI_MANIFEST },
    };
    // The first pull goes upstream; the row measures the pulls after it, from the cache.
    for (const side of ["proxied", "local"] as const) {
      const res = await httpRequest(urls[side], "GET", headers[side]);
      if (res.status !== 200 || !res.body.equals(m.body)) throw new Error(`GET ${urls[side]}: ${res.status} ${res.body.toString("utf8", 0, 300)}`);
    }
    await waitForCachedTag(server, UPSTREAM_REPO);
    const fetchedBefore = upstream.requests.length;

    return await withRss(b, async () => {
      const load = (side: "proxied" | "local", seconds: number) => wrkSample(urls[side], { connections: 32, seconds, headers: headers[side] }, b.workDir);
      await load("proxied", 1)(); // warm-up: JIT, caches
      await load("local", 1)();
      const r = await alternate(b.reps, () => undefined, { proxied: load("proxied", b.loadSeconds), local: load("local", b.loadSeconds) });
      const upstreamRequests = upstream.requests.length - fetchedBefore;
      console.log(`bench proxy pull: upstream requests during the measured pulls: ${upstreamRequests} (${fetchedBefore} before, for the first pull)`);
      if (upstreamRequests > 0) throw new Error(`proxy pull: a fresh cached tag reached the upstream ${upstreamRequests} times: ${upstream.requests.slice(fetchedBefore, fetchedBefore + 5).join(", ")}`);
      return {
        section: "Operations",
        name: `Manifest GET by tag through a proxy cache organization, tag cached and fresh (32 connections, wrk) — upstream requests while measured: ${upstreamRequests}`,
        unit: "req/s",
        higherIsBetter: true,
        quayside: r.proxied,
        limits: [{ label: LOCAL_LABEL, result: r.local! }],
        target: { kind: "none", text: "report next to a local pull" },
        // The limit column shows medians only; the local side's latencies belong next to the proxied ones.
        note: `local pull p50 / p99: ${ms(r.local!.p50Ms)} / ${ms(r.local!.p99Ms)} ms`,
      };
    });
  } finally {
    await closeUpstream();
  }
}

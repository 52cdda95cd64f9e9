import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { connect as netConnect, type AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { nextLink, parseChallenge, splitReference, UpstreamClient, UpstreamError } from "./upstream-client.ts";

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => void;

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => (s.close(r), s.closeAllConnections()))));
});

async function serve(handler: Handler): Promise<{ host: string; seen: string[] }> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url!, "http://x");
    seen.push(`${req.method} ${url.pathname}${url.search} ${req.headers.authorization ?? "-"}`);
    handler(req, res, url);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { host: `127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const sha = (bytes: string | Buffer) => `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
const manifest = JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", config: {}, layers: [] });

/** A registry behind a token server: tokens for user "u" / "p" only, 60 s long. */
async function tokenRegistry() {
  let issued = 0;
  const server = await serve((req, res, url) => {
    if (url.pathname === "/token") {
      if (req.headers.authorization !== `Basic ${Buffer.from("u:p").toString("base64")}`) {
        res.writeHead(401).end();
        return;
      }
      issued++;
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ token: `t-${url.searchParams.get("scope")}`, expires_in: 60 }));
      return;
    }
    const scope = url.pathname.startsWith("/v2/ns/repo/") ? "repository:ns/repo:pull" : "";
    if (req.headers.authorization !== `Bearer t-${scope || "null"}`) {
      res
        .writeHead(401, {
          "www-authenticate": `Bearer realm="http://${req.headers.host}/token",service="upstream"${scope ? `,scope="${scope}"` : ""}`,
        })
        .end();
      return;
    }
    if (url.pathname === "/v2/") res.writeHead(200).end("{}");
    else if (url.pathname === "/v2/ns/repo/manifests/1.0") {
      res.writeHead(200, { "content-type": "application/vnd.oci.image.manifest.v1+json", "docker-content-digest": sha(manifest) }).end(req.method === "HEAD" ? undefined : manifest);
    } else res.writeHead(404).end();
  });
  return { ...server, issued: () => issued };
}

describe("upstream client", () => {
  it("parses challenges, Link headers and references", () => {
    expect(parseChallenge('Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull"')).toEqual({
      scheme: "bearer",
      params: { realm: "https://auth.example/token", service: "registry.example", scope: "repository:a/b:pull" },
    });
    expect(parseChallenge('Basic realm="Registry Realm"')?.scheme).toBe("basic");
    expect(nextLink('</v2/a/tags/list?last=x&n=2>; rel="next"', "http://h:1/v2/a/tags/list")).toBe("http://h:1/v2/a/tags/list?last=x&n=2");
    expect(nextLink(null, "http://h")).toBeNull();
    expect(splitReference("registry.example.com:5000/ns/sub/repo")).toEqual({ registry: "registry.example.com:5000", repository: "ns/sub/repo" });
    expect(splitReference("registry.example.com")).toBeNull();
    expect(splitReference("host/UPPER")).toBeNull();
  });

  it("gets a Bearer token with the credentials, per scope, and reuses it until it expires", async () => {
    const up = await tokenRegistry();
    let now = Date.parse("2025-01-01T00:00:00Z");
    const client = new UpstreamClient({ registry: `http://${up.host}`, username: "u", password: "p", clock: { now: () => new Date(now) } });
    await client.ping();
    const m = await client.getManifest("ns/repo", "1.0");
    expect(m).toMatchObject({ digest: sha(manifest), mediaType: "application/vnd.oci.image.manifest.v1+json" });
    expect(new TextDecoder().decode(m.bytes)).toBe(manifest);
    expect((await client.headManifest("ns/repo", "1.0"))?.digest).toBe(sha(manifest));
    expect(await client.headManifest("ns/repo", "2.0")).toBeNull();
    expect(up.issued()).toBe(2); // one for the ping (no scope), one for the repository
    now += 120_000;
    await client.getManifest("ns/repo", "1.0");
    expect(up.issued()).toBe(3);
    // The manifest GET asked for every manifest type.
    expect(up.seen.filter((s) => s.startsWith("GET /v2/ns/repo/manifests/1.0 Bearer")).length).toBe(2);
  });

  it("refuses wrong or missing credentials as unauthorized", async () => {
    const up = await tokenRegistry();
    await expect(new UpstreamClient({ registry: `http://${up.host}`, username: "u", password: "wrong" }).ping()).rejects.toMatchObject({ kind: "unauthorized" });
    await expect(new UpstreamClient({ registry: `http://${up.host}` }).getManifest("ns/repo", "1.0")).rejects.toMatchObject({ kind: "unauthorized" });
  });

  it("answers Basic challenges with the credentials and pages tags by Link", async () => {
    const auth = `Basic ${Buffer.from("u:p").toString("base64")}`;
    const up = await serve((req, res, url) => {
      if (req.headers.authorization !== auth) return void res.writeHead(401, { "www-authenticate": 'Basic realm="r"' }).end();
      const last = url.searchParams.get("last");
      const page = last === null ? ["a", "b"] : last === "b" ? ["c"] : [];
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (last === null) headers.link = `</v2/ns/repo/tags/list?last=b&n=2>; rel="next"`;
      res.writeHead(200, headers).end(JSON.stringify({ name: "ns/repo", tags: page }));
    });
    const client = new UpstreamClient({ registry: up.host, username: "u", password: "p", verifyTls: false });
    expect(await client.listTags("ns/repo")).toEqual(["a", "b", "c"]);
    // Loopback without TLS is reached over http; after the first challenge Basic is sent at once.
    expect(up.seen.filter((s) => s.includes("Basic")).length).toBe(2);
  });

  it("types 429 (with Retry-After), 5xx, a refused connection and a wrong digest", async () => {
    const up = await serve((_req, res, url) => {
      if (url.pathname.includes("/limited/")) res.writeHead(429, { "retry-after": "17" }).end();
      else if (url.pathname.includes("/broken/")) res.writeHead(503).end();
      else res.writeHead(200, { "content-type": "application/vnd.oci.image.manifest.v1+json" }).end(manifest);
    });
    const client = new UpstreamClient({ registry: `http://${up.host}` });
    await expect(client.listTags("limited/x")).rejects.toMatchObject({ kind: "rate_limited", status: 429, retryAfterS: 17 });
    await expect(client.listTags("broken/x")).rejects.toMatchObject({ kind: "server", status: 503 });
    await expect(client.getManifest("ok/x", sha("something else"))).rejects.toMatchObject({ kind: "invalid" });
    expect((await client.getManifest("ok/x", sha(manifest))).digest).toBe(sha(manifest));
    const closed = await serve(() => {});
    await new Promise((r) => servers.pop()!.close(r));
    await expect(new UpstreamClient({ registry: `http://${closed.host}` }).ping()).rejects.toMatchObject({ kind: "network" });
  });

  it("times out a registry that does not answer, and a body that stalls", async () => {
    const up = await serve((_req, res, url) => {
      if (url.pathname === "/v2/") return; // never answers
      res.writeHead(200, { "content-length": "10" });
      res.write("12345"); // then stalls
    });
    const client = new UpstreamClient({ registry: `http://${up.host}`, timeoutMs: 200 });
    await expect(client.ping()).rejects.toMatchObject({ kind: "timeout" });
    const blob = await client.getBlob("ns/repo", sha("x"));
    await expect(new Response(blob.stream).arrayBuffer()).rejects.toBeInstanceOf(UpstreamError);
  });

  it("streams blobs", async () => {
    const big = Buffer.alloc(3 * 1024 * 1024, 7);
    const up = await serve((_req, res) => res.writeHead(200, { "content-length": String(big.length) }).end(big));
    const blob = await new UpstreamClient({ registry: `http://${up.host}` }).getBlob("ns/repo", sha(big));
    expect(blob.size).toBe(big.length);
    let received = 0;
    for await (const chunk of blob.stream as unknown as AsyncIterable<Uint8Array>) received += chunk.byteLength;
    expect(received).toBe(big.length);
  });

  it("goes through the mirror's HTTP proxy unless no_proxy names the host", async () => {
    const up = await serve((_req, res) => res.writeHead(200).end("{}"));
    const tunnels: string[] = [];
    const proxy = createServer();
    proxy.on("connect", (req: IncomingMessage, socket, head) => {
      tunnels.push(req.url!);
      const [host, port] = req.url!.split(":");
      const target = netConnect(Number(port), host, () => {
        socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
        target.write(head);
        target.pipe(socket).pipe(target);
      });
      target.on("error", () => socket.destroy());
    });
    servers.push(proxy);
    await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    await new UpstreamClient({ registry: `http://${up.host}`, proxy: { httpProxy: proxyUrl } }).ping();
    expect(tunnels).toEqual([up.host]);
    await new UpstreamClient({ registry: `http://${up.host}`, proxy: { httpProxy: proxyUrl, noProxy: "127.0.0.1" } }).ping();
    expect(tunnels).toEqual([up.host]);
    expect(up.seen.length).toBe(2);
  });
});

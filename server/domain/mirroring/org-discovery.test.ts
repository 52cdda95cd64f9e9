// Discovery of an upstream namespace's repositories: the catalog (paged) filtered to the
// namespace, and Harbor's or Quay's own API where the catalog is refused. (The catalog against
// real distribution is covered by api/org-mirror.test.ts and the e2e.)
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { discoverRepositories, matchingRepositories } from "./org-discovery.ts";
import { UpstreamClient } from "./upstream-client.ts";

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => (s.close(r), s.closeAllConnections()))));
});

async function registry(handle: (url: URL, auth: string | undefined, res: ServerResponse) => void): Promise<{ client: UpstreamClient; seen: string[] }> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url!, "http://x");
    seen.push(`${url.pathname}${url.search}`);
    handle(url, req.headers.authorization, res);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { client: new UpstreamClient({ registry: `http://${host}`, username: "u", password: "p" }), seen };
}

const json = (res: ServerResponse, body: unknown, headers: Record<string, string> = {}) =>
  res.writeHead(200, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
const basic = `Basic ${Buffer.from("u:p").toString("base64")}`;

describe("discoverRepositories", () => {
  it("reads every page of the catalog and keeps the namespace's repositories, relative to it", async () => {
    const { client } = await registry((url, _auth, res) => {
      if (url.searchParams.get("last") === null) json(res, { repositories: ["team/a", "teammate/x"] }, { link: '</v2/_catalog?n=1000&last=teammate%2Fx>; rel="next"' });
      else json(res, { repositories: ["team/b/c", "zed/team"] });
    });
    expect(await discoverRepositories(client, "quay", "team")).toEqual(["a", "b/c"]);
  });

  it("asks Harbor's project API, page by page, when the catalog is refused", async () => {
    const { client, seen } = await registry((url, auth, res) => {
      if (url.pathname === "/v2/_catalog") return void res.writeHead(403).end();
      expect(auth).toBe(basic);
      const page = Number(url.searchParams.get("page"));
      json(res, page === 1 ? Array.from({ length: 100 }, (_, i) => ({ name: `proj/r${String(i).padStart(3, "0")}` })) : [{ name: "proj/last" }]);
    });
    const names = await discoverRepositories(client, "harbor", "proj");
    expect(names).toHaveLength(101);
    expect(names.at(-1)).toBe("r099");
    expect(seen.filter((s) => s.startsWith("/api/v2.0/projects/proj/repositories"))).toHaveLength(2);
  });

  it("asks Quay's repository API, following next_page, when there is no catalog", async () => {
    const { client } = await registry((url, _auth, res) => {
      if (url.pathname === "/v2/_catalog") return void res.writeHead(404).end();
      expect(url.searchParams.get("namespace")).toBe("org");
      if (url.searchParams.get("next_page") === null) json(res, { repositories: [{ namespace: "org", name: "one" }], next_page: "abc" });
      else json(res, { repositories: [{ namespace: "org", name: "two" }] });
    });
    expect(await discoverRepositories(client, "quay", "org")).toEqual(["one", "two"]);
  });

  it("gives up on other failures (a 500 from the catalog is no reason to try the API)", async () => {
    const { client, seen } = await registry((_url, _auth, res) => void res.writeHead(500).end());
    await expect(discoverRepositories(client, "harbor", "proj")).rejects.toMatchObject({ kind: "server" });
    expect(seen.every((s) => s.startsWith("/v2/"))).toBe(true);
  });
});

describe("matchingRepositories", () => {
  it("matches whole names with fnmatch globs; no filters match all", () => {
    expect(matchingRepositories(["app", "app2", "tools", "my-app"], ["app*"])).toEqual(["app", "app2"]);
    expect(matchingRepositories(["app", "tools"], [])).toEqual(["app", "tools"]);
    expect(matchingRepositories(["a/b", "a/c"], ["a/[!c]"])).toEqual(["a/b"]);
  });
});

// Quay's search endpoints: GET /api/v1/find/repositories and /api/v1/find/all, their shapes,
// paging and who finds what (anonymous callers public repositories only).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiClient, ApiClient as Client, problem, sessionClient, tokenClient } from "../../e2e/support/api-client.ts";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";
import { createOrganization } from "../domain/accounts/organizations.ts";
import { createRobot } from "../domain/accounts/robots.ts";
import { saveTeam } from "../domain/accounts/teams.ts";
import { toPrincipal, type User } from "../domain/accounts/users.ts";
import { createRepository } from "../domain/repositories/repositories.ts";
import { starRepository } from "../domain/repositories/stars.ts";
import { avatar } from "./avatar.ts";

interface Result {
  kind: string;
  title: string;
  name: string;
  score: number;
  href: string;
  namespace?: { kind: string; name: string; title: string; href: string };
  is_public?: boolean;
  description?: string;
  last_modified?: number;
  stars?: number;
  popularity?: number;
  short_name?: string;
  organization?: { name: string };
}
interface RepoPage {
  results: Result[];
  has_additional: boolean;
  page: number;
  page_size: number;
  start_index: number;
}

let env: TestEnv;
let alice: User;
let bob: User;
let aliceApi: ApiClient;
let bobApi: ApiClient;
const anon = () => new Client(env);
const fullNames = (body: { results: Result[] }) =>
  body.results.filter((r) => r.kind === "repository").map((r) => `${r.namespace!.name}/${r.name}`);

beforeAll(async () => {
  env = await testEnv();
  alice = await env.user("alice");
  bob = await env.user("bob");
  const asAlice = { principal: toPrincipal(alice) };
  const asBob = { principal: toPrincipal(bob) };
  const org = await createOrganization(env.deps.db, { name: "httpd-org", email: "web@example.com" }, asAlice);
  await saveTeam(env.deps, asAlice, org, "httpdadmins", { role: "member" });
  await createRobot(env.deps.db, { id: alice.namespaceId, name: "alice" }, "httpdbot", {}, asAlice);
  for (const [actor, namespace, name, visibility, description] of [
    [asAlice, "alice", "httpd", "public", "The Apache web server"],
    [asAlice, "alice", "httpd-secret", "private", ""],
    [asBob, "bob", "my-httpd", "public", ""],
    [asBob, "bob", "webserver", "public", "an HTTPD build"],
    [asAlice, "httpd-org", "proxy", "public", ""],
  ] as const) {
    await createRepository(env.deps.db, actor, { namespace, name, visibility, description });
  }
  // Enough public repositories for three pages.
  for (let i = 1; i <= 25; i++) {
    await createRepository(env.deps.db, asBob, { namespace: "bob", name: `pageme-${String(i).padStart(2, "0")}`, visibility: "public" });
  }
  await starRepository(env.deps.db, toPrincipal(bob), { namespace: "alice", name: "httpd" });
  aliceApi = await sessionClient(env, alice);
  bobApi = await tokenClient(env, bob, ["repo:read"]);
});
afterAll(() => env.close());

describe("GET /api/v1/find/repositories", () => {
  it("finds repositories of every namespace by name or description, names first, in Quay's shape", async () => {
    const res = await anon().get<RepoPage>("/find/repositories?query=httpd");
    expect(res.status).toBe(200);
    expect(fullNames(res.body)).toEqual(["alice/httpd", "bob/my-httpd", "bob/webserver"]);
    expect(res.body).toMatchObject({ has_additional: false, page: 1, page_size: 10, start_index: 0 });
    expect(res.body.results[0]).toEqual({
      kind: "repository",
      title: "repo",
      namespace: {
        title: "user",
        kind: "user",
        avatar: avatar("alice", alice.email, "user"),
        name: "alice",
        score: 1,
        href: "/user/alice",
      },
      name: "httpd",
      description: "The Apache web server",
      is_public: true,
      score: 4,
      href: "/repository/alice/httpd",
      stars: 1,
      popularity: 1,
    });
  });

  it("shows a signed-in caller the private repositories they may read, and nobody else", async () => {
    expect(fullNames((await aliceApi.get<RepoPage>("/find/repositories?query=httpd")).body)).toEqual([
      "alice/httpd",
      "alice/httpd-secret",
      "bob/my-httpd",
      "bob/webserver",
    ]);
    expect(fullNames((await bobApi.get<RepoPage>("/find/repositories?query=secret")).body)).toEqual([]);
  });

  it("names an organization's repositories with the organization as namespace", async () => {
    const res = await anon().get<RepoPage>("/find/repositories?query=proxy");
    expect(res.body.results[0]!.namespace).toMatchObject({ kind: "organization", title: "org", href: "/organization/httpd-org" });
  });

  it("pages by 10 with has_additional, and clamps the page to 1..10", async () => {
    const page = (n: string) => anon().get<RepoPage>(`/find/repositories?query=pageme&page=${n}`);
    const first = await page("1");
    expect(first.body.results.map((r) => r.name)).toEqual(Array.from({ length: 10 }, (_, i) => `pageme-${String(i + 1).padStart(2, "0")}`));
    expect(first.body.has_additional).toBe(true);
    const third = await page("3");
    expect(third.body).toMatchObject({ has_additional: false, page: 3, start_index: 20 });
    expect(third.body.results).toHaveLength(5);
    expect((await page("0")).body).toMatchObject({ page: 1, start_index: 0 });
    expect((await page("99")).body).toEqual({ results: [], has_additional: false, page: 10, page_size: 10, start_index: 90 });
  });

  it("answers 200 and an empty list when nothing matches, and treats wildcards literally", async () => {
    for (const query of ["nothing-like-this", "%", "_"]) {
      const res = await anon().get<RepoPage>(`/find/repositories?query=${encodeURIComponent(query)}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ results: [], has_additional: false, page: 1, page_size: 10, start_index: 0 });
    }
  });

  it("lists everything visible without a query, and refuses a page that is not a number as flask-restful does", async () => {
    const all = await anon().get<RepoPage>("/find/repositories");
    expect(all.body.has_additional).toBe(true);
    const bad = await anon().get("/find/repositories?page=two");
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ message: { page: "The page." } });
  });

  it("gives a token without a repo scope only public repositories", async () => {
    const noRepo = await tokenClient(env, alice, ["user:read"]);
    expect(fullNames((await noRepo.get<RepoPage>("/find/repositories?query=httpd")).body)).not.toContain("alice/httpd-secret");
  });
});

describe("GET /api/v1/find/all", () => {
  it("finds repositories and namespaces for anonymous callers, best score first", async () => {
    const res = await anon().get<{ results: Result[] }>("/find/all?query=httpd");
    expect(res.status).toBe(200);
    const kinds = res.body.results.map((r) => `${r.kind}:${r.name}`);
    expect(kinds).toEqual(["repository:httpd", "repository:my-httpd", "repository:webserver", "organization:httpd-org"]);
    expect(res.body.results[0]!.score).toBe(4);
    expect(res.body.results.find((r) => r.kind === "organization")).toMatchObject({
      title: "org",
      href: "/organization/httpd-org",
      avatar: avatar("httpd-org", "web@example.com", "org"),
    });
  });

  it("adds the caller's private repositories, robots and teams when signed in", async () => {
    const res = await aliceApi.get<{ results: Result[] }>("/find/all?query=httpd");
    const byKind = (kind: string) => res.body.results.filter((r) => r.kind === kind);
    expect(byKind("repository").map((r) => r.name)).toContain("httpd-secret");
    expect(byKind("robot")).toEqual([
      expect.objectContaining({
        title: "robot",
        name: "alice+httpdbot",
        short_name: "httpdbot",
        avatar: null,
        href: "/user/alice?tab=robots&showRobot=alice+httpdbot",
      }),
    ]);
    expect(byKind("team")).toEqual([
      expect.objectContaining({ name: "httpdadmins", href: "/organization/httpd-org/teams/httpdadmins", organization: expect.objectContaining({ name: "httpd-org" }) }),
    ]);
    const scores = res.body.results.map((r) => r.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  });

  it("finds no robots or teams of others", async () => {
    const res = await bobApi.get<{ results: Result[] }>("/find/all?query=httpd");
    expect(res.body.results.filter((r) => r.kind === "robot" || r.kind === "team")).toEqual([]);
    expect(res.body.results.map((r) => r.name)).not.toContain("httpd-secret");
  });

  it("answers an empty list for an empty query, and 403 to a token without a repo scope", async () => {
    expect((await anon().get("/find/all")).body).toEqual({ results: [] });
    const noRepo = await tokenClient(env, alice, ["user:read"]);
    const res = await noRepo.get("/find/all?query=httpd");
    expect(res.status).toBe(403);
    expect(res.body).toEqual(problem(403, "insufficient_scope", "Unauthorized"));
  });

  it("answers 405 to other methods", async () => {
    expect((await aliceApi.post("/find/all", {})).status).toBe(405);
  });
});

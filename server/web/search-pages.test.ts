// Finding things in the browser door: the signed-out landing page, the masthead's search box and
// its suggestions partial, the results page, Explore and a user's namespace page — each showing
// only what the viewer may read.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PageClient } from "../../e2e/support/page-client.ts";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";
import { createOrganization } from "../domain/accounts/organizations.ts";
import { toPrincipal } from "../domain/accounts/users.ts";
import { createRepository } from "../domain/repositories/repositories.ts";

let env: TestEnv;
let alice: PageClient;
let bob: PageClient;
const anon = () => new PageClient(env.app);

async function signIn(username: string): Promise<PageClient> {
  const browser = new PageClient(env.app);
  const res = await browser.submit("/signin", "/signin", { username, password: `password-${username}` });
  expect(res.status).toBe(303);
  return browser;
}

/** The repository names in a page's repository table, in order. */
const repoNames = (html: string) => [...html.matchAll(/<a href="\/repository\/([^"]+)">/g)].map((m) => m[1]);
/** The links in the suggestions partial, in order. */
const suggestionLinks = (html: string) => [...html.matchAll(/<a class="pf-v6-c-menu__item" href="([^"]+)"/g)].map((m) => m[1]);
const suggest = (browser: PageClient, q: string) =>
  browser.get(`/search?q=${encodeURIComponent(q)}`, { "HX-Request": "true", "HX-Target": "search-suggestions" });

beforeAll(async () => {
  env = await testEnv();
  const aliceUser = await env.user("alice");
  const bobUser = await env.user("bob");
  await env.user("carol");
  const asAlice = { principal: toPrincipal(aliceUser) };
  const asBob = { principal: toPrincipal(bobUser) };
  await createOrganization(env.deps.db, { name: "httpd-org", email: "" }, asAlice);
  for (const [actor, namespace, name, visibility] of [
    [asAlice, "alice", "httpd", "public"],
    [asAlice, "alice", "httpd-secret", "private"],
    [asBob, "bob", "my-httpd", "public"],
    [asAlice, "httpd-org", "proxy", "public"],
  ] as const) {
    await createRepository(env.deps.db, actor, { namespace, name, visibility });
  }
  for (let i = 1; i <= 30; i++) {
    await createRepository(env.deps.db, asBob, { namespace: "bob", name: `many-${String(i).padStart(2, "0")}`, visibility: "public" });
  }
  alice = await signIn("alice");
  bob = await signIn("bob");
});
afterAll(() => env.close());

describe("the landing page", () => {
  it("greets signed-out visitors with a search box and the way to Explore instead of a list", async () => {
    const res = await anon().get("/");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("Quayside container registry");
    expect(html).toMatch(/<form class="qs-landing-search" method="get" action="\/search" role="search">/);
    expect(html).toContain('href="/explore"');
    expect(repoNames(html)).toEqual([]);
  });

  it("keeps the repository list for signed-in users", async () => {
    const html = await (await alice.get("/")).text();
    expect(repoNames(html)).toContain("alice/httpd-secret");
    expect(html).not.toContain("Quayside container registry");
  });

  it("still sends a fresh instance to setup", async () => {
    const fresh = await testEnv();
    try {
      const res = await new PageClient(fresh.app).get("/");
      expect(res.status).toBe(302);
      expect(res.headers.get("location")).toBe("/setup");
    } finally {
      await fresh.close();
    }
  });
});

describe("the masthead search box", () => {
  it("is on every page: a GET form to /search that htmx turns into suggestions", async () => {
    for (const path of ["/", "/explore", "/repositories"]) {
      const html = await (await anon().get(path)).text();
      expect(html).toMatch(/<form class="qs-search" method="get" action="\/search" role="search">/);
      expect(html).toMatch(/hx-get="\/search" hx-trigger="input changed delay:250ms, search" hx-target="#search-suggestions"/);
    }
  });

  it("suggests repositories of every namespace and users and organizations, as far as the viewer may see", async () => {
    const res = await suggest(anon(), "httpd");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).not.toContain("<html");
    expect(suggestionLinks(html)).toEqual([
      "/repository/alice/httpd",
      "/repository/bob/my-httpd",
      "/organization/httpd-org",
      "/search?q=httpd",
    ]);
    expect(suggestionLinks(await (await suggest(alice, "HTTPD")).text())).toContain("/repository/alice/httpd-secret");
    expect(suggestionLinks(await (await suggest(bob, "secret")).text())).toEqual(["/search?q=secret"]);
    expect(suggestionLinks(await (await suggest(anon(), "ali")).text())).toEqual(["/user/alice", "/search?q=ali"]);
  });

  it("says so when nothing matches, and answers nothing for an empty box", async () => {
    expect(await (await suggest(anon(), "zzz")).text()).toContain("No repositories, users or organizations match “zzz”.");
    expect(await (await suggest(anon(), "  ")).text()).toBe("");
  });
});

describe("the search results page", () => {
  it("lists the repositories found and the users and organizations", async () => {
    const html = await (await anon().get("/search?q=httpd")).text();
    expect(html).toContain("Results for “httpd”");
    expect(repoNames(html)).toEqual(["alice/httpd", "bob/my-httpd"]);
    expect(html).toMatch(/data-testid="found-namespaces"[\s\S]*href="\/organization\/httpd-org"/);
    expect(repoNames(await (await alice.get("/search?q=httpd")).text())).toEqual(["alice/httpd", "alice/httpd-secret", "bob/my-httpd"]);
  });

  it("pages the repositories, the pager swapping only the table", async () => {
    const html = await (await anon().get("/search?q=many")).text();
    expect(repoNames(html)).toHaveLength(25);
    expect(html).toMatch(/data-testid="pager-range"><b>1 - 25<\/b> of <b>30<\/b>/);
    const next = await anon().get("/search?q=many&page=2", { "HX-Request": "true", "HX-Target": "repo-table" });
    const part = await next.text();
    expect(part).not.toContain("<html");
    expect(repoNames(part)).toEqual(["bob/many-26", "bob/many-27", "bob/many-28", "bob/many-29", "bob/many-30"]);
    const past = await anon().get("/search?q=many&page=9");
    expect(past.status).toBe(302);
    expect(past.headers.get("location")).toBe("/search?q=many");
  });

  it("has empty states for no query and no match", async () => {
    expect(await (await anon().get("/search")).text()).toContain("Search for repositories");
    const none = await (await anon().get("/search?q=nothing-here")).text();
    expect(none).toContain("No repositories match");
    expect(none).toContain("Nothing you can see has “nothing-here” in its name or description.");
  });
});

describe("Explore", () => {
  it("lists public repositories only, paged, for everyone", async () => {
    for (const viewer of [anon(), alice]) {
      const html = await (await viewer.get("/explore")).text();
      expect(repoNames(html)).toHaveLength(25);
      expect(repoNames(html)).not.toContain("alice/httpd-secret");
      expect(html).toMatch(/of <b>33<\/b>/);
    }
  });

  it("filters, with an empty state of its own", async () => {
    expect(repoNames(await (await alice.get("/explore?filter=httpd")).text())).toEqual(["alice/httpd", "bob/my-httpd", "httpd-org/proxy"]);
    const part = await (await anon().get("/explore?filter=nope", { "HX-Request": "true", "HX-Target": "repo-table" })).text();
    expect(part).toContain("No public repositories match");
    expect(part).toContain('href="/explore"');
  });
});

describe("a user's page", () => {
  it("lists the user's repositories the viewer may read", async () => {
    expect(repoNames(await (await anon().get("/user/alice")).text())).toEqual(["alice/httpd"]);
    expect(repoNames(await (await alice.get("/user/alice")).text())).toEqual(["alice/httpd", "alice/httpd-secret"]);
  });

  it("has empty states for the user and for others", async () => {
    const carol = await signIn("carol");
    expect(await (await carol.get("/user/carol")).text()).toContain("podman push registry.test/carol/&lt;repo&gt;:&lt;tag&gt;");
    expect(await (await anon().get("/user/carol")).text()).toContain("No repositories you can see");
  });

  it("shows the user alone how much storage their repositories take, and an organization's members theirs", async () => {
    expect(await (await alice.get("/user/alice")).text()).toContain('data-testid="namespace-storage"');
    expect(await (await bob.get("/user/alice")).text()).not.toContain('data-testid="namespace-storage"');
    expect(await (await anon().get("/user/alice")).text()).not.toContain('data-testid="namespace-storage"');
    expect(await (await alice.get("/organization/httpd-org")).text()).toContain('data-testid="namespace-storage"');
    expect(await (await bob.get("/organization/httpd-org")).text()).not.toContain('data-testid="namespace-storage"');
  });

  it("is the site's 404 for unknown names and organizations", async () => {
    for (const path of ["/user/nobody", "/user/httpd-org"]) {
      const res = await anon().get(path);
      expect(res.status).toBe(404);
    }
  });
});

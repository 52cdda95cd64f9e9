// The repository list and repository pages: who sees what, the tags table, filtering and paging.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RegistryClient } from "../../e2e/support/registry-client.ts";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";
import { createRepository, findRepository, setVisibility } from "../domain/repositories/repositories.ts";
import { findUserByName, toPrincipal } from "../domain/accounts/users.ts";
import { PageClient } from "../../e2e/support/page-client.ts";

let env: TestEnv;
let alice: PageClient;
let bob: PageClient;
let pushed: { digest: string };

async function signIn(username: string): Promise<PageClient> {
  const browser = new PageClient(env.app);
  const res = await browser.submit("/signin", "/signin", { username, password: `password-${username}` });
  expect(res.status).toBe(303);
  return browser;
}

async function makePublic(namespace: string, name: string) {
  const owner = (await findUserByName(env.deps.db, namespace))!;
  const repo = (await findRepository(env.deps.db, { namespace, name }))!;
  await setVisibility(env.deps, { principal: toPrincipal(owner) }, repo, "public");
}

/** The names in the repository table of a page or partial, in order. */
const repoNames = (html: string) => [...html.matchAll(/<a href="\/repository\/([^"]+)">/g)].map((m) => m[1]);
/** The tag names in the tag table, in order. */
const tagNames = (html: string) => [...html.matchAll(/data-testid="tag-row"><td[^>]*>([^<]+)</g)].map((m) => m[1]);

beforeAll(async () => {
  env = await testEnv();
  await env.user("alice");
  await env.user("bob");
  const registry = new RegistryClient(env, { username: "alice", password: "password-alice" });
  pushed = await registry.pushImage("alice/webapp", "v1", "x".repeat(3000));
  await registry.pushImage("alice/webapp", "latest");
  await registry.pushImage("alice/secret-db", "v1");
  await makePublic("alice", "webapp");
  alice = await signIn("alice");
  bob = await signIn("bob");
});
afterAll(() => env.close());

describe("repository list", () => {
  it("shows the signed-in user their own repositories, private ones included", async () => {
    const res = await alice.get("/");
    expect(res.status).toBe(200);
    expect(repoNames(await res.text())).toEqual(["alice/webapp", "alice/secret-db"]);
  });

  it("shows others only what they may read", async () => {
    const html = await (await bob.get("/repositories")).text();
    expect(repoNames(html)).toEqual(["alice/webapp"]);
  });

  it("shows anonymous visitors public repositories and a sign-in link", async () => {
    // (`/` is the landing page for them: search-pages.test.ts)
    const html = await (await new PageClient(env.app).get("/repositories")).text();
    expect(repoNames(html)).toEqual(["alice/webapp"]);
    expect(html).toContain('href="/signin"');
    expect(html).toContain("Showing public repositories");
  });

  it("filters without JavaScript: a GET form re-renders the whole page", async () => {
    const res = await alice.get("/repositories?filter=SECRET");
    const html = await res.text();
    expect(html).toContain("<!DOCTYPE html>");
    expect(html).toContain('value="SECRET"');
    expect(repoNames(html)).toEqual(["alice/secret-db"]);
  });

  it("answers htmx with only the table partial", async () => {
    const res = await alice.get("/repositories?filter=web", { "HX-Request": "true", "HX-Target": "repo-table" });
    const html = await res.text();
    expect(html.startsWith('<div id="repo-table"')).toBe(true);
    expect(html).not.toContain("<html");
    expect(repoNames(html)).toEqual(["alice/webapp"]);
    expect(res.headers.get("vary")).toContain("HX-Request");
    // A history restore wants the whole page back.
    const restore = await alice.get("/repositories?filter=web", { "HX-Request": "true", "HX-History-Restore-Request": "true", "HX-Target": "repo-table" });
    expect(await restore.text()).toContain("<!DOCTYPE html>");
  });

  it("wires the filter box to htmx", async () => {
    const html = await (await alice.get("/")).text();
    expect(html).toMatch(/<form method="get" action="\/repositories" role="search"/);
    expect(html).toMatch(/name="filter"[^>]*hx-get="\/repositories" hx-trigger="input changed delay:300ms, search" hx-target="#repo-table"/);
  });

  it("says when the filter matches nothing", async () => {
    const html = await (await alice.get("/repositories?filter=zzz")).text();
    expect(html).toContain("No repositories match");
    expect(repoNames(html)).toEqual([]);
  });

  it("tells a user with no repositories how to push one", async () => {
    await env.user("carol");
    const carol = await signIn("carol");
    await setVisibility(env.deps, { principal: { kind: "anonymous" } }, (await findRepository(env.deps.db, { namespace: "alice", name: "webapp" }))!, "private");
    try {
      const html = await (await carol.get("/")).text();
      expect(html).toContain("No repositories yet");
      expect(html).toContain("podman login registry.test");
      expect(html).toContain("podman push registry.test/carol/&lt;repo&gt;:&lt;tag&gt;");
    } finally {
      await makePublic("alice", "webapp");
    }
  });

  it("pages through long lists", async () => {
    await env.user("dave");
    const dave = (await findUserByName(env.deps.db, "dave"))!;
    for (let i = 0; i < 27; i++) {
      await createRepository(env.deps.db, { principal: toPrincipal(dave) }, { namespace: "dave", name: `repo-${i}`, visibility: "private" });
    }
    const browser = await signIn("dave");
    const first = await (await browser.get("/repositories?filter=dave/")).text();
    expect(repoNames(first)).toHaveLength(25);
    expect(first).toContain('href="/repositories?filter=dave%2F&amp;page=2"');
    const second = await (await browser.get("/repositories?filter=dave/&page=2")).text();
    expect(repoNames(second)).toEqual(["dave/repo-25", "dave/repo-26"]);
    expect(second).toContain('href="/repositories?filter=dave%2F"'); // back to page 1
    const beyond = await browser.get("/repositories?filter=dave/&page=9");
    expect(beyond.status).toBe(302);
    expect(beyond.headers.get("location")).toBe("/repositories?filter=dave%2F");
  });

  it("shows the range and the total, and gives the pager links ids htmx keeps focus on", async () => {
    const browser = await signIn("dave");
    const first = await (await browser.get("/repositories?filter=DAVE/")).text();
    expect(first).toMatch(/data-testid="pager-range"><b>1 - 25<\/b> of <b>27<\/b>/);
    expect(first).toContain('id="repo-table-next"');
    // Unavailable, yet focusable: focus stays on it after the swap.
    expect(first).toMatch(/<button id="repo-table-prev" class="[^"]*pf-m-aria-disabled" type="button" aria-disabled="true"/);
    expect(first).not.toMatch(/<button[^>]* disabled[ >]/);
    const second = await (await browser.get("/repositories?filter=dave/&page=2", { "HX-Request": "true", "HX-Target": "repo-table" })).text();
    expect(second).toMatch(/data-testid="pager-range"><b>26 - 27<\/b> of <b>27<\/b>/);
    expect(second).toContain('id="repo-table-prev"');
  });

  it("sends an address with an invalid page number to the clean one, for pages and htmx alike", async () => {
    for (const bad of ["abc", "0", "-2", "1.5", "1e3", "99999999999999999999", ""]) {
      const res = await alice.get(`/repositories?filter=web&page=${bad}`);
      expect(res.status, bad).toBe(302);
      expect(res.headers.get("location")).toBe("/repositories?filter=web");
      const partial = await alice.get(`/repository/alice/webapp?page=${bad}`, { "HX-Request": "true", "HX-Target": "tag-table" });
      expect(partial.status, bad).toBe(302);
      expect(partial.headers.get("location")).toBe("/repository/alice/webapp");
    }
  });

  it("marks tables up as plain tables, not interactive grids", async () => {
    const html = await (await alice.get("/repositories")).text();
    expect(html).toContain('<table class="pf-v6-c-table pf-m-grid-md" aria-label="Repositories">');
    expect(html).not.toMatch(/role="(grid|row|rowgroup|cell|columnheader)"/);
  });
});

describe("repository page", () => {
  it("shows name, description, visibility, pull command and the pushed tags", async () => {
    const res = await alice.get("/repository/alice/webapp");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("alice/webapp");
    expect(html).toMatch(/data-testid="visibility"><span class="pf-v6-c-label__content"><span class="pf-v6-c-label__text">public</);
    expect(html).toContain("podman pull registry.test/alice/webapp:latest");
    expect(tagNames(html).sort()).toEqual(["latest", "v1"]);
    // The manifest digest is shortened, with the full one in the title.
    expect(html).toContain(`<span class="qs-digest" title="${pushed.digest}">${pushed.digest.slice(0, 19)}</span>`);
    expect(html).toContain("2.9 KiB"); // the 3000-byte layer
  });

  it("shows a public repository to anonymous visitors", async () => {
    const res = await new PageClient(env.app).get("/repository/alice/webapp");
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('data-testid="tag-row"');
  });

  it("answers 404 for another user's private repository, exactly as for a missing one", async () => {
    const hidden = await bob.get("/repository/alice/secret-db");
    const missing = await bob.get("/repository/alice/no-such-repo");
    expect(hidden.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(await hidden.text()).toBe(await missing.text());
    const anonymous = await new PageClient(env.app).get("/repository/alice/secret-db");
    expect(anonymous.status).toBe(404);
    // Signing in from there comes back to the same page.
    expect(await anonymous.text()).toContain('href="/signin?next=%2Frepository%2Falice%2Fsecret-db"');
    expect((await alice.get("/repository/alice/secret-db")).status).toBe(200);
  });

  it("filters tags, ignoring case, and serves the tag table to htmx", async () => {
    const res = await alice.get("/repository/alice/webapp?filter=V", { "HX-Request": "true", "HX-Target": "tag-table" });
    const html = await res.text();
    expect(html.startsWith('<div id="tag-table"')).toBe(true);
    expect(tagNames(html)).toEqual(["v1"]);
  });

  it("keeps a filter longer than any name and shows that nothing matches", async () => {
    const long = "v".repeat(300);
    const html = await (await alice.get(`/repository/alice/webapp?filter=${long}`)).text();
    expect(html).toContain(`value="${long}"`);
    expect(html).toContain("No tags match");
    expect(tagNames(html)).toEqual([]);
  });

  it("pulls latest when it exists, else the most recent tag, whatever the table's page and filter", async () => {
    const registry = new RegistryClient(env, { username: "alice", password: "password-alice" });
    await registry.pushImage("alice/pulls", "latest");
    await registry.pushImage("alice/pulls", "newer");
    await registry.pushImage("alice/nolatest", "older");
    await registry.pushImage("alice/nolatest", "newest");
    for (const query of ["", "?filter=newer", "?filter=zzz"]) {
      expect(await (await alice.get(`/repository/alice/pulls${query}`)).text()).toContain("podman pull registry.test/alice/pulls:latest");
    }
    expect(await (await alice.get("/repository/alice/nolatest?filter=older")).text()).toContain(
      "podman pull registry.test/alice/nolatest:newest",
    );
  });

  it("shows how to push into an empty repository instead of a pull command", async () => {
    const owner = (await findUserByName(env.deps.db, "alice"))!;
    await createRepository(env.deps.db, { principal: toPrincipal(owner) }, { namespace: "alice", name: "empty", visibility: "private" });
    const html = await (await alice.get("/repository/alice/empty")).text();
    expect(html).toContain("No tags yet");
    expect(html).not.toContain("podman pull");
    expect(html).toContain("podman login registry.test");
    expect(html).toContain("podman tag &lt;image&gt; registry.test/alice/empty:latest");
    expect(html).toContain("podman push registry.test/alice/empty:latest");
  });

  it("answers 404 for unknown pages and malformed names", async () => {
    expect((await alice.get("/no-such-page")).status).toBe(404);
    expect((await alice.get("/repository/ALICE/Web")).status).toBe(404);
  });
});

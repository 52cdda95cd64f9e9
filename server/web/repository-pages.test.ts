// The repository list and repository pages: who sees what, the tabs, the Tags tab's views,
// filtering, paging and child manifests, and the usage log.
import { and, eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog, manifests, tagPullStats, tags } from "../../db/schema.ts";
import { RegistryClient } from "../../e2e/support/registry-client.ts";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";
import { createRepository, findRepository, setVisibility } from "../domain/repositories/repositories.ts";
import { findUserByName, toPrincipal } from "../domain/accounts/users.ts";
import { setTagExpiration } from "../domain/content/tags.ts";
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
const tagNames = (html: string) => [...html.matchAll(/data-testid="tag-name">([^<]+)</g)].map((m) => m[1]!);
/** One tag's row group in the tag table. */
const rowOf = (html: string, tag: string) => {
  const start = html.indexOf(`id="tag-${tag}"`);
  expect(start, tag).toBeGreaterThan(0);
  return html.slice(start, html.indexOf("</tbody>", start));
};
/** The repository page's tab labels, in order. */
const tabLabels = (html: string) => [...html.matchAll(/class="pf-v6-c-tabs__item-text">([^<]+)</g)].map((m) => m[1]);

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
      const partial = await alice.get(`/repository/alice/webapp?tab=tags&after=${bad}`, { "HX-Request": "true", "HX-Target": "tag-table" });
      expect(partial.status, bad).toBe(302);
      expect(partial.headers.get("location")).toBe("/repository/alice/webapp?tab=tags");
    }
  });

  it("marks tables up as plain tables, not interactive grids", async () => {
    const html = await (await alice.get("/repositories")).text();
    expect(html).toContain('<table class="pf-v6-c-table pf-m-grid-md" aria-label="Repositories">');
    expect(html).not.toMatch(/role="(grid|row|rowgroup|cell|columnheader)"/);
  });
});

describe("repository page: tabs", () => {
  it("opens on Information: description, pull commands and the storage the repository uses", async () => {
    const res = await alice.get("/repository/alice/webapp");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("alice/webapp");
    expect(html).toMatch(/data-testid="visibility"><span class="pf-v6-c-label__content"><span class="pf-v6-c-label__text">public</);
    expect(html).toContain('data-testid="tab-info"');
    expect(html).toContain("podman pull registry.test/alice/webapp:latest");
    expect(html).toContain("docker pull registry.test/alice/webapp:latest");
    // Two images: each a config and a layer, the 3000-byte layer among them.
    expect(html).toMatch(/data-testid="storage-used">3\.\d KiB</);
    expect(tabLabels(html)).toEqual(["Information", "Tags", "Tag history", "Usage logs", "Settings"]);
    expect(html).toMatch(/aria-current="page"><span class="pf-v6-c-tabs__item-text">Information</);
  });

  it("shows readers Information, Tags and Tag history; Usage logs and Settings answer 404 to them", async () => {
    const html = await (await bob.get("/repository/alice/webapp")).text();
    expect(tabLabels(html)).toEqual(["Information", "Tags", "Tag history"]);
    expect(tabLabels(await (await new PageClient(env.app).get("/repository/alice/webapp?tab=tags")).text())).toEqual(["Information", "Tags", "Tag history"]);
    for (const tab of ["logs", "settings", "nonsense"]) expect((await bob.get(`/repository/alice/webapp?tab=${tab}`)).status, tab).toBe(404);
    expect((await alice.get("/repository/alice/webapp?tab=nonsense")).status).toBe(404);
  });

  it("answers 404 for another user's private repository, exactly as for a missing one", async () => {
    const hidden = await bob.get("/repository/alice/secret-db");
    const missing = await bob.get("/repository/alice/no-such-repo");
    expect(hidden.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(await hidden.text()).toBe(await missing.text());
    expect((await bob.get("/repository/alice/secret-db?tab=tags")).status).toBe(404);
    const anonymous = await new PageClient(env.app).get("/repository/alice/secret-db");
    expect(anonymous.status).toBe(404);
    // Signing in from there comes back to the same page.
    expect(await anonymous.text()).toContain('href="/signin?next=%2Frepository%2Falice%2Fsecret-db"');
    expect((await alice.get("/repository/alice/secret-db")).status).toBe(200);
  });

  it("pulls latest when it exists, else the most recent tag", async () => {
    const registry = new RegistryClient(env, { username: "alice", password: "password-alice" });
    await registry.pushImage("alice/pulls", "latest");
    await registry.pushImage("alice/pulls", "newer");
    await registry.pushImage("alice/nolatest", "older");
    await registry.pushImage("alice/nolatest", "newest");
    expect(await (await alice.get("/repository/alice/pulls")).text()).toContain("podman pull registry.test/alice/pulls:latest");
    expect(await (await alice.get("/repository/alice/nolatest")).text()).toContain("podman pull registry.test/alice/nolatest:newest");
  });

  it("shows how to push into an empty repository, and its empty Tags tab says so", async () => {
    const owner = (await findUserByName(env.deps.db, "alice"))!;
    await createRepository(env.deps.db, { principal: toPrincipal(owner) }, { namespace: "alice", name: "empty", visibility: "private" });
    const html = await (await alice.get("/repository/alice/empty")).text();
    expect(html).not.toContain("podman pull");
    expect(html).toContain("podman login registry.test");
    expect(html).toContain("podman tag &lt;image&gt; registry.test/alice/empty:latest");
    expect(html).toContain("podman push registry.test/alice/empty:latest");
    expect(html).toContain('data-testid="storage-used">0 B<');
    expect(await (await alice.get("/repository/alice/empty?tab=tags")).text()).toContain("No tags yet");
  });

  it("keeps the Settings forms in their tab, for writers and admins", async () => {
    const html = await (await alice.get("/repository/alice/webapp?tab=settings")).text();
    expect(html).toContain('data-testid="repository-admin"');
    expect(html).toContain('action="/repository-visibility/alice/webapp"');
    expect(await (await alice.get("/repository/alice/webapp")).text()).not.toContain('data-testid="repository-admin"');
  });

  it("answers 404 for unknown pages and malformed names", async () => {
    expect((await alice.get("/no-such-page")).status).toBe(404);
    expect((await alice.get("/repository/ALICE/Web")).status).toBe(404);
  });
});

describe("repository page: Tags tab", () => {
  it("lists each tag with its last change, scan, size, expiry and a link to its manifest", async () => {
    const res = await alice.get("/repository/alice/webapp?tab=tags");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toMatch(/aria-current="page"><span class="pf-v6-c-tabs__item-text">Tags</);
    for (const column of ["Tag", "Last modified", "Last pulled", "Security scan", "Size", "Expires", "Manifest"]) expect(html).toContain(`scope="col">${column}</th>`);
    expect(tagNames(html)).toEqual(["latest", "v1"]);
    const v1 = rowOf(html, "v1");
    expect(v1).toContain(`<a class="qs-digest" href="/repository/alice/webapp/manifest/${pushed.digest}" title="${pushed.digest}">${pushed.digest.slice(0, 19)}</a>`);
    expect(v1).toContain("2.9 KiB"); // the 3000-byte layer
    expect(v1).toMatch(/data-testid="scan-summary">Queued</); // no worker runs here, so its scan waits
    expect(v1).toMatch(/data-testid="tag-expires">Never</);
  });

  it("shows when each tag was last pulled, and Never for a tag nobody pulled", async () => {
    const repo = (await findRepository(env.deps.db, { namespace: "alice", name: "webapp" }))!;
    await env.deps.db
      .insert(tagPullStats)
      .values({ repositoryId: repo.id, tag: "v1", pullCount: 3, lastPulledAt: new Date(Date.now() - 2 * 3_600_000), manifestDigest: pushed.digest });
    const html = await (await alice.get("/repository/alice/webapp?tab=tags")).text();
    expect(rowOf(html, "v1")).toMatch(/data-testid="tag-last-pulled"><time datetime="[^"]+" title="[^"]+">2 hours ago<\/time>/);
    expect(rowOf(html, "latest")).toContain('data-testid="tag-last-pulled">Never<');
    await env.deps.db.delete(tagPullStats).where(eq(tagPullStats.repositoryId, repo.id));
  });

  it("shows when a tag expires", async () => {
    const repo = (await findRepository(env.deps.db, { namespace: "alice", name: "webapp" }))!;
    const now = env.deps.clock.now();
    const at = new Date(Date.UTC(2099, 0, 2, 3, 4));
    await setTagExpiration(env.deps.db, repo.id, "v1", at, now);
    try {
      expect(rowOf(await (await alice.get("/repository/alice/webapp?tab=tags")).text(), "v1")).toContain(
        '<time datetime="2099-01-02T03:04:00.000Z" data-testid="tag-expires">2099-01-02 03:04 UTC</time>',
      );
    } finally {
      await setTagExpiration(env.deps.db, repo.id, "v1", null, now);
    }
  });

  it("filters tags ignoring case, serves the table to htmx, and keeps the tab when the form is sent without JavaScript", async () => {
    const res = await alice.get("/repository/alice/webapp?tab=tags&filter=V", { "HX-Request": "true", "HX-Target": "tag-table" });
    const html = await res.text();
    expect(html.startsWith('<div id="tag-table"')).toBe(true);
    expect(tagNames(html)).toEqual(["v1"]);
    const page = await (await alice.get("/repository/alice/webapp?tab=tags")).text();
    expect(page).toMatch(/<form method="get" action="\/repository\/alice\/webapp" role="search"[^>]*><input type="hidden" name="tab" value="tags"\/>/);
    expect(page).toMatch(/name="filter"[^>]*hx-get="\/repository\/alice\/webapp\?tab=tags" hx-trigger="input changed delay:300ms, search" hx-target="#tag-table"/);
  });

  it("keeps a filter longer than any name and shows that nothing matches", async () => {
    const long = "v".repeat(300);
    const html = await (await alice.get(`/repository/alice/webapp?tab=tags&filter=${long}`)).text();
    expect(html).toContain(`value="${long}"`);
    expect(html).toContain("No tags match");
    expect(tagNames(html)).toEqual([]);
  });

  it("switches between the compact and the expanded view, whose rows show each tag's labels", async () => {
    const compact = await (await alice.get("/repository/alice/webapp?tab=tags")).text();
    expect(compact).not.toContain('data-testid="tag-labels"');
    // The toggle takes the filter from the box as it is when clicked (htmx swaps only the table as it changes).
    expect(compact).toMatch(/href="\/repository\/alice\/webapp\?tab=tags&amp;view=expanded" hx-get="\/repository\/alice\/webapp\?tab=tags&amp;view=expanded" hx-include="#tags-tab input\[name=&quot;filter&quot;\]" hx-target="#tags-tab"/);
    const res = await alice.get("/repository/alice/webapp?tab=tags&view=expanded", { "HX-Request": "true", "HX-Target": "tags-tab" });
    const expanded = await res.text();
    expect(expanded.startsWith('<div id="tags-tab"')).toBe(true);
    expect(expanded.match(/data-testid="tag-labels"/g)).toHaveLength(2);
    expect(expanded).toMatch(/class="pf-v6-c-toggle-group__button pf-m-selected"[^>]*data-testid="view-expanded"/);
    // The filter keeps the view.
    expect(expanded).toContain('<input type="hidden" name="view" value="expanded"/>');
  });

  it("shows in the expanded view the labels the image config carries", async () => {
    const registry = new RegistryClient(env, { username: "alice", password: "password-alice" });
    const config = JSON.stringify({ architecture: "amd64", os: "linux", config: { Labels: { maintainer: "alice", "org.example.tier": "web" } }, rootfs: { type: "layers", diff_ids: [] } });
    const configDigest = await registry.pushBlob("alice/labelled", config);
    const manifest = { schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: configDigest, size: config.length }, layers: [] };
    expect((await registry.pushManifest("alice/labelled", "v1", manifest, manifest.mediaType)).status).toBe(201);
    const labels = (html: string) => [...rowOf(html, "v1").matchAll(/data-testid="label"><span class="pf-v6-c-label__content"><span class="pf-v6-c-label__text">([^<]+)</g)].map((m) => m[1]);
    expect(labels(await (await alice.get("/repository/alice/labelled?tab=tags&view=expanded")).text()).sort()).toEqual(["maintainer = alice", "org.example.tier = web"]);
    expect(labels(await (await alice.get("/repository/alice/labelled?tab=tags")).text())).toEqual([]);
    expect(rowOf(await (await alice.get("/repository/alice/webapp?tab=tags&view=expanded")).text(), "v1")).toContain("No labels");
  });

  it("gives every tag its pull commands by tag and by digest, for podman and docker, each with a copy button", async () => {
    // Fetched by htmx the first time "Fetch tag" opens; a link to them without JavaScript.
    const closed = rowOf(await (await bob.get("/repository/alice/webapp?tab=tags")).text(), "v1");
    expect(closed).toContain('<details class="qs-fetch" data-testid="fetch-tag" hx-get="/repository/alice/webapp?tab=tags&amp;fetch=v1" hx-trigger="toggle once" hx-target="find .qs-fetch-panel" hx-swap="outerHTML">');
    expect(closed).toContain('<a href="/repository/alice/webapp?tab=tags&amp;fetch=v1#tag-v1">Show the pull commands</a>');
    expect(closed).not.toContain("podman pull");
    const panel = await (await bob.get("/repository/alice/webapp?tab=tags&fetch=v1", { "HX-Request": "true", "HX-Target": "pull-commands-v1" })).text();
    expect(panel.startsWith('<div class="qs-fetch-panel" id="pull-commands-v1">')).toBe(true);
    const v1 = rowOf(await (await bob.get("/repository/alice/webapp?tab=tags&fetch=v1")).text(), "v1");
    expect(v1).toContain('<details class="qs-fetch" data-testid="fetch-tag" open="">');
    const commands: Array<[string, string]> = [
      ["fetch-v1-podman-tag", "podman pull registry.test/alice/webapp:v1"],
      ["fetch-v1-docker-tag", "docker pull registry.test/alice/webapp:v1"],
      ["fetch-v1-podman-digest", `podman pull registry.test/alice/webapp@${pushed.digest}`],
      ["fetch-v1-docker-digest", `docker pull registry.test/alice/webapp@${pushed.digest}`],
    ];
    for (const [id, command] of commands) {
      for (const html of [panel, v1]) {
        expect(html).toMatch(new RegExp(`<input id="${id}" type="text" readonly="" value="${command.replace(/[.$]/g, "\\$&")}"`));
        expect(html).toContain(`data-copy-from="${id}"`);
      }
    }
    expect((await bob.get("/repository/alice/webapp?tab=tags&fetch=gone", { "HX-Request": "true", "HX-Target": "pull-commands-gone" })).status).toBe(404);
    expect(await (await bob.get("/repository/alice/webapp")).text()).toMatch(/<script src="\/static\/copy-text\.js\?v=[0-9a-f]+" defer="">/);
  });

  it("links writers, and only them, to each tag's page", async () => {
    expect(rowOf(await (await alice.get("/repository/alice/webapp?tab=tags")).text(), "v1")).toContain('href="/repository-tag/alice/webapp?tag=v1"');
    expect(await (await bob.get("/repository/alice/webapp?tab=tags")).text()).not.toContain("/repository-tag/");
  });

  it("opens a multi-arch tag onto its child manifests (OS, architecture, variant, digest, size), with or without htmx", async () => {
    const registry = new RegistryClient(env, { username: "alice", password: "password-alice" });
    const amd = await registry.pushImage("alice/multi", "amd", "a".repeat(2048));
    const arm = await registry.pushImage("alice/multi", "arm", "b".repeat(4096));
    const index = {
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.index.v1+json",
      manifests: [
        { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: amd.digest, size: amd.body.length, platform: { os: "linux", architecture: "amd64" } },
        { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: arm.digest, size: arm.body.length, platform: { os: "linux", architecture: "arm64", variant: "v8" } },
      ],
    };
    expect((await registry.pushManifest("alice/multi", "both", index, index.mediaType)).status).toBe(201);

    const closed = await (await alice.get("/repository/alice/multi?tab=tags")).text();
    expect(rowOf(closed, "both")).toMatch(/<a class="pf-v6-c-button pf-m-plain" href="\/repository\/alice\/multi\?tab=tags&amp;expand=both" hx-get="[^"]*" hx-target="closest tbody" hx-swap="outerHTML" aria-expanded="false"/);
    expect(rowOf(closed, "both")).toContain("multi-arch");
    expect(rowOf(closed, "amd")).not.toContain('data-testid="child-toggle"');
    expect(closed).not.toContain('data-testid="child-manifest"');

    // Without JavaScript: the whole page, that tag opened.
    const children = (html: string) =>
      [...html.matchAll(/data-testid="child-manifest">((?:<td[^>]*>.*?<\/td>)+)<\/tr>/g)].map((m) =>
        [...m[1]!.matchAll(/<td[^>]*>(?:<a[^>]*title="([^"]+)"[^>]*>[^<]*<\/a>|([^<]*))<\/td>/g)].map((c) => c[1] ?? c[2]),
      );
    const expected = [
      ["linux", "amd64", "–", amd.digest, "2.0 KiB"],
      ["linux", "arm64", "v8", arm.digest, "4.0 KiB"],
    ];
    expect(children(await (await alice.get("/repository/alice/multi?tab=tags&expand=both")).text())).toEqual(expected);
    // With htmx: that tag's row group alone, and closing it again.
    const opened = await (await alice.get("/repository/alice/multi?tab=tags&expand=both", { "HX-Request": "true", "HX-Target": "tag-both" })).text();
    expect(opened.startsWith('<tbody class="pf-v6-c-table__tbody pf-m-expanded" id="tag-both"')).toBe(true);
    expect(children(opened)).toEqual(expected);
    expect(opened).toContain('aria-expanded="true"');
    const shut = await (await alice.get("/repository/alice/multi?tab=tags&row=both", { "HX-Request": "true", "HX-Target": "tag-both" })).text();
    expect(shut.startsWith('<tbody class="pf-v6-c-table__tbody" id="tag-both"')).toBe(true);
    expect(shut).not.toContain("child-manifest");
    expect((await alice.get("/repository/alice/multi?tab=tags&expand=gone", { "HX-Request": "true", "HX-Target": "tag-gone" })).status).toBe(404);
  });

  it("pages by position, newest first then by name, forwards and back, with the total", async () => {
    const repo = (await findRepository(env.deps.db, { namespace: "alice", name: "webapp" }))!;
    const [manifest] = await env.deps.db.select({ id: manifests.id }).from(manifests).where(eq(manifests.digest, pushed.digest));
    // 40 tags pushed in one instant (as a bulk import makes them), 20 at moments of their own.
    const instant = new Date("2020-01-01T00:00:00.123Z");
    const rows = [
      ...Array.from({ length: 40 }, (_, i) => ({ name: `same-${String(i).padStart(2, "0")}`, start: instant })),
      ...Array.from({ length: 20 }, (_, i) => ({ name: `own-${String(i).padStart(2, "0")}`, start: new Date(instant.getTime() - (i + 1) * 1000) })),
    ];
    await env.deps.db.insert(tags).values(rows.map((r) => ({ repositoryId: repo.id, name: r.name, manifestId: manifest!.id, lifetimeStart: r.start })));
    const everything = ["latest", "v1", ...rows.map((r) => r.name)];

    let html = await (await alice.get("/repository/alice/webapp?tab=tags")).text();
    expect(html).toMatch(/data-testid="pager-range"><b>25<\/b> of <b>62<\/b> tags/);
    const seen: string[][] = [tagNames(html)];
    for (;;) {
      const next = /<a id="tag-table-next"[^>]* href="([^"]+)"/.exec(html);
      if (!next) break;
      html = await (await alice.get(next[1]!.replaceAll("&amp;", "&"), { "HX-Request": "true", "HX-Target": "tag-table" })).text();
      seen.push(tagNames(html));
    }
    expect(seen.map((p) => p.length)).toEqual([25, 25, 12]);
    expect(seen.flat()).toEqual(everything);
    // And back from the last page.
    const back: string[][] = [];
    for (;;) {
      const prev = /<a id="tag-table-prev"[^>]* href="([^"]+)"/.exec(html);
      if (!prev) break;
      html = await (await alice.get(prev[1]!.replaceAll("&amp;", "&"), { "HX-Request": "true", "HX-Target": "tag-table" })).text();
      back.unshift(tagNames(html));
    }
    expect(back).toEqual(seen.slice(0, 2));
    // A position past the end goes back to the first page.
    const past = await alice.get(`/repository/alice/webapp?tab=tags&after=${encodeURIComponent("2000-01-01T00:00:00.000000Z~zzz")}`);
    expect(past.status).toBe(302);
    expect(past.headers.get("location")).toBe("/repository/alice/webapp?tab=tags");
    await env.deps.db.delete(tags).where(and(eq(tags.repositoryId, repo.id), inArray(tags.name, rows.map((r) => r.name))));
  });
});

describe("repository page: Tag history tab", () => {
  it("lists every movement of the repository's tags, with the actions for writers only", async () => {
    const registry = new RegistryClient(env, { username: "alice", password: "password-alice" });
    const first = await registry.pushImage("alice/moving", "v1");
    const second = await registry.pushImage("alice/moving", "v1");
    const owner = (await findUserByName(env.deps.db, "alice"))!;
    await setVisibility(env.deps, { principal: toPrincipal(owner) }, (await findRepository(env.deps.db, { namespace: "alice", name: "moving" }))!, "public");
    const html = await (await alice.get("/repository/alice/moving?tab=history")).text();
    expect(html).toMatch(/aria-current="page"><span class="pf-v6-c-tabs__item-text">Tag history</);
    const rows = [...html.matchAll(/data-testid="history-row">(.*?)<\/tr>/g)].map((m) => m[1]!);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toContain(second.digest.slice(0, 19));
    expect(rows[1]).toContain(first.digest.slice(0, 19));
    expect(rows[1]).toContain("Moved away");
    expect(rows[1]).toContain("Revert");
    const forReader = await (await bob.get("/repository/alice/moving?tab=history")).text();
    expect(forReader.match(/data-testid="history-row"/g)).toHaveLength(2);
    expect(forReader).not.toContain("Revert");
    // The pager's swaps get the history alone.
    const partial = await (await alice.get("/repository/alice/moving?tab=history&page=1", { "HX-Request": "true", "HX-Target": "tag-history" })).text();
    expect(partial).not.toContain("<html");
    expect(partial.match(/data-testid="history-row"/g)).toHaveLength(2);
    // …as the element the pager targets, so a swap replaces the panel instead of nesting one.
    expect(partial.trimStart()).toMatch(/^<div id="tag-history"/);
    expect(partial.match(/data-testid="tag-history-panel"/g)).toHaveLength(1);
  });
});

describe("repository page: Usage logs tab", () => {
  it("lists the repository's audit rows newest first, with who and what", async () => {
    const html = await (await alice.get("/repository/alice/webapp?tab=logs")).text();
    const kinds = [...html.matchAll(/data-testid="log-row">.*?<code>([a-z_]+)<\/code>/g)].map((m) => m[1]);
    expect(kinds.length).toBeGreaterThan(0);
    // Made public last (after the pushes), so that comes first.
    expect(kinds[0]).toBe("change_repo_visibility");
    expect(html).toContain(">alice</td>");
  });

  it("pages through a long log and says when there is none", async () => {
    const owner = (await findUserByName(env.deps.db, "alice"))!;
    const repo = await createRepository(env.deps.db, { principal: toPrincipal(owner) }, { namespace: "alice", name: "logged", visibility: "private" });
    await env.deps.db.delete(auditLog).where(eq(auditLog.repositoryId, repo.id));
    expect(await (await alice.get("/repository/alice/logged?tab=logs")).text()).toContain("No activity in this range");
    await env.deps.db.insert(auditLog).values(
      Array.from({ length: 60 }, (_, i) => ({ kind: "push_repo", repositoryId: repo.id, performerId: owner.id, metadata: { tag: `t${i}` }, createdAt: new Date(Date.now() - (60 - i) * 60_000) })),
    );
    const first = await (await alice.get("/repository/alice/logged?tab=logs")).text();
    const tagsIn = (html: string) => [...html.matchAll(/<dt>tag<\/dt><dd>(t\d+)<\/dd>/g)].map((m) => m[1]);
    expect(tagsIn(first)).toEqual(Array.from({ length: 50 }, (_, i) => `t${59 - i}`));
    const next = /<a id="usage-log-table-next"[^>]* href="([^"]+)"/.exec(first)![1]!.replaceAll("&amp;", "&");
    const second = await (await alice.get(next, { "HX-Request": "true", "HX-Target": "usage-log-table" })).text();
    expect(second.startsWith('<div id="usage-log-table"')).toBe(true);
    expect(tagsIn(second)).toEqual(Array.from({ length: 10 }, (_, i) => `t${9 - i}`));
    expect(second).not.toContain('<a id="usage-log-table-next"');
    // And back: the newer page is the first one again, with nothing newer.
    const prev = /<a id="usage-log-table-prev"[^>]* href="([^"]+)" aria-label="Go to the newest entries"/.exec(second)![1]!.replaceAll("&amp;", "&");
    const back = await (await alice.get(prev, { "HX-Request": "true", "HX-Target": "usage-log-table" })).text();
    expect(tagsIn(back)).toEqual(tagsIn(first));
    expect(back).not.toContain('<a id="usage-log-table-prev"');
    expect(first).not.toContain('<a id="usage-log-table-prev"');
    const bad = await alice.get("/repository/alice/logged?tab=logs&after=nonsense");
    expect(bad.headers.get("location")).toMatch(/^\/repository\/alice\/logged\?tab=logs&from=\d{4}-\d\d-\d\d&to=\d{4}-\d\d-\d\d$/);
  });
});

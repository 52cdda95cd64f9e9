// Creating a repository from the browser, its Markdown description shown safely, and its admins'
// description, visibility and delete forms (delete needs the typed name).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sessionClient } from "../../e2e/support/api-client.ts";
import { fieldMessage, PageClient, signedInClient } from "../../e2e/support/page-client.ts";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";
import { renderMarkdown } from "../../views/partials/markdown.tsx";
import { createOrganization } from "../domain/accounts/organizations.ts";
import { toPrincipal, type User } from "../domain/accounts/users.ts";
import { findRepository } from "../domain/repositories/repositories.ts";
import { setRepositoryRole } from "../domain/repositories/repository-permissions.ts";

let env: TestEnv;
let carol: User;
let carolPages: PageClient;
let bobPages: PageClient;

const form = { namespace: "carol", name: "", description: "", visibility: "private" };
const create = (client: PageClient, fields: Partial<typeof form>) => client.submit("/repositories/new", "/repositories/new", { ...form, ...fields });

beforeAll(async () => {
  env = await testEnv();
  carol = await env.user("carol");
  await env.user("bob");
  await createOrganization(env.deps.db, { name: "acme", email: "acme@example.com" }, { principal: toPrincipal(carol) });
  carolPages = await signedInClient(env.app, "carol");
  bobPages = await signedInClient(env.app, "bob");
});
afterAll(() => env.close());

describe("create repository page", () => {
  it("offers the user's own namespace and the organizations where they may create", async () => {
    const html = await (await carolPages.get("/repositories/new?namespace=acme")).text();
    const options = [...html.matchAll(/<option value="([^"]+)"( selected)?/g)].map((m) => m[1] + (m[2] ? "*" : ""));
    expect(options.filter((o) => !o.startsWith("p"))).toEqual(["carol", "acme*"]);
    const bobs = await (await bobPages.get("/repositories/new")).text();
    expect(bobs).not.toContain('value="acme"');
  });

  it("is linked from the repositories list and an organization's repositories tab", async () => {
    expect(await (await carolPages.get("/repositories")).text()).toContain('href="/repositories/new"');
    expect(await (await carolPages.get("/organization/acme")).text()).toContain('href="/repositories/new?namespace=acme"');
  });

  it("sends signed-out visitors to sign in first", async () => {
    const res = await new PageClient(env.app).get("/repositories/new");
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/signin?next=%2Frepositories%2Fnew");
  });

  it("shows name and namespace refusals at their fields", async () => {
    let res = await create(carolPages, { name: "Bad Name" });
    expect(res.status).toBe(400);
    expect(fieldMessage(await res.text(), "name")?.error).toBe(true);
    res = await create(bobPages, { namespace: "acme", name: "sneaky" });
    expect(res.status).toBe(400);
    expect(fieldMessage(await res.text(), "namespace")).toEqual({ error: true, text: "You do not have permission to create repositories in acme" });
    expect(await findRepository(env.deps.db, { namespace: "acme", name: "sneaky" })).toBeUndefined();
  });

  it("creates the repository through the domain rule and opens it; a second one of that name is refused", async () => {
    const res = await create(carolPages, { namespace: "acme", name: "tools", description: "# Tools\n\nSee **this**", visibility: "public" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/repository/acme/tools");
    const repo = await findRepository(env.deps.db, { namespace: "acme", name: "tools" });
    expect(repo).toMatchObject({ visibility: "public", description: "# Tools\n\nSee **this**" });
    const page = await (await carolPages.get("/repository/acme/tools")).text();
    expect(page).toContain("<h1>Tools</h1>");
    const again = await create(carolPages, { namespace: "acme", name: "tools" });
    expect(fieldMessage(await again.text(), "name")).toEqual({ error: true, text: "acme/tools already exists" });
  });
});

const HOSTILE = [
  "<script>alert(1)</script>",
  "[click](javascript:alert(1)) [again](JaVaScRiPt:alert(1)) <javascript:alert(1)>",
  '<img src=x onerror="alert(1)">',
  "![x](https://evil.example/x.png)",
  "&lt;script&gt; &#60;b&#62; &amp;",
  "[rel](/signout) [data](data:text/html,hi)",
  `${"a".repeat(20_000)} <b>`,
].join("\n\n");

describe("markdown description", () => {
  it("escapes raw HTML, keeps only http(s) and mailto links (nofollow noopener) and shows no images", () => {
    const html = renderMarkdown(`${HOSTILE}\n\n[ok](https://example.com/a) [mail](mailto:a@example.com)`);
    expect(html).not.toMatch(/<(script|img|b)\b/i);
    expect(html).not.toMatch(/href="(?!https:|mailto:)/);
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).toContain("&lt;script&gt; &lt;b&gt; &amp;");
    expect(html).toContain('<a href="https://example.com/a" rel="nofollow noopener">ok</a>');
    expect(html).toContain('<a href="mailto:a@example.com" rel="nofollow noopener">mail</a>');
    expect(renderMarkdown("## T\n\n*e* `c`\n\n```\nx < y\n```\n\n- a\n1. b")).toBe(
      "<h2>T</h2>\n<p><em>e</em> <code>c</code></p>\n<pre><code>x &lt; y\n</code></pre>\n<ul>\n<li>a</li>\n</ul>\n<ol>\n<li>b</li>\n</ol>\n",
    );
  });

  it("is saved from the Settings form, shown safely, and the API returns exactly what was stored", async () => {
    const res = await carolPages.submit("/repository/acme/tools", "/repository-description/acme/tools", { description: HOSTILE });
    expect(res.status).toBe(303);
    const page = await (await carolPages.get("/repository/acme/tools")).text();
    const shown = page.slice(page.indexOf('data-testid="description"'), page.indexOf("Pull this image") >= 0 ? page.indexOf("Pull this image") : page.indexOf("Push an image"));
    // Escaped text may spell "onerror=" out; no element (img, script, b) or javascript: link may appear.
    expect(/<(script|img|b)\b|href="(?!https:|mailto:)/i.test(shown)).toBe(false);
    expect(shown).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;");
    const api = await sessionClient(env, carol);
    const got = await api.get<{ description: string }>("/repository/acme/tools");
    expect(got.status).toBe(200);
    expect(got.body.description).toBe(HOSTILE);
  });
});

describe("repository settings", () => {
  it("keep the description as typed: the form's CRLF line breaks become LF, a leading newline stays", async () => {
    const res = await carolPages.submit("/repository/acme/tools", "/repository-description/acme/tools", { description: "\nline one\r\nline two" });
    expect(res.status).toBe(303);
    expect((await findRepository(env.deps.db, { namespace: "acme", name: "tools" }))?.description).toBe("\nline one\nline two");
    // HTML drops the one newline right after <textarea>: the page writes one more.
    expect(await (await carolPages.get("/repository/acme/tools?tab=settings")).text()).toContain(">\n\nline one\nline two</textarea>");
  });

  it("are shown to admins only (the Settings tab), and refused (404) to others", async () => {
    expect(await (await carolPages.get("/repository/acme/tools?tab=settings")).text()).toContain('data-testid="repository-admin"');
    expect(await (await bobPages.get("/repository/acme/tools")).text()).not.toContain("?tab=settings");
    expect((await bobPages.get("/repository/acme/tools?tab=settings")).status).toBe(404);
    const res = await bobPages.submit("/repository/acme/tools", "/repository-visibility/acme/tools", { visibility: "private" });
    expect(res.status).toBe(404);
    expect((await bobPages.get("/repository-delete/acme/tools")).status).toBe(404);
  });

  it("let writers change the description only, as Quay's PUT /repository does", async () => {
    const dave = await env.user("dave");
    const repo = (await findRepository(env.deps.db, { namespace: "acme", name: "tools" }))!;
    await setRepositoryRole(env.deps, repo.id, dave, "write", { principal: toPrincipal(carol) });
    const davePages = await signedInClient(env.app, "dave");
    const html = await (await davePages.get("/repository/acme/tools?tab=settings")).text();
    expect(html).toContain('action="/repository-description/acme/tools"');
    expect(html).not.toContain('action="/repository-visibility/acme/tools"');
    expect(html).not.toContain('data-testid="delete-repository"');
    const saved = await davePages.submit("/repository/acme/tools", "/repository-description/acme/tools", { description: "by a writer" });
    expect(saved.status).toBe(303);
    expect((await findRepository(env.deps.db, { namespace: "acme", name: "tools" }))?.description).toBe("by a writer");
    const refused = await davePages.submit("/repository/acme/tools", "/repository-visibility/acme/tools", { visibility: "public" });
    expect(refused.status).toBe(404);
  });

  it("change the visibility, with a notice", async () => {
    const res = await carolPages.submit("/repository/acme/tools", "/repository-visibility/acme/tools", { visibility: "private" });
    expect(res.status).toBe(303);
    expect((await findRepository(env.deps.db, { namespace: "acme", name: "tools" }))?.visibility).toBe("private");
    // The page it returns to says so in the Settings card.
    const back = await (await carolPages.get(res.headers.get("location")!)).text();
    expect(back).toContain('data-testid="settings-notice"><p class="pf-v6-c-alert__title">The repository is now private.</p>');
  });

  it("delete only when the full name is typed", async () => {
    let res = await carolPages.submit("/repository-delete/acme/tools", "/repository-delete/acme/tools", { confirm: "tools" });
    expect(res.status).toBe(400);
    expect(fieldMessage(await res.text(), "confirm")).toEqual({ error: true, text: "Type acme/tools to delete it" });
    expect(await findRepository(env.deps.db, { namespace: "acme", name: "tools" })).toBeDefined();
    res = await carolPages.submit("/repository-delete/acme/tools", "/repository-delete/acme/tools", { confirm: "acme/tools" });
    expect(res.status).toBe(303);
    expect(await findRepository(env.deps.db, { namespace: "acme", name: "tools" })).toBeUndefined();
  });
});

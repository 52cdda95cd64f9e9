// The usage-log pages through the web door: a repository's Usage logs tab, an organization's and
// the user's own; days (last 7 by default), the text filter, the chart, rows that open onto their
// full description, the htmx fragments, and admins only (others get the site's 404).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { auditLog } from "../../db/schema.ts";
import type { LogExportJob } from "../domain/activity/log-export.ts";
import { PageClient } from "../../e2e/support/page-client.ts";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";
import { createOrganization, type Organization } from "../domain/accounts/organizations.ts";
import { addTeamMember, findAccount, saveTeam } from "../domain/accounts/teams.ts";
import { toPrincipal, type User } from "../domain/accounts/users.ts";
import { createRepository, type Repository, setVisibility } from "../domain/repositories/repositories.ts";

let env: TestEnv;
let alice: PageClient;
let bob: PageClient;
let org: Organization;
let repo: Repository;
/** Exports queued through the pages (in-process tests run no job queue of their own). */
const queued: LogExportJob[] = [];
const DAY = 86_400_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

async function signIn(username: string): Promise<PageClient> {
  const browser = new PageClient(env.app);
  expect((await browser.submit("/signin", "/signin", { username, password: `password-${username}` })).status).toBe(303);
  return browser;
}

const rowKinds = (html: string) => [...html.matchAll(/data-testid="log-row">.*?<code>([a-z_]+)<\/code>/g)].map((m) => m[1]);
const chartCounts = (html: string) => [...html.matchAll(/data-kind="([^"]+)" data-day="[^"]+" data-count="(\d+)"/g)].map((m) => `${m[1]}:${m[2]}`);

beforeAll(async () => {
  env = await testEnv();
  const owner: User = await env.user("alice");
  await env.user("bob");
  const actor = { principal: toPrincipal(owner) };
  org = await createOrganization(env.deps.db, { name: "acme", email: "" }, actor);
  const { team } = await saveTeam(env.deps, actor, org, "readers", { role: "member" });
  await addTeamMember(env.deps, actor, org, team, (await findAccount(env.deps.db, "bob"))!);
  repo = await createRepository(env.deps.db, actor, { namespace: "acme", name: "app", visibility: "private" });
  await setVisibility(env.deps, actor, repo, "public");
  const now = Date.now();
  await env.deps.db.insert(auditLog).values([
    { kind: "push_repo", namespaceId: org.namespaceId, repositoryId: repo.id, performerId: owner.id, ip: "10.1.2.3", metadata: { tag: "stable", repo: "app", namespace: "acme" }, createdAt: new Date(now - 60_000) },
    { kind: "delete_tag", namespaceId: org.namespaceId, repositoryId: repo.id, performerId: owner.id, metadata: { tag: "nightly", repo: "app", namespace: "acme" }, createdAt: new Date(now - 120_000) },
    { kind: "create_tag", namespaceId: org.namespaceId, repositoryId: repo.id, performerId: owner.id, metadata: { tag: "ancient", repo: "app", namespace: "acme" }, createdAt: new Date(now - 10 * DAY) },
  ]);
  env.deps.jobs = { send: async (_queue: string, job: object) => queued.push(job as LogExportJob) };
  alice = await signIn("alice");
  bob = await signIn("bob");
});
afterAll(() => env.close());

describe("repository Usage logs tab", () => {
  it("shows the last 7 days by default, charted, each row opening onto its description and details", async () => {
    const html = await (await alice.get("/repository/acme/app?tab=logs")).text();
    // Newest first (the repository's creation and visibility change come later than these rows).
    expect(rowKinds(html)).toEqual(["change_repo_visibility", "create_repo", "push_repo", "delete_tag"]);
    expect(rowKinds(html)).not.toContain("create_tag");
    expect(html).toContain(`name="from" value="${isoDay(Date.now() - 6 * DAY)}"`);
    expect(html).toContain(`name="to" value="${isoDay(Date.now())}"`);
    expect(chartCounts(html)).toContain("push_repo:1");
    // The filter says what it searches (pulls only by action and user).
    expect(html).toMatch(/id="log-filter"[^>]*aria-describedby="log-filter-helper"/);
    expect(html).toMatch(/id="log-filter-helper"><span[^>]*>Matches the action or user; for everything but pulls/);
    const start = html.indexOf("<dd><code>push_repo</code>");
    const push = html.slice(html.lastIndexOf('data-testid="log-row"', start), html.indexOf("</tr>", start));
    expect(push).toMatch(/<details class="qs-log-entry" data-testid="log-entry"><summary>[^<]*stable[^<]*<\/summary>/);
    expect(push).toContain("<dt>tag</dt><dd>stable</dd>");
    expect(push).toContain("10.1.2.3");
  });

  it("takes other days and a text filter, and answers htmx with the chart and rows alone", async () => {
    const from = isoDay(Date.now() - 12 * DAY);
    const to = isoDay(Date.now() - 8 * DAY);
    const older = await (await alice.get(`/repository/acme/app?tab=logs&from=${from}&to=${to}`)).text();
    expect(rowKinds(older)).toEqual(["create_tag"]);
    expect(chartCounts(older)).toEqual(["create_tag:1"]);

    const filtered = await (
      await alice.get(`/repository/acme/app?tab=logs&from=${isoDay(Date.now() - 6 * DAY)}&to=${isoDay(Date.now())}&filter=NIGHTLY`, {
        "HX-Request": "true",
        "HX-Target": "usage-log-results",
      })
    ).text();
    expect(filtered.startsWith('<div id="usage-log-results"')).toBe(true);
    expect(rowKinds(filtered)).toEqual(["delete_tag"]);
    expect(chartCounts(filtered)).toEqual(["delete_tag:1"]);
  });

  it("says so when the dates cannot be used", async () => {
    const html = await (await alice.get("/repository/acme/app?tab=logs&from=2026-02-31&to=2026-03-01")).text();
    expect(html).toContain("Those dates could not be read; showing the last 7 days.");
    expect(rowKinds(html)).toContain("push_repo");
    const reversed = await (await alice.get("/repository/acme/app?tab=logs&from=2026-03-05&to=2026-03-01")).text();
    expect(reversed).toContain("The first day comes after the last");
  });

  it("is for the repository's admins only", async () => {
    expect((await bob.get("/repository/acme/app")).status).toBe(200);
    expect((await bob.get("/repository/acme/app?tab=logs")).status).toBe(404);
    expect((await new PageClient(env.app).get("/repository/acme/app?tab=logs")).status).toBe(404);
  });
});

describe("organization Usage logs tab", () => {
  it("lists the organization's actions for its admins, behind a tab only they see", async () => {
    expect(await (await alice.get("/organization/acme")).text()).toContain('href="/organization/acme/logs"');
    const html = await (await alice.get("/organization/acme/logs")).text();
    expect(rowKinds(html)).toEqual(expect.arrayContaining(["push_repo", "delete_tag", "org_create_team", "org_add_team_member"]));
    expect(html).toContain('aria-current="page"><span class="pf-v6-c-tabs__item-text">Usage logs');
    expect(html).toContain('data-testid="log-chart"');
  });

  it("answers members who are not admins, and strangers, with the site's 404", async () => {
    expect(await (await bob.get("/organization/acme")).text()).not.toContain('href="/organization/acme/logs"');
    expect((await bob.get("/organization/acme/logs")).status).toBe(404);
    expect((await new PageClient(env.app).get("/organization/acme/logs")).status).toBe(404);
  });
});

describe("user Usage logs tab", () => {
  it("lists the actions in the user's own namespace, not an organization's", async () => {
    await env.deps.db.insert(auditLog).values({ kind: "create_repo", namespaceId: (await findAccount(env.deps.db, "alice"))!.namespaceId!, performerId: null, metadata: { repo: "mine", namespace: "alice" } });
    const html = await (await alice.get("/settings/logs")).text();
    expect(rowKinds(html)).toContain("create_repo");
    expect(rowKinds(html)).not.toContain("push_repo");
    expect((await new PageClient(env.app).get("/settings/logs")).status).toBe(303);
  });
});

describe("Export logs dialog", () => {
  const auditKinds = async (kind: string) =>
    (await env.deps.db.select().from(auditLog).where(and(eq(auditLog.kind, kind), eq(auditLog.namespaceId, org.namespaceId)))).map((r) => r.metadata);

  it("queues an export of the days shown, its link mailed, and the page says it has started", async () => {
    const from = isoDay(Date.now() - 3 * DAY);
    const to = isoDay(Date.now());
    const href = `/organization/acme/logs?from=${from}&to=${to}`;
    const res = await alice.submit(href, href, { callback_email: "ops@example.com", callback_url: "" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`/organization/acme/logs?exported=1&from=${from}&to=${to}`);
    expect(queued.at(-1)).toMatchObject({
      namespaceId: org.namespaceId,
      namespaceName: "acme",
      repositoryId: null,
      callbackEmail: "ops@example.com",
      callbackUrl: null,
      start: `${from}T00:00:00.000Z`,
      end: new Date(Date.parse(`${to}T00:00:00Z`) + DAY).toISOString(),
    });
    expect(await (await alice.get(res.headers.get("location")!)).text()).toContain('data-testid="export-started"');
    expect((await auditKinds("export_logs_success")).at(-1)).toMatchObject({ email: "ops@example.com" });
  });

  it("exports a repository's rows from its tab", async () => {
    const href = "/repository/acme/app?tab=logs";
    const res = await alice.submit(href, href, { callback_email: "ops@example.com" });
    expect(res.status).toBe(303);
    expect(queued.at(-1)).toMatchObject({ repositoryId: repo.id, repositoryName: "app", namespaceName: "acme" });
  });

  it("shows the problem in the open dialog, keeping what was typed, and records the refusal", async () => {
    const before = queued.length;
    const internal = await alice.submit("/organization/acme/logs", "/organization/acme/logs", { callback_url: "http://127.0.0.1:9/hook", callback_email: "" });
    expect(internal.status).toBe(400);
    const html = await internal.text();
    expect(html).toContain('<details class="qs-log-export qs-gap-below" open="" data-testid="export-logs">');
    expect(html).toContain("Invalid callback URL");
    expect(html).toContain('value="http://127.0.0.1:9/hook"');
    expect((await auditKinds("export_logs_failure")).at(-1)).toMatchObject({ error: "Invalid callback URL", url: "http://127.0.0.1:9/hook" });

    const none = await alice.submit("/settings/logs", "/settings/logs", { callback_url: "", callback_email: "" });
    expect(none.status).toBe(400);
    expect(await none.text()).toContain("Enter a callback URL or an e-mail address");
    expect(queued.length).toBe(before);
  });

  it("is for admins only: others get the site's 404", async () => {
    const token = (await (await bob.get("/organization/acme")).text()).match(/name="_csrf" value="([^"]+)"/)?.[1] ?? "";
    expect((await bob.post("/organization/acme/logs", { _csrf: token, callback_email: "x@example.com" })).status).toBe(404);
    expect((await bob.post("/repository/acme/app?tab=logs", { _csrf: token, callback_email: "x@example.com" })).status).toBe(404);
  });
});

// The bell and the notifications page over the HTML door: the count in every signed-in page's
// masthead (none signed out), the list (sentences with the repository linked, organization rows
// for its admins, newest first, paged, empty state), Dismiss and Dismiss all as plain forms and
// as htmx swaps that nudge the bell, and nobody dismissing someone else's.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { csrfFieldOf, type PageClient, signedInClient } from "../../e2e/support/page-client.ts";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";
import { createOrganization } from "../domain/accounts/organizations.ts";
import { toPrincipal, type User } from "../domain/accounts/users.ts";
import { deliverInApp, listInApp } from "../domain/notifications/in-app.ts";

let env: TestEnv;
let alice: User;
let browser: PageClient;

const deliver = (to: string, tags: string[], namespace = to, kind: "user" | "org" = "user") =>
  deliverInApp(env.deps, {
    repositoryNamespace: namespace,
    target: { kind, name: to },
    kind: "repo_push",
    metadata: { repository: `${namespace}/web`, namespace, name: "web", updated_tags: tags },
  });

/** The bell's number on a page ("" when it shows none), or null when there is no bell. */
function bellCount(html: string): string | null {
  const bell = /<a id="notification-bell"[\s\S]*?<\/a>/.exec(html)?.[0];
  if (!bell) return null;
  return /data-testid="notification-count">([^<]*)</.exec(bell)?.[1] ?? "";
}
const sentences = (html: string) =>
  [...html.matchAll(/data-testid="notification-sentence">([\s\S]*?)<\/span>/g)].map((m) => m[1]!.replace(/<[^>]+>/g, ""));

beforeAll(async () => {
  env = await testEnv();
  alice = await env.user("alice");
  await env.user("bob");
  await createOrganization(env.deps.db, { name: "acme", email: "acme@example.com" }, { principal: toPrincipal(alice) });
  browser = await signedInClient(env.app, "alice");
});
afterAll(() => env.close());

describe("the bell", () => {
  it("is on signed-in pages with the undismissed count, and not for visitors", async () => {
    expect(bellCount(await (await browser.get("/explore")).text())).toBe("");
    await deliver("alice", ["latest"]);
    await deliver("acme", ["v1", "v2"], "acme", "org");
    const html = await (await browser.get("/explore")).text();
    expect(bellCount(html)).toBe("2");
    expect(html).toContain('aria-label="Notifications: 2 unread"');
    expect(html).toContain('href="/notifications"');
    expect(bellCount(await (await env.app.request("/explore")).text())).toBeNull();
  });

  it("comes alone from /notifications/bell for htmx, and is not there signed out", async () => {
    const res = await browser.get("/notifications/bell", { "hx-request": "true" });
    const html = await res.text();
    expect(html.startsWith('<a id="notification-bell"')).toBe(true);
    expect(bellCount(html)).toBe("2");
    expect((await env.app.request("/notifications/bell")).status).toBe(404);
  });
});

describe("the notifications page", () => {
  it("lists newest first, each a sentence linking its repository, organization rows marked", async () => {
    const html = await (await browser.get("/notifications")).text();
    expect(sentences(html)).toEqual(["Tags v1 and v2 were pushed to acme/web.", "Tag latest was pushed to alice/web."]);
    expect(html).toContain('<a href="/repository/acme/web" data-testid="notification-repository">acme/web</a>');
    expect(html).toContain("For the organization acme");
    expect(html).toContain("Dismiss all");
  });

  it("shows an empty state to someone with none, and sends visitors to sign in", async () => {
    const bob = await signedInClient(env.app, "bob");
    const html = await (await bob.get("/notifications")).text();
    expect(html).toContain("No new notifications");
    expect(html).not.toContain("Dismiss all");
    const visitor = await env.app.request("/notifications");
    expect(visitor.status).toBe(303);
    expect(visitor.headers.get("location")).toBe("/signin?next=%2Fnotifications");
  });

  it("dismisses one with a plain form (back to the list) or htmx (the list, and the bell nudged)", async () => {
    const [newest, older] = await listInApp(env.deps.db, { userId: alice.id, namespaceId: alice.namespaceId }, { offset: 0, limit: 2 });
    const token = csrfFieldOf(await (await browser.get("/notifications")).text());

    const plain = await browser.post(`/notifications/${newest!.uuid}/dismiss`, { _csrf: token, page: "1" });
    expect(plain.status).toBe(303);
    expect(plain.headers.get("location")).toBe("/notifications");
    const after = await (await browser.get("/notifications")).text();
    expect(sentences(after)).toEqual(["Tag latest was pushed to alice/web."]);
    expect(bellCount(after)).toBe("1");

    // Someone else's (or no such) notification: not found, and nothing changes.
    const bob = await signedInClient(env.app, "bob");
    const bobToken = csrfFieldOf(await (await bob.get("/notifications")).text());
    expect((await bob.post(`/notifications/${older!.uuid}/dismiss`, { _csrf: bobToken })).status).toBe(404);
    expect((await browser.post("/notifications/not-a-uuid/dismiss", { _csrf: token })).status).toBe(404);

    const swapped = await browser.post(`/notifications/${older!.uuid}/dismiss`, { _csrf: token, page: "1" }, { "hx-request": "true" });
    expect(swapped.status).toBe(200);
    expect(swapped.headers.get("hx-trigger")).toBe("notifications-changed");
    const fragment = await swapped.text();
    expect(fragment.startsWith('<div id="notification-list"')).toBe(true);
    expect(fragment).toContain("No new notifications");
    expect(bellCount(await (await browser.get("/explore")).text())).toBe("");
  });

  it("pages twenty at a time, counts at most 99+, and dismisses all at once", async () => {
    await Promise.all(Array.from({ length: 100 }, (_, i) => deliver("alice", [`t${i}`])));
    const first = await (await browser.get("/notifications")).text();
    expect(bellCount(first)).toBe("99+");
    expect(sentences(first)).toHaveLength(20);
    expect(first).toContain('href="/notifications?page=2"');
    const last = await (await browser.get("/notifications?page=5")).text();
    expect(sentences(last)).toHaveLength(20);
    expect(last).not.toContain('href="/notifications?page=6"');
    const past = await browser.get("/notifications?page=6");
    expect([past.status, past.headers.get("location")]).toEqual([303, "/notifications"]);

    // Dismissing the last row of a later page with htmx shows the first page instead.
    const token = csrfFieldOf(first);
    const onLast = await listInApp(env.deps.db, { userId: alice.id, namespaceId: alice.namespaceId }, { offset: 80, limit: 20 });
    for (const note of onLast.slice(1)) await browser.post(`/notifications/${note.uuid}/dismiss`, { _csrf: token, page: "5" });
    const swapped = await browser.post(`/notifications/${onLast[0]!.uuid}/dismiss`, { _csrf: token, page: "5" }, { "hx-request": "true" });
    expect(swapped.headers.get("hx-replace-url")).toBe("/notifications");
    expect(sentences(await swapped.text())).toHaveLength(20);

    const res = await browser.post("/notifications/dismiss-all", { _csrf: token, page: "1" });
    expect(res.headers.get("location")).toBe("/notifications");
    const html = await (await browser.get("/notifications")).text();
    expect(sentences(html)).toEqual([]);
    expect(bellCount(html)).toBe("");
  });

  it("refuses a dismissal without the form's token", async () => {
    await deliver("alice", ["kept"]);
    const [note] = await listInApp(env.deps.db, { userId: alice.id, namespaceId: alice.namespaceId }, { offset: 0, limit: 1 });
    expect((await browser.post(`/notifications/${note!.uuid}/dismiss`, {})).status).toBe(403);
    expect(bellCount(await (await browser.get("/explore")).text())).toBe("1");
  });
});

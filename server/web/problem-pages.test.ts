// Every error the browser can meet is a page in the site layout with an <h1> (413, 403, 404, 429,
// 500); signing out twice, an htmx request from a page whose session ended, the signed-out
// home page's calls to action and the icon.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { csrfFieldOf, PageClient, signedInClient } from "../../e2e/support/page-client.ts";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";
import { sessions } from "../../db/schema.ts";
import { SESSION_COOKIE } from "../auth/sessions.ts";

/** The page's single <h1> text; fails when there is none or more than one. */
function h1Of(html: string): string {
  const all = [...html.matchAll(/<h1[^>]*>([^<]*)<\/h1>/g)];
  expect(all, "exactly one <h1>").toHaveLength(1);
  return all[0]![1]!;
}

/** Drawn in the site layout: doctype, PatternFly, the masthead. */
function expectLayout(res: Response, html: string): void {
  expect(res.headers.get("content-type")).toMatch(/^text\/html/);
  expect(html).toMatch(/^<!DOCTYPE html><html lang="en">/);
  expect(html).toContain('class="pf-v6-c-masthead"');
  expect(html).toMatch(/<link rel="stylesheet" href="\/static\/vendor\/patternfly\/patternfly\.min\.css\?v=/);
}

let env: TestEnv;
beforeAll(async () => {
  env = await testEnv();
  await env.user("alice");
});
afterAll(() => env.close());

const signedIn = (username: string) => signedInClient(env.app, username);

describe("error pages", () => {
  it("413: a 70 KB form post, with the viewer still shown as signed in", async () => {
    const browser = await signedIn("alice");
    const token = csrfFieldOf(await (await browser.get("/")).text());
    const res = await browser.post("/signout", { _csrf: token, filler: "x".repeat(70 * 1024) });
    expect(res.status).toBe(413);
    const html = await res.text();
    expectLayout(res, html);
    expect(h1Of(html)).toBe("Too much data");
    expect(html).toMatch(/data-testid="signed-in-user" title="alice">alice</);
    expect(browser.cookies.has(SESSION_COOKIE)).toBe(true); // nothing happened
  });

  it("403: a form without its token", async () => {
    const res = await new PageClient(env.app).post("/signin", { username: "alice", password: "password-alice" });
    expect(res.status).toBe(403);
    const html = await res.text();
    expectLayout(res, html);
    expect(h1Of(html)).toBe("This form has expired");
  });

  it("404: a page that does not exist, whatever the method", async () => {
    const browser = await signedIn("alice");
    const get = await browser.get("/no/such/page");
    expect(get.status).toBe(404);
    const html = await get.text();
    expectLayout(get, html);
    expect(h1Of(html)).toBe("Not found");

    const token = csrfFieldOf(await (await browser.get("/")).text());
    const post = await browser.post("/no/such/page", { _csrf: token });
    expect(post.status).toBe(404);
    expect(h1Of(await post.text())).toBe("Not found");
  });

  it("429: too many wrong passwords, on the sign-in page", async () => {
    // An instance of its own: the failures also slow down every other sign-in from this address.
    const throttled = await testEnv();
    await throttled.user("bob");
    const browser = new PageClient(throttled.app);
    let res: Response | undefined;
    for (let i = 0; i < 12 && res?.status !== 429; i++) {
      res = await browser.submit("/signin", "/signin", { username: "bob", password: `wrong-${i}` });
    }
    expect(res!.status).toBe(429);
    const html = await res!.text();
    expectLayout(res!, html);
    expect(h1Of(html)).toBe("Sign in to Quayside");
    await throttled.close();
  });

  it("500: the database is gone", async () => {
    const broken = await testEnv();
    await broken.database.close();
    const res = await broken.app.request("/");
    expect(res.status).toBe(500);
    const html = await res.text();
    expectLayout(res, html);
    expect(h1Of(html)).toBe("Something went wrong");
    await broken.close().catch(() => {}); // its pool is already closed
  });
});

describe("sessions that ended", () => {
  it("signing out when already signed out lands on the signed-out home page", async () => {
    const browser = await signedIn("alice");
    const token = csrfFieldOf(await (await browser.get("/")).text());
    expect((await browser.post("/signout", { _csrf: token })).status).toBe(303);
    const again = await browser.post("/signout", { _csrf: token }); // the second tab's stale form
    expect(again.status).toBe(303);
    expect(again.headers.get("location")).toBe("/");
  });

  it("sends an htmx request from a signed-in page whose session expired to sign-in, then back", async () => {
    const browser = await signedIn("alice");
    const token = csrfFieldOf(await (await browser.get("/")).text());
    await env.deps.db.update(sessions).set({ expiresAt: new Date(Date.now() - 1000) });
    const res = await browser.get("/repositories?filter=ap", {
      "HX-Request": "true",
      "HX-Target": "repo-table",
      "HX-Current-URL": "http://registry.test/repositories?filter=a",
      "X-CSRF-Token": token,
    });
    expect(res.status).toBe(401);
    expect(res.headers.get("hx-redirect")).toBe(`/signin?next=${encodeURIComponent("/repositories?filter=a")}`);
    const signin = await browser.get(res.headers.get("hx-redirect")!);
    expect(await signin.text()).toContain('<input type="hidden" name="next" value="/repositories?filter=a"/>');
  });

  it("answers a signed-out page's htmx request as before", async () => {
    const res = await new PageClient(env.app).get("/repositories?filter=ap", { "HX-Request": "true", "HX-Target": "repo-table" });
    expect(res.status).toBe(200);
    expect(res.headers.get("hx-redirect")).toBeNull();
  });
});

describe("the signed-out repository list and the icon", () => {
  it("has one call to sign in besides the header's when there is nothing to show", async () => {
    const html = await (await new PageClient(env.app).get("/repositories")).text();
    const signIns = [...html.matchAll(/<a [^>]*href="\/signin[^"]*"[^>]*>/g)];
    expect(signIns).toHaveLength(2);
    expect(html).toContain("No public repositories yet");
  });

  it("serves /favicon.ico as an icon and links the SVG one from every page", async () => {
    const ico = await env.app.request("/favicon.ico");
    expect(ico.status).toBe(200);
    expect(ico.headers.get("content-type")).toBe("image/x-icon");
    expect(ico.headers.get("cache-control")).toBe("public, max-age=86400");
    const html = await (await new PageClient(env.app).get("/signin")).text();
    const href = /<link rel="icon" href="([^"]+)" type="image\/svg\+xml"\/>/.exec(html)?.[1];
    expect(href).toMatch(/^\/static\/favicon\.svg\?v=[0-9a-f]{16}$/);
    expect((await env.app.request(href!)).headers.get("content-type")).toBe("image/svg+xml");
  });
});

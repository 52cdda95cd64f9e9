import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient, sessionClient } from "../../e2e/support/api-client.ts";
import { csrfFieldOf, PageClient, signedInClient } from "../../e2e/support/page-client.ts";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";
import { createRepository } from "../domain/repositories/repositories.ts";
import { toPrincipal, type User } from "../domain/accounts/users.ts";

describe("starring from the repository page", () => {
  let env: TestEnv;
  let alice: User;
  beforeAll(async () => {
    env = await testEnv();
    alice = await env.user("alice");
    const bob = await env.user("bob");
    await createRepository(env.deps.db, { principal: toPrincipal(bob) }, { namespace: "bob", name: "open", visibility: "public" });
    await createRepository(env.deps.db, { principal: toPrincipal(bob) }, { namespace: "bob", name: "secret", visibility: "private" });
  });
  afterAll(() => env.close());

  it("shows no star button when signed out", async () => {
    const html = await (await new PageClient(env.app).get("/repository/bob/open")).text();
    expect(html).not.toContain("star-toggle");
  });

  it("stars and unstars with htmx, and the starred list agrees", async () => {
    const browser = await signedInClient(env.app, "alice");
    const html = await (await browser.get("/repository/bob/open")).text();
    expect(html).toContain('aria-pressed="false"');
    const token = csrfFieldOf(html);
    const star = await browser.post("/star/bob/open", { star: "true" }, { "HX-Request": "true", "X-CSRF-Token": token });
    expect(star.status).toBe(200);
    const button = await star.text();
    expect(button).toContain('aria-pressed="true"');
    expect(button).toContain('name="star" value="false"');
    const api = await sessionClient(env, alice);
    expect((await api.get<{ repositories: { name: string }[] }>("/user/starred")).body.repositories.map((r) => r.name)).toEqual(["open"]);
    expect((await browser.get("/repository/bob/open").then((r) => r.text()))).toContain('aria-pressed="true"');

    // Without htmx: the form posts and the page comes back.
    const unstar = await browser.post("/star/bob/open", { _csrf: token, star: "false" });
    expect(unstar.status).toBe(303);
    expect(unstar.headers.get("location")).toBe("/repository/bob/open");
    expect((await api.get("/user/starred")).body).toEqual({ repositories: [] });
  });

  it("refuses unreadable repositories and stale forms", async () => {
    const browser = await signedInClient(env.app, "alice");
    const token = csrfFieldOf(await (await browser.get("/repository/bob/open")).text());
    expect((await browser.post("/star/bob/secret", { _csrf: token, star: "true" })).status).toBe(404);
    expect((await browser.post("/star/bob/open", { star: "true" })).status).toBe(403);
    expect((await new ApiClient(env).get("/user/starred")).status).toBe(401);
  });
});

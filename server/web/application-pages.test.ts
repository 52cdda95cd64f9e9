import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { oauthApps } from "../../db/schema.ts";
import { csrfFieldOf, fieldMessage, signedInClient } from "../../e2e/support/page-client.ts";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";
import { createApplication } from "../domain/accounts/applications.ts";
import { listAssignments } from "../domain/accounts/oauth-assignments.ts";
import { createOrganization, findOrganization } from "../domain/accounts/organizations.ts";
import { findUserByName, toPrincipal } from "../domain/accounts/users.ts";

describe("OAuth applications pages (/organization/<name>/applications)", () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await testEnv();
    const owner = await env.user("owner");
    await env.user("stranger");
    await createOrganization(env.deps.db, { name: "acme" }, { principal: toPrincipal(owner) });
  });
  afterAll(() => env.close());

  it("creates, edits, resets the secret and deletes, each destructive step asked first", async () => {
    const browser = await signedInClient(env.app, "owner");
    const list = await browser.get("/organization/acme/applications");
    expect(list.status).toBe(200);
    const html = await list.text();
    expect(html).toContain("No applications yet");
    expect(html).toContain('href="/organization/acme/applications"'); // the tab

    const bad = await browser.post("/organization/acme/applications", { _csrf: csrfFieldOf(html), name: " ", redirect_uri: "ftp://x" });
    expect(bad.status).toBe(400);
    const badHtml = await bad.text();
    expect(fieldMessage(badHtml, "name")).toEqual({ error: true, text: "Enter a name for the application" });
    expect(fieldMessage(badHtml, "redirect_uri")).toEqual({ error: true, text: "Enter a full http:// or https:// address" });

    const created = await browser.post("/organization/acme/applications", { _csrf: csrfFieldOf(html), name: "ci", redirect_uri: "https://ci.test/cb" });
    expect(created.status).toBe(303);
    const path = created.headers.get("location")!;
    const [row] = await env.deps.db.select().from(oauthApps).where(eq(oauthApps.name, "ci"));
    expect(path).toBe(`/organization/acme/applications/${row!.clientId}`);
    const detail = await (await browser.get(path)).text();
    expect(detail).toContain(row!.clientSecret);

    const saved = await browser.post(path, { _csrf: csrfFieldOf(detail), name: "ci2", redirect_uri: "https://ci.test/cb2" });
    expect(saved.status).toBe(303);
    expect(await (await browser.get(saved.headers.get("location")!)).text()).toContain("Saved");

    const confirmReset = await browser.get(`${path}/reset`);
    expect(await confirmReset.text()).toContain("Reset client secret?");
    expect((await browser.post(`${path}/reset`, { _csrf: csrfFieldOf(detail) })).status).toBe(303);
    const [afterReset] = await env.deps.db.select().from(oauthApps).where(eq(oauthApps.id, row!.id));
    expect(afterReset!.clientSecret).not.toBe(row!.clientSecret);
    expect(afterReset!.name).toBe("ci2");

    expect(await (await browser.get(`${path}/delete`)).text()).toContain("Delete application?");
    const deleted = await browser.post(`${path}/delete`, { _csrf: csrfFieldOf(detail) });
    expect(deleted.headers.get("location")).toBe("/organization/acme/applications");
    expect(await env.deps.db.select().from(oauthApps).where(eq(oauthApps.id, row!.id))).toEqual([]);
    expect((await browser.get(path)).status).toBe(404);
  });

  it("assigns a token to a user, who then finds it under Authorized applications", async () => {
    const browser = await signedInClient(env.app, "owner");
    const actor = { principal: toPrincipal((await findUserByName(env.deps.db, "owner"))!) };
    const org = (await findOrganization(env.deps.db, "acme"))!;
    const fields = { name: "deployer", redirectUri: "https://deploy.test/cb", applicationUri: "", description: "", avatarEmail: null };
    const application = await createApplication(env.deps.db, actor, org, fields, {});
    const path = `/organization/acme/applications/${application.clientId}`;
    const page = await (await browser.get(path)).text();
    expect(page).toContain("Assign a token to a user");
    const assign = (extra: Record<string, string | string[]>) => {
      const body = new URLSearchParams({ _csrf: csrfFieldOf(page) });
      for (const [k, v] of Object.entries(extra)) for (const one of [v].flat()) body.append(k, one);
      return browser.request(`${path}/assign`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: body.toString() });
    };
    const noUser = await assign({ username: "nobody", scope: "repo:read" });
    expect(noUser.status).toBe(400);
    expect(fieldMessage(await noUser.text(), "username")).toEqual({ error: true, text: "There is no user named nobody" });
    const noScope = await assign({ username: "stranger" });
    expect(noScope.status).toBe(400);
    expect(await noScope.text()).toContain("Choose at least one of these permissions");
    const done = await assign({ username: "stranger", scope: ["repo:read", "user:read"] });
    expect(done.status).toBe(303);
    expect(done.headers.get("location")).toBe(`${path}?assigned=stranger`);
    expect(await (await browser.get(done.headers.get("location")!)).text()).toContain("Token assigned to stranger");
    const [assignment] = await listAssignments(env.deps.db, (await findUserByName(env.deps.db, "stranger"))!);
    expect(assignment).toMatchObject({ scopes: "repo:read user:read", redirectUri: "http://registry.test/oauth/localapp", responseType: "token" });
    const stranger = await signedInClient(env.app, "stranger");
    expect(await (await stranger.get("/settings/authorizations")).text()).toContain("deployer");
    // Only the organization's admins reach the form.
    expect((await stranger.post(`${path}/assign`, { _csrf: csrfFieldOf(await (await stranger.get("/settings")).text()), username: "owner", scope: "repo:read" })).status).toBe(404);
  });

  it("is 404 for anyone but the organization's admins", async () => {
    const browser = await signedInClient(env.app, "stranger");
    expect((await browser.get("/organization/acme/applications")).status).toBe(404);
    expect((await browser.get("/organization/nope/applications")).status).toBe(404);
    const token = csrfFieldOf(await (await browser.get("/")).text());
    expect((await browser.post("/organization/acme/applications", { _csrf: token, name: "evil" })).status).toBe(404);
  });
});

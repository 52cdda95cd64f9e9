// The assignee's "Authorized applications" tab: assignments listed with Approve (the consent page,
// then the token on /oauth/localapp) and Decline (asked first); an empty state otherwise.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { csrfFieldOf, signedInClient } from "../../e2e/support/page-client.ts";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";
import { createApplication, type OAuthApplication } from "../domain/accounts/applications.ts";
import { assignAuthorization, listAssignments } from "../domain/accounts/oauth-assignments.ts";
import { createOrganization } from "../domain/accounts/organizations.ts";
import { toPrincipal, type User } from "../domain/accounts/users.ts";

const LOCAL = "http://registry.test/oauth/localapp";

describe("Authorized applications tab", () => {
  let env: TestEnv;
  let app: OAuthApplication;
  let bob: User;
  let assignAs: (scope: string) => Promise<string>;
  beforeAll(async () => {
    env = await testEnv();
    const alice = await env.user("alice");
    bob = await env.user("bob");
    const actor = { principal: toPrincipal(alice) };
    const org = await createOrganization(env.deps.db, { name: "acme" }, actor);
    app = await createApplication(env.deps.db, actor, org, { name: "deployer", redirectUri: "http://client.test/cb", applicationUri: "", description: "Ships releases", avatarEmail: null }, {});
    assignAs = async (scope) =>
      (await assignAuthorization(env.deps.db, actor, { clientId: app.clientId, username: "bob", redirectUri: LOCAL, scope, responseType: "token" }, "http://registry.test")).uuid;
  });
  afterAll(() => env.close());

  it("shows an empty state, then the assignment with Approve and Decline", async () => {
    const browser = await signedInClient(env.app, "bob");
    const empty = await (await browser.get("/settings/authorizations")).text();
    expect(empty).toContain("No applications waiting");
    const uuid = await assignAs("repo:read");
    const html = await (await browser.get("/settings/authorizations")).text();
    expect(html).toContain("deployer");
    expect(html).toContain("View all visible repositories");
    expect(html).toContain(`assignment_uuid=${uuid}`);
    expect(html).toContain(`/settings/authorizations/${uuid}/decline`);
  });

  it("approves through the consent page to /oauth/localapp, using the assignment up", async () => {
    const uuid = await assignAs("user:read");
    const browser = await signedInClient(env.app, "bob");
    const list = await (await browser.get("/settings/authorizations")).text();
    const href = new RegExp(`href="(/oauth/authorize\\?[^"]*assignment_uuid=${uuid})"`).exec(list)![1]!.replaceAll("&amp;", "&");
    const consent = await browser.get(href);
    expect(consent.status).toBe(200);
    const page = await consent.text();
    const fields = Object.fromEntries([...page.matchAll(/<input type="hidden" name="(\w+)" value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
    const approved = await browser.post("/oauth/authorizeapp", { ...fields, _csrf: csrfFieldOf(page) });
    expect(approved.status).toBe(302);
    const location = new URL(approved.headers.get("location")!);
    expect(`${location.origin}${location.pathname}`).toBe(LOCAL);
    expect(location.hash).toMatch(/^#access_token=/);
    expect((await listAssignments(env.deps.db, bob)).map((a) => a.uuid)).not.toContain(uuid);
    const landing = await browser.get(`${location.pathname}${location.search}`);
    expect(landing.status).toBe(200);
    expect(await landing.text()).toContain('data-testid="local-token"');
  });

  it("declines after asking; someone else's assignment is a 404", async () => {
    const uuid = await assignAs("repo:write");
    const carol = await signedInClient(env.app, (await env.user("carol")).username);
    expect((await carol.get(`/settings/authorizations/${uuid}/decline`)).status).toBe(404);
    const browser = await signedInClient(env.app, "bob");
    const ask = await (await browser.get(`/settings/authorizations/${uuid}/decline`)).text();
    expect(ask).toContain("Decline “deployer”?");
    const done = await browser.post(`/settings/authorizations/${uuid}/decline`, { _csrf: csrfFieldOf(ask) });
    expect(done.status).toBe(303);
    expect((await listAssignments(env.deps.db, bob)).map((a) => a.uuid)).not.toContain(uuid);
  });
});

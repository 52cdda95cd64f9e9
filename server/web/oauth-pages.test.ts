// OAuth grants through the web routes, as Quay scripts and third-party clients use them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient } from "../../e2e/support/api-client.ts";
import { csrfFieldOf, PageClient, scriptSignedInClient, signedInClient } from "../../e2e/support/page-client.ts";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";
import { createApplication, type OAuthApplication } from "../domain/accounts/applications.ts";
import { createOrganization } from "../domain/accounts/organizations.ts";
import { toPrincipal } from "../domain/accounts/users.ts";

const REDIRECT = "http://client.test/callback";
/** Scopes no other test grants first (a live token covering them would skip the consent page). */
const CODE_SCOPES = "repo:create user:admin";

describe("OAuth web routes", () => {
  let env: TestEnv;
  let app: OAuthApplication;
  beforeAll(async () => {
    env = await testEnv();
    const owner = await env.user("owner");
    await env.user("member");
    const actor = { principal: toPrincipal(owner) };
    const org = await createOrganization(env.deps.db, { name: "acme" }, actor);
    const fields = { name: "client", redirectUri: REDIRECT, applicationUri: "", description: "A CI system", avatarEmail: null };
    app = await createApplication(env.deps.db, actor, org, fields, {});
  });
  afterAll(() => env.close());

  const query = (extra: Record<string, string> = {}) =>
    new URLSearchParams({ client_id: app.clientId, redirect_uri: REDIRECT, scope: "repo:read user:read", ...extra });

  const scriptSignIn = async (username: string) => {
    const { client, csrf } = await scriptSignedInClient(env.app, username);
    return { script: client, csrf };
  };

  it("POST /oauth/authorizeapp: a script gets a token in the Location fragment, capped by its scopes", async () => {
    const { script, csrf } = await scriptSignIn("owner");
    const res = await script.post("/oauth/authorizeapp", {
      ...Object.fromEntries(query({ response_type: "token", state: "s1" })),
      _csrf_token: csrf,
    });
    expect(res.status).toBe(302);
    const location = res.headers.get("location")!;
    expect(location).toMatch(/^http:\/\/client\.test\/callback\?scope=repo%3Aread\+user%3Aread&state=s1#access_token=[\w-]{40}&token_type=Bearer&expires_in=315576000$/);
    // What Quay clients do: take the token with a regex.
    const token = /access_token=(.*?)&/.exec(location)![1]!;
    const api = new ApiClient(env, { kind: "token", token });
    expect((await api.get<{ username: string }>("/user/")).body.username).toBe("owner");
    // repo:read does not allow creating repositories, though the owner may.
    const create = await api.post("/repository", { namespace: "acme", repository: "r", visibility: "private", description: "" });
    expect(create.status).toBe(403);
  });

  it("refuses bad requests in OAuth's ways", async () => {
    const { script, csrf } = await scriptSignIn("owner");
    const post = (extra: Record<string, string>) =>
      script.post("/oauth/authorizeapp", { ...Object.fromEntries(query({ response_type: "token", ...extra })), _csrf_token: csrf });
    expect((await post({ client_id: "nope" })).status).toBe(404);
    expect((await post({ redirect_uri: "http://evil.test/callback" })).status).toBe(400);
    const scope = await post({ scope: "repo:read repo:everything", state: "x" });
    expect(scope.status).toBe(302);
    expect(scope.headers.get("location")).toBe(`${REDIRECT}?error=invalid_scope&state=x`);
    const type = await post({ response_type: "id_token" });
    expect(type.headers.get("location")).toBe(`${REDIRECT}?error=unsupported_response_type`);
    // A path under the registered one is fine.
    expect((await post({ redirect_uri: `${REDIRECT}/deeper` })).headers.get("location")).toContain("#access_token=");
    // Without the CSRF token: refused.
    expect((await script.post("/oauth/authorizeapp", Object.fromEntries(query({ response_type: "token" })))).status).toBe(403);
  });

  it("takes Basic credentials with the /csrf_token token instead of a session", async () => {
    const script = new PageClient(env.app);
    const { csrf_token } = (await (await script.get("/csrf_token")).json()) as { csrf_token: string };
    const basic = (password: string) => ({ authorization: `Basic ${Buffer.from(`owner:${password}`).toString("base64")}` });
    const form = { ...Object.fromEntries(query({ response_type: "token" })), _csrf_token: csrf_token };
    const ok = await script.post("/oauth/authorizeapp", form, basic("password-owner"));
    expect(ok.status).toBe(302);
    expect(ok.headers.get("location")).toContain("#access_token=");
    expect((await script.post("/oauth/authorizeapp", form, basic("wrong"))).status).toBe(401);
  });

  it("lets only the organization's admins grant tokens", async () => {
    const { script, csrf } = await scriptSignIn("member");
    const res = await script.post("/oauth/authorizeapp", { ...Object.fromEntries(query({ response_type: "token" })), _csrf_token: csrf });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe(`${REDIRECT}?error=access_denied`);
    const anon = new PageClient(env.app);
    const { csrf_token } = (await (await anon.get("/csrf_token")).json()) as { csrf_token: string };
    expect((await anon.post("/oauth/authorizeapp", { ...Object.fromEntries(query()), _csrf_token: csrf_token })).status).toBe(401);
  });

  it("authorization-code flow: consent page, code, exchange once with the client secret", async () => {
    const anonymous = new PageClient(env.app);
    const path = `/oauth/authorize?${query({ state: "xyz", scope: CODE_SCOPES })}`;
    const signIn = await anonymous.get(path);
    expect(signIn.status).toBe(302);
    expect(signIn.headers.get("location")).toBe(`/signin?${new URLSearchParams({ next: path })}`);

    const browser = await signedInClient(env.app, "owner");
    const consent = await browser.get(path);
    expect(consent.status).toBe(200);
    const html = await consent.text();
    expect(html).toContain("Authorize client");
    expect(html).toContain("Create Repositories");
    expect(html).toContain("Administer User");
    const approve = await browser.post("/oauth/authorizeapp", { _csrf: csrfFieldOf(html), ...Object.fromEntries(query({ state: "xyz", scope: CODE_SCOPES })) });
    expect(approve.status).toBe(302);
    const back = new URL(approve.headers.get("location")!);
    expect(`${back.origin}${back.pathname}`).toBe(REDIRECT);
    expect(back.searchParams.get("state")).toBe("xyz");
    const code = back.searchParams.get("code")!;

    // The third-party client, server to server.
    const exchange = (fields: Record<string, string>) =>
      env.app.request("/oauth/access_token", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ grant_type: "authorization_code", client_id: app.clientId, client_secret: app.clientSecret, redirect_uri: REDIRECT, code, ...fields }),
      });
    const wrongSecret = await exchange({ client_secret: "nope" });
    expect(wrongSecret.status).toBe(401);
    expect(await wrongSecret.json()).toEqual({ error: "invalid_client" });
    expect(await (await exchange({ redirect_uri: `${REDIRECT}/other` })).json()).toEqual({ error: "invalid_grant" });
    expect(await (await exchange({ code: "forged" })).json()).toEqual({ error: "invalid_grant" });

    const huge = await exchange({ padding: "x".repeat(20 * 1024) });
    expect(huge.status).toBe(413);
    expect(await huge.json()).toEqual({ error: "invalid_request" });

    const ok = await exchange({});
    expect(ok.status).toBe(200);
    expect(ok.headers.get("cache-control")).toBe("no-store");
    const body = (await ok.json()) as { access_token: string };
    expect(body).toEqual({ access_token: expect.stringMatching(/^[\w-]{40}$/), token_type: "Bearer", expires_in: 315576000, refresh_token: null });
    const api = new ApiClient(env, { kind: "token", token: body.access_token });
    expect((await api.get("/user/")).status).toBe(200);

    // A code works once; replaying it also ends the token it gave.
    const replay = await exchange({});
    expect(replay.status).toBe(400);
    expect(await replay.json()).toEqual({ error: "invalid_grant" });
    expect((await api.get("/user/")).status).toBe(401);
  });

  it("grants again without asking when a live token of the app already covers the scopes", async () => {
    const browser = await signedInClient(env.app, "owner");
    const html = await (await browser.get(`/oauth/authorize?${query({ response_type: "token", scope: "repo:admin user:read" })}`)).text();
    const first = await browser.post("/oauth/authorizeapp", { _csrf: csrfFieldOf(html), ...Object.fromEntries(query({ response_type: "token", scope: "repo:admin user:read" })) });
    expect(first.headers.get("location")).toContain("#access_token=");
    // repo:read is implied by repo:admin: no consent page this time.
    const again = await browser.get(`/oauth/authorize?${query({ response_type: "token", scope: "repo:read" })}`);
    expect(again.status).toBe(302);
    expect(again.headers.get("location")).toMatch(/#access_token=[\w-]{40}&/);
    // A scope not held yet still asks.
    expect((await browser.get(`/oauth/authorize?${query({ response_type: "token", scope: "org:admin" })}`)).status).toBe(200);
  });

  it("deny sends the user back with access_denied", async () => {
    const browser = await signedInClient(env.app, "owner");
    const html = await (await browser.get(`/oauth/authorize?${query({ state: "d", scope: "super:user" })}`)).text();
    const res = await browser.post("/oauth/denyapp", { _csrf: csrfFieldOf(html), ...Object.fromEntries(query({ state: "d", scope: "super:user" })) });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe(`${REDIRECT}?error=access_denied&state=d`);
  });
});

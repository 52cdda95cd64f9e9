// The organization's Proxy cache tab over the HTML door: the empty state, the form's refusals at
// their fields in the API's words, Validate against a real upstream (distribution with htpasswd)
// in place and without htmx, saving, the read-only view of members, and removal asked first.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { csrfFieldOf, fieldMessage, type PageClient, signedInClient } from "../../e2e/support/page-client.ts";
import { type ProxyUpstream, startProxyUpstream } from "../../e2e/support/proxy-upstream.ts";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";
import { createOrganization, type Organization } from "../domain/accounts/organizations.ts";
import { addTeamMember, findAccount, saveTeam } from "../domain/accounts/teams.ts";
import { toPrincipal } from "../domain/accounts/users.ts";
import { findProxyCacheConfig } from "../domain/mirroring/proxy-cache-configs.ts";

const PATH = "/organization/cache/proxy-cache";

let env: TestEnv;
let upstream: ProxyUpstream;
let work: string;
let org: Organization;
let owner: PageClient;
let member: PageClient;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "quayside-proxy-pages-"));
  upstream = await startProxyUpstream(work);
  env = await testEnv({ QUAYSIDE_SSRF_ALLOWED_HOSTS: "127.0.0.1" });
  const actor = { principal: toPrincipal(await env.user("alice")) };
  await env.user("bob");
  await env.user("eve");
  org = await createOrganization(env.deps.db, { name: "cache", email: "" }, actor);
  const { team } = await saveTeam(env.deps, actor, org, "readers", { role: "member" });
  await addTeamMember(env.deps, actor, org, team, (await findAccount(env.deps.db, "bob"))!);
  owner = await signedInClient(env.app, "alice");
  member = await signedInClient(env.app, "bob");
}, 60_000);
afterAll(async () => {
  await env.close();
  await upstream.close();
  await rm(work, { recursive: true, force: true });
});

/** The Validate outcome's alert title in a page or fragment. */
const validationTitle = (html: string) => /id="proxy-validation"[^>]*>\s*<div[^>]*>\s*<p class="pf-v6-c-alert__title">([^<]*)</.exec(html)?.[1];

describe("the Proxy cache tab", () => {
  it("is linked from the organization for members, empty until configured, and 404 to others", async () => {
    const orgPage = await (await owner.get("/organization/cache")).text();
    expect(orgPage).toContain(`href="${PATH}"`);
    const html = await (await owner.get(PATH)).text();
    expect(html).toContain("Not a proxy cache");
    expect(html).toContain('name="upstream_registry"');
    const readOnly = await (await member.get(PATH)).text();
    expect(readOnly).toContain("Not a proxy cache");
    expect(readOnly).not.toContain('name="upstream_registry"');
    expect((await member.post(PATH, { _csrf: csrfFieldOf(readOnly), upstream_registry: upstream.host })).status).toBe(404);
    const stranger = await signedInClient(env.app, "eve");
    expect((await stranger.get(PATH)).status).toBe(404);
  });

  it("shows the domain's refusals at their fields, in the API's words", async () => {
    const csrf = csrfFieldOf(await (await owner.get(PATH)).text());
    const internal = await owner.post(PATH, { _csrf: csrf, upstream_registry: "10.1.2.3:5000", expiration_s: "3600" });
    expect(internal.status).toBe(400);
    const internalHtml = await internal.text();
    expect(fieldMessage(internalHtml, "upstream_registry")).toEqual({ error: true, text: "The provided registry URL is not allowed" });
    expect(internalHtml).toContain('value="10.1.2.3:5000"');
    const short = await owner.post(PATH, { _csrf: csrf, upstream_registry: upstream.host, expiration_s: "30" });
    expect(fieldMessage(await short.text(), "expiration_s")).toEqual({ error: true, text: "expiration_s must be at least 60 seconds" });
    const bad = await owner.post(PATH, { _csrf: csrf, upstream_registry: "not a host", expiration_s: "3600" });
    expect(fieldMessage(await bad.text(), "upstream_registry")).toEqual({ error: true, text: "Invalid upstream registry" });
    expect(await findProxyCacheConfig(env.deps.db, org.namespaceId)).toBeUndefined();
  });

  it("validates by signing in to the upstream: in place with htmx, on the page without", async () => {
    const csrf = csrfFieldOf(await (await owner.get(PATH)).text());
    const fields = { _csrf: csrf, upstream_registry: upstream.host, insecure: "1", expiration_s: "3600" };
    const htmx = { "HX-Request": "true", "HX-Target": "proxy-validation" };
    const valid = await owner.post(`${PATH}/validate`, { ...fields, upstream_registry_username: upstream.username, upstream_registry_password: upstream.password }, htmx);
    expect(valid.status).toBe(200);
    const validHtml = await valid.text();
    expect(validHtml).not.toContain("<html");
    expect(validationTitle(validHtml)).toBe("Valid");
    const wrong = await owner.post(`${PATH}/validate`, { ...fields, upstream_registry_username: upstream.username, upstream_registry_password: "nope" }, htmx);
    expect(validationTitle(await wrong.text())).toBe("Failed login to remote registry. Please verify entered details and try again.");
    expect(validationTitle(await (await owner.post(`${PATH}/validate`, fields, htmx)).text())).toBe("Anonymous");

    const page = await owner.post(`${PATH}/validate`, { ...fields, upstream_registry_username: upstream.username, upstream_registry_password: upstream.password });
    const pageHtml = await page.text();
    expect(pageHtml).toContain("<!DOCTYPE html>");
    expect(validationTitle(pageHtml)).toBe("Valid");
    expect(pageHtml).toContain(`value="${upstream.host}"`);
    expect(pageHtml).not.toContain(upstream.password);
    expect(await findProxyCacheConfig(env.deps.db, org.namespaceId)).toBeUndefined();
  });

  it("saves, shows the configuration without the password (read-only to members), and removes it after a question", async () => {
    const csrf = csrfFieldOf(await (await owner.get(PATH)).text());
    const saved = await owner.post(PATH, {
      _csrf: csrf,
      upstream_registry: `http://${upstream.host}/`,
      upstream_registry_username: upstream.username,
      upstream_registry_password: upstream.password,
      expiration_s: "7200",
      insecure: "1",
    });
    expect(saved.status).toBe(303);
    expect(saved.headers.get("location")).toBe(`${PATH}?saved`);
    const html = await (await owner.get(`${PATH}?saved`)).text();
    expect(html).toContain("Saved the proxy cache configuration.");
    const facts = /data-testid="proxy-cache-facts">([\s\S]*?)<\/dl>/.exec(html)![1]!.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");
    expect(facts).toContain(`Upstream registry ${upstream.host} `);
    expect(facts).toContain("Credentials Set");
    expect(facts).toContain("Expiration 2 hours");
    expect(facts).toContain("Insecure Yes");
    expect(html).not.toContain(upstream.password);
    expect(html).not.toContain('name="upstream_registry"');
    expect(html).toContain(`href="${PATH}/remove"`);

    const readOnly = await (await member.get(PATH)).text();
    expect(readOnly).toContain(upstream.host);
    expect(readOnly).not.toContain(`${PATH}/remove`);
    expect((await member.get(`${PATH}/remove`)).status).toBe(404);

    const confirm = await (await owner.get(`${PATH}/remove`)).text();
    expect(confirm).toContain("Remove the proxy cache configuration of cache?");
    expect(await findProxyCacheConfig(env.deps.db, org.namespaceId)).toBeDefined();
    const removed = await owner.post(`${PATH}/remove`, { _csrf: csrfFieldOf(confirm) });
    expect(removed.headers.get("location")).toBe(`${PATH}?removed`);
    expect(await findProxyCacheConfig(env.deps.db, org.namespaceId)).toBeUndefined();
    expect(await (await owner.get(`${PATH}?removed`)).text()).toContain("Not a proxy cache");
  });
});

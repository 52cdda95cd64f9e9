import { sql } from "drizzle-orm";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { basic, RegistryClient } from "../../e2e/support/registry-client.ts";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";
import { findRepository, setVisibility } from "../domain/repositories/repositories.ts";
import { CACHED_TAG_NAMES_MAX } from "../domain/content/tags.ts";
import { MAX_PAGE } from "./listings.ts";

let env: TestEnv;
let alice: RegistryClient;
let bob: RegistryClient;
const anonymous = () => new RegistryClient(env);

beforeAll(async () => {
  env = await testEnv();
  await env.user("alice");
  await env.user("bob");
  alice = new RegistryClient(env, { username: "alice", password: "password-alice" });
  bob = new RegistryClient(env, { username: "bob", password: "password-bob" });
  await alice.pushImage("alice/private", "latest");
  await alice.pushImage("alice/public", "latest");
  const repo = await findRepository(env.deps.db, { namespace: "alice", name: "public" });
  await setVisibility(env.deps, { principal: { kind: "anonymous" } }, repo!, "public");
});
afterAll(() => env.close());

async function tokenFor(client: "anonymous" | { username: string; password: string }, ...scopes: string[]) {
  const params = new URLSearchParams({ service: "registry.test" });
  for (const s of scopes) params.append("scope", s);
  const headers: Record<string, string> = client === "anonymous" ? {} : { authorization: basic(client.username, client.password) };
  return env.app.request(`/v2/auth?${params}`, { headers });
}

const grants = async (res: Response) => (decodeJwt(((await res.json()) as { token: string }).token) as { access: unknown[] }).access;

describe("token endpoint", () => {
  it("grants what the owner asks for on their own repositories", async () => {
    const res = await tokenFor({ username: "alice", password: "password-alice" }, "repository:alice/private:pull,push");
    expect(res.status).toBe(200);
    const body = (await res.clone().json()) as Record<string, unknown>;
    expect(typeof body.token).toBe("string");
    expect(body.expires_in).toBe(3600);
    const claims = decodeJwt(body.token as string);
    expect(claims.sub).toBe("alice");
    expect(claims.aud).toBe("registry.test");
    expect(claims.access).toEqual([{ type: "repository", name: "alice/private", actions: ["pull", "push"] }]);
  });

  it("downscopes silently: bob gets no actions on alice's private repository", async () => {
    const res = await tokenFor({ username: "bob", password: "password-bob" }, "repository:alice/private:pull,push");
    expect(res.status).toBe(200);
    expect(await grants(res)).toEqual([{ type: "repository", name: "alice/private", actions: [] }]);
  });

  it("grants only pull on a public repository to others and to anonymous callers", async () => {
    const bobs = await tokenFor({ username: "bob", password: "password-bob" }, "repository:alice/public:pull,push");
    expect(await grants(bobs)).toEqual([{ type: "repository", name: "alice/public", actions: ["pull"] }]);
    const anon = await tokenFor("anonymous", "repository:alice/public:pull,push");
    expect(anon.status).toBe(200);
    expect(await grants(anon)).toEqual([{ type: "repository", name: "alice/public", actions: ["pull"] }]);
  });

  it("grants push for a repository that does not exist yet only in the caller's namespace", async () => {
    const own = await tokenFor({ username: "bob", password: "password-bob" }, "repository:bob/new:pull,push");
    expect(await grants(own)).toEqual([{ type: "repository", name: "bob/new", actions: ["pull", "push"] }]);
    const foreign = await tokenFor({ username: "bob", password: "password-bob" }, "repository:alice/new:pull,push");
    expect(await grants(foreign)).toEqual([{ type: "repository", name: "alice/new", actions: [] }]);
  });

  it("answers 401 for bad credentials and for no credentials with no scope", async () => {
    const bad = await tokenFor({ username: "alice", password: "wrong" }, "repository:alice/private:pull");
    expect(bad.status).toBe(401);
    expect(((await bad.json()) as { errors: { code: string }[] }).errors[0]!.code).toBe("UNAUTHORIZED");
    expect((await env.app.request("/v2/auth?service=registry.test")).status).toBe(401);
  });

  it("answers 400 for malformed scopes and invalid names", async () => {
    const malformed = await tokenFor({ username: "alice", password: "password-alice" }, "nonsense");
    expect(malformed.status).toBe(400);
    const badName = await tokenFor({ username: "alice", password: "password-alice" }, "repository:Alice/Bad:pull");
    expect(badName.status).toBe(400);
    expect(((await badName.json()) as { errors: { code: string }[] }).errors[0]!.code).toBe("NAME_INVALID");
  });

  it("accepts a scope that names the registry host", async () => {
    const res = await tokenFor({ username: "alice", password: "password-alice" }, "repository:registry.test/alice/private:pull");
    expect(await grants(res)).toEqual([{ type: "repository", name: "alice/private", actions: ["pull"] }]);
  });
});

describe("enforcement on /v2", () => {
  it("challenges a request without credentials with the scope it needs", async () => {
    const res = await env.app.request("/v2/alice/public/manifests/latest");
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe(
      'Bearer realm="http://registry.test/v2/auth",service="registry.test",scope="repository:alice/public:pull"',
    );
  });

  it("lets anonymous callers pull public repositories with an anonymous token", async () => {
    const res = await anonymous().request("/v2/alice/public/manifests/latest");
    expect(res.status).toBe(200);
  });

  it("gives the same answer for a private repository and a missing one", async () => {
    const privateRes = await bob.request("/v2/alice/private/manifests/latest");
    const missingRes = await bob.request("/v2/alice/missing/manifests/latest");
    expect(privateRes.status).toBe(403);
    expect(missingRes.status).toBe(403);
    expect(await privateRes.json()).toEqual({
      errors: [{ code: "DENIED", message: "requested access to the resource is denied", detail: { repository: "alice/private", action: "pull" } }],
    });
    expect(((await missingRes.json()) as { errors: { code: string }[] }).errors[0]!.code).toBe("DENIED");

    const anonPrivate = await anonymous().request("/v2/alice/private/manifests/latest");
    const anonMissing = await anonymous().request("/v2/alice/missing/manifests/latest");
    expect(anonPrivate.status).toBe(401);
    expect(anonMissing.status).toBe(401);
    expect(await anonPrivate.text()).toBe(await anonMissing.text());
  });

  it("answers a denied HEAD with a challenge that says why (a 403 there would have no body)", async () => {
    for (const repo of ["alice/private", "alice/missing"]) {
      const res = await bob.request(`/v2/${repo}/blobs/sha256:${"0".repeat(64)}`, { method: "HEAD" });
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toContain(`scope="repository:${repo}:pull",error="insufficient_scope"`);
    }
  });

  it("denies pushes into another user's namespace and public repository", async () => {
    for (const repo of ["alice/public", "alice/private", "alice/fresh"]) {
      const res = await bob.request(`/v2/${repo}/blobs/uploads/`, { method: "POST" });
      expect(res.status).toBe(403);
    }
  });

  it("asks for a wider token when the token lacks an action the caller holds", async () => {
    const token = await alice.token("repository:alice/private:pull");
    const res = await env.app.request("/v2/alice/private/blobs/uploads/", {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toContain('scope="repository:alice/private:pull,push",error="insufficient_scope"');
  });

  it("rejects forged and foreign-audience tokens", async () => {
    const token = await alice.token("repository:alice/private:pull");
    const forged = `${token.slice(0, -4)}AAAA`;
    const res = await env.app.request("/v2/alice/private/manifests/latest", { headers: { authorization: `Bearer ${forged}` } });
    expect(res.status).toBe(401);
    const foreign = await env.deps.tokens.issue(
      { kind: "user", userId: 1, username: "alice", namespaceId: 1, superuser: false },
      "other.example",
      [{ type: "repository", name: "alice/private", actions: ["pull"] }],
    );
    const res2 = await env.app.request("/v2/alice/private/manifests/latest", { headers: { authorization: `Bearer ${foreign.token}` } });
    expect(res2.status).toBe(401);
  });

  it("accepts Basic credentials directly and applies the same permissions", async () => {
    const own = await env.app.request("/v2/alice/private/tags/list", { headers: { authorization: basic("alice", "password-alice") } });
    expect(own.status).toBe(200);
    const denied = await env.app.request("/v2/alice/private/tags/list", { headers: { authorization: basic("bob", "password-bob") } });
    expect(denied.status).toBe(403);
  });

  it("re-checks nothing secret per request: a token keeps working for its lifetime", async () => {
    const token = await alice.token("repository:alice/private:pull");
    for (let i = 0; i < 3; i++) {
      const res = await env.app.request("/v2/alice/private/manifests/latest", { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
    }
  });
});

describe("tags list and catalog", () => {
  it("pages tags with n/last and a Link header", async () => {
    const { body } = await alice.pushImage("alice/paged", "t00");
    for (const tag of ["t01", "t02", "t03", "t04"]) {
      await alice.pushManifest("alice/paged", tag, body, "application/vnd.oci.image.manifest.v1+json");
    }
    const all = await alice.request("/v2/alice/paged/tags/list");
    expect(await all.json()).toEqual({ name: "alice/paged", tags: ["t00", "t01", "t02", "t03", "t04"] });
    expect(all.headers.get("link")).toBeNull();
    const first = await alice.request("/v2/alice/paged/tags/list?n=2");
    expect(await first.json()).toEqual({ name: "alice/paged", tags: ["t00", "t01"] });
    expect(first.headers.get("link")).toBe('</v2/alice/paged/tags/list?n=2&last=t01>; rel="next"');
    const second = await alice.request("/v2/alice/paged/tags/list?n=2&last=t01");
    expect(((await second.json()) as { tags: string[] }).tags).toEqual(["t02", "t03"]);
    const end = await alice.request("/v2/alice/paged/tags/list?n=10&last=t03");
    expect(((await end.json()) as { tags: string[] }).tags).toEqual(["t04"]);
    expect(end.headers.get("link")).toBeNull();
    const bad = await alice.request("/v2/alice/paged/tags/list?n=-1");
    expect(bad.status).toBe(400);
  });

  it("pages a list longer than one response holds (and than the tag cache keeps) instead of cutting it short", async () => {
    await alice.pushImage("alice/many", "seed");
    const repo = await findRepository(env.deps.db, { namespace: "alice", name: "many" });
    await env.deps.db.execute(sql`
      insert into tags (repository_id, name, manifest_id, lifetime_start)
      select t.repository_id, 'bulk-' || lpad(g::text, 6, '0'), t.manifest_id, now()
      from tags t, generate_series(1, ${CACHED_TAG_NAMES_MAX}) g
      where t.repository_id = ${repo!.id} and t.name = 'seed'`);
    const seen: string[] = [];
    let path: string | undefined = "/v2/alice/many/tags/list";
    let pages = 0;
    while (path) {
      const res = await alice.request(path);
      seen.push(...((await res.json()) as { tags: string[] }).tags);
      path = res.headers.get("link")?.match(/^<([^>]+)>/)?.[1];
      pages++;
    }
    expect(pages).toBe(Math.ceil((CACHED_TAG_NAMES_MAX + 1) / MAX_PAGE));
    expect(seen).toHaveLength(CACHED_TAG_NAMES_MAX + 1);
    expect(new Set(seen).size).toBe(CACHED_TAG_NAMES_MAX + 1);
    const capped = await alice.request(`/v2/alice/many/tags/list?n=${MAX_PAGE * 2}`);
    expect(((await capped.json()) as { tags: string[] }).tags).toHaveLength(MAX_PAGE);
    expect(capped.headers.get("link")).toContain(`n=${MAX_PAGE}&last=`);
  });

  it("lists in the catalog only what the caller may see", async () => {
    const token = async (client: RegistryClient) => client.token("registry:catalog:*");
    const aliceCatalog = await env.app.request("/v2/_catalog", { headers: { authorization: `Bearer ${await token(alice)}` } });
    const names = ((await aliceCatalog.json()) as { repositories: string[] }).repositories;
    expect(names).toEqual(expect.arrayContaining(["alice/private", "alice/public"]));
    const bobCatalog = await env.app.request("/v2/_catalog", { headers: { authorization: `Bearer ${await token(bob)}` } });
    const bobNames = ((await bobCatalog.json()) as { repositories: string[] }).repositories;
    expect(bobNames).toContain("alice/public");
    expect(bobNames).not.toContain("alice/private");
    const paged = await env.app.request("/v2/_catalog?n=1", { headers: { authorization: `Bearer ${await token(alice)}` } });
    const page = (await paged.json()) as { repositories: string[] };
    expect(page.repositories).toHaveLength(1);
    expect(paged.headers.get("link")).toBe(`</v2/_catalog?n=1&last=${encodeURIComponent(page.repositories[0]!)}>; rel="next"`);
    expect((await env.app.request("/v2/_catalog")).status).toBe(401);
  });
});

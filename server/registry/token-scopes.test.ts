// `$oauthtoken` registry logins are capped by the OAuth token's scopes, at the token endpoint
// and over Basic alike: repo:read pulls, repo:write pushes and deletes, creating by push also
// needs repo:create.
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { basic, RegistryClient, sha256 } from "../../e2e/support/registry-client.ts";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";
import { ALL_SCOPES, createAccessToken } from "../domain/accounts/oauth-tokens.ts";
import { findRepository, setVisibility } from "../domain/repositories/repositories.ts";
import type { User } from "../domain/accounts/users.ts";

let env: TestEnv;
let alice: User;
let existing: { digest: string };

beforeAll(async () => {
  env = await testEnv();
  alice = await env.user("alice");
  const bob = await env.user("bob");
  const owner = new RegistryClient(env, { username: "alice", password: "password-alice" });
  existing = await owner.pushImage("alice/existing", "v1");
  await new RegistryClient(env, { username: "bob", password: "password-bob" }).pushImage("bob/public", "v1");
  const pub = await findRepository(env.deps.db, { namespace: "bob", name: "public" });
  await setVisibility(env.deps, { principal: { kind: "user", userId: bob.id, username: "bob", namespaceId: bob.namespaceId, superuser: false } }, pub!, "public");
});
afterAll(() => env.close());

const tokenWith = (...scopes: string[]) => createAccessToken(env.deps.db, alice.id, null, scopes);

async function grantedActions(token: string, repo: string): Promise<unknown> {
  const params = new URLSearchParams({ service: "registry.test", scope: `repository:${repo}:pull,push,delete` });
  const res = await env.app.request(`/v2/auth?${params}`, { headers: { authorization: basic("$oauthtoken", token) } });
  expect(res.status).toBe(200);
  const { access } = decodeJwt(((await res.json()) as { token: string }).token) as { access: { actions: string[] }[] };
  return access[0]!.actions;
}

/** A request carrying the OAuth token as Basic credentials on every call. */
const withBasic = (token: string, path: string, init: RequestInit = {}) =>
  env.app.request(path, { ...init, headers: { ...init.headers, authorization: basic("$oauthtoken", token) } });

async function expectDenied(res: Response) {
  expect(res.status).toBe(403);
  expect(((await res.json()) as { errors: { code: string }[] }).errors[0]!.code).toBe("DENIED");
}

const startUpload = (token: string, repo: string) => withBasic(token, `/v2/${repo}/blobs/uploads/`, { method: "POST" });

describe("a repo:read token", () => {
  it("is issued pull only", async () => {
    const token = await tokenWith("repo:read");
    expect(await grantedActions(token, "alice/existing")).toEqual(["pull"]);
    expect(await grantedActions(token, "alice/brand-new")).toEqual([]);
  });

  it("pulls over Basic but is refused push, creation by push and delete", async () => {
    const token = await tokenWith("repo:read");
    expect((await withBasic(token, "/v2/alice/existing/manifests/v1")).status).toBe(200);
    await expectDenied(await startUpload(token, "alice/existing"));
    await expectDenied(await startUpload(token, "alice/brand-new"));
    expect(await findRepository(env.deps.db, { namespace: "alice", name: "brand-new" })).toBeUndefined();
    await expectDenied(await withBasic(token, `/v2/alice/existing/manifests/${existing.digest}`, { method: "DELETE" }));
    expect((await withBasic(token, `/v2/alice/existing/manifests/${existing.digest}`)).status).toBe(200);
  });
});

describe("a repo:write token", () => {
  it("pushes to an existing repository, through a token and over Basic", async () => {
    const token = await tokenWith("repo:write");
    expect(await grantedActions(token, "alice/existing")).toEqual(["pull", "push", "delete"]);
    await new RegistryClient(env, { username: "$oauthtoken", password: token }).pushImage("alice/existing", "v2");
    const blob = "written over basic";
    const res = await withBasic(token, `/v2/alice/existing/blobs/uploads/?digest=${sha256(blob)}`, { method: "POST", body: blob });
    expect(res.status).toBe(201);
  });

  it("cannot create a repository without repo:create", async () => {
    const token = await tokenWith("repo:write");
    expect(await grantedActions(token, "alice/not-created")).toEqual([]);
    await expectDenied(await startUpload(token, "alice/not-created"));
    expect(await findRepository(env.deps.db, { namespace: "alice", name: "not-created" })).toBeUndefined();
  });

  it("creates by push with repo:create as well", async () => {
    const token = await tokenWith("repo:write", "repo:create");
    expect(await grantedActions(token, "alice/created")).toEqual(["pull", "push", "delete"]);
    await new RegistryClient(env, { username: "$oauthtoken", password: token }).pushImage("alice/created", "v1");
    expect(await findRepository(env.deps.db, { namespace: "alice", name: "created" })).toBeDefined();
  });
});

it("a token without repository scopes still pulls public repositories only", async () => {
  const token = await tokenWith("user:read");
  expect(await grantedActions(token, "bob/public")).toEqual(["pull"]);
  expect((await withBasic(token, "/v2/bob/public/manifests/v1")).status).toBe(200);
  expect(await grantedActions(token, "alice/existing")).toEqual([]);
});

it("a full-scope token does everything its user may", async () => {
  const token = await tokenWith(...ALL_SCOPES);
  const client = new RegistryClient(env, { username: "$oauthtoken", password: token });
  const pushed = await client.pushImage("alice/full", "v1");
  expect((await client.request(`/v2/alice/full/manifests/${pushed.digest}`, { method: "DELETE" })).status).toBe(202);
  expect(await grantedActions(token, "bob/public")).toEqual(["pull"]);
});

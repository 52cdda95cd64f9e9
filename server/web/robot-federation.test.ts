// Robot identity federation against a local OIDC provider (discovery document and keys on
// 127.0.0.1): a trusted issuer and subject's ID token is exchanged for an hour-long token that
// logs the robot in to the registry; anything else is refused in Quay's shapes, and regenerating
// the robot's token ends the exchanged ones too.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { basic } from "../../e2e/support/registry-client.ts";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";
import { createRobot, regenerateRobotToken, setRobotFederation } from "../domain/accounts/robots.ts";
import { toPrincipal, type User } from "../domain/accounts/users.ts";
import { createRepository } from "../domain/repositories/repositories.ts";

let env: TestEnv;
let alice: User;
let oidc: Server;
let issuer: string;
let privateKey: CryptoKey;

beforeAll(async () => {
  const keys = await generateKeyPair("RS256");
  privateKey = keys.privateKey as CryptoKey;
  const jwk: JWK = { ...(await exportJWK(keys.publicKey)), kid: "k1", alg: "RS256", use: "sig" };
  oidc = createServer((req, res) => {
    res.setHeader("content-type", "application/json");
    if (req.url === "/.well-known/openid-configuration") res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/keys` }));
    else if (req.url === "/keys") res.end(JSON.stringify({ keys: [jwk] }));
    else res.writeHead(404).end("{}");
  });
  await new Promise<void>((resolve) => oidc.listen(0, "127.0.0.1", resolve));
  issuer = `http://127.0.0.1:${(oidc.address() as AddressInfo).port}`;

  env = await testEnv();
  alice = await env.user("alice");
  const actor = { principal: toPrincipal(alice) };
  await createRobot(env.deps.db, { id: alice.namespaceId, name: "alice" }, "ci", {}, actor);
  await setRobotFederation(env.deps.db, { id: alice.namespaceId, name: "alice" }, "ci", [{ issuer, subject: "repo:app:main" }], actor);
  await createRepository(env.deps.db, actor, { namespace: "alice", name: "app", visibility: "private" });
});

afterAll(async () => {
  await env.close();
  await new Promise((resolve) => oidc.close(resolve));
});

const idToken = (claims: { iss?: string; sub?: string }, key = privateKey) =>
  new SignJWT({})
    .setProtectedHeader({ alg: "RS256", kid: "k1" })
    .setIssuer(claims.iss ?? issuer)
    .setSubject(claims.sub ?? "repo:app:main")
    .setIssuedAt()
    .setExpirationTime("5m")
    .sign(key);

const exchange = (authorization?: string) =>
  env.app.request("/oauth2/federation/robot/token", { headers: authorization ? { authorization } : {} });

describe("GET /oauth2/federation/robot/token", () => {
  it("exchanges a trusted ID token for a registry password of the robot", async () => {
    const res = await exchange(basic("alice+ci", await idToken({})));
    expect(res.status).toBe(200);
    const { token } = (await res.json()) as { token: string };
    const login = basic("alice+ci", token);
    expect((await env.app.request("/v2/", { headers: { authorization: login } })).status).toBe(200);
    // It is the robot, not its owner: no rights on alice's repository without a grant.
    const granted = await env.app.request("/v2/auth?service=registry.test&scope=repository:alice/app:pull", { headers: { authorization: login } });
    expect(granted.status).toBe(200);
    // Not a password for anyone else, nor a bearer token.
    expect((await env.app.request("/v2/", { headers: { authorization: basic("alice+other", token) } })).status).toBe(401);
    expect((await env.app.request("/v2/", { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);

    await regenerateRobotToken(env.deps.db, { id: alice.namespaceId, name: "alice" }, "ci", { principal: toPrincipal(alice) });
    // Every node drops the robot's old state once the change is announced.
    await expect
      .poll(async () => (await env.app.request("/v2/", { headers: { authorization: login } })).status, { interval: 20, timeout: 2000 })
      .toBe(401);
  });

  it("refuses untrusted subjects, issuers and keys with 400 {message}", async () => {
    const other = await generateKeyPair("RS256");
    for (const token of [
      await idToken({ sub: "repo:app:feature" }),
      await idToken({ iss: "http://127.0.0.1:9/elsewhere" }),
      await idToken({}, other.privateKey as CryptoKey),
      "not-a-jwt",
    ]) {
      const res = await exchange(basic("alice+ci", token));
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ message: "The token is not from an issuer and subject this robot trusts" });
    }
  });

  it("answers 401 {error} without a robot", async () => {
    expect((await exchange()).status).toBe(401);
    expect(await (await exchange()).json()).toEqual({ error: "missing auth" });
    const unknown = await exchange(basic("alice+nobody", await idToken({})));
    expect(unknown.status).toBe(401);
    expect(await unknown.json()).toEqual({ error: "Could not find robot with specified username" });
    expect((await exchange(basic("alice", await idToken({})))).status).toBe(401);
  });
});

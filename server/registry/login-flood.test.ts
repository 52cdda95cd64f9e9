// Wrong passwords in bulk, through a real HTTP server: /v2 Basic and /v2/auth answer 429
// TOOMANYREQUESTS with Retry-After, blob pulls go on meanwhile, and behind a trusted proxy the
// limits follow the address X-Forwarded-For names (and only then).
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { basic, sha256 } from "../../e2e/support/registry-client.ts";
import { type TestServer, testServer } from "../../e2e/support/test-app.ts";
import { ACCOUNT_LIMITS } from "../domain/accounts/login-throttle.ts";
import { createUser } from "../domain/accounts/users.ts";

const anonymousActor = { principal: { kind: "anonymous" as const } };

async function tokenFor(server: TestServer, authorization: string, scope: string, headers: Record<string, string> = {}) {
  return fetch(`${server.url}/v2/auth?${new URLSearchParams({ scope })}`, { headers: { authorization, ...headers } });
}

describe("a login flood from one address", () => {
  let server: TestServer;
  const blob = randomBytes(4 * 1024 * 1024);
  const digest = sha256(blob);
  let token: string;

  beforeAll(async () => {
    server = await testServer();
    await createUser(server.deps.db, { username: "alice", password: "password-alice" }, anonymousActor);
    const push = await fetch(`${server.url}/v2/alice/app/blobs/uploads/?digest=${digest}`, {
      method: "POST",
      headers: { authorization: basic("alice", "password-alice") },
      body: blob,
    });
    expect(push.status).toBe(201);
    // A client that logged in before the flood pulls with its bearer token.
    const res = await tokenFor(server, basic("alice", "password-alice"), "repository:alice/app:pull");
    token = ((await res.json()) as { token: string }).token;
  });
  afterAll(() => server.close());

  it("gets 429 TOOMANYREQUESTS with Retry-After, while a blob GET still completes", async () => {
    const wrong = basic("alice", "not-the-password");
    const flood = Promise.all(
      Array.from({ length: 32 }, async () => {
        const answers: { status: number; retryAfter: string | null; body: string }[] = [];
        for (let i = 0; i < 3; i++) {
          const res = await fetch(`${server.url}/v2/`, { headers: { authorization: wrong } });
          answers.push({ status: res.status, retryAfter: res.headers.get("retry-after"), body: await res.text() });
        }
        return answers;
      }),
    );
    const pull = await fetch(`${server.url}/v2/alice/app/blobs/${digest}`, { headers: { authorization: `Bearer ${token}` } });
    expect(pull.status).toBe(200);
    expect(Buffer.from(await pull.arrayBuffer()).equals(blob)).toBe(true);

    const answers = (await flood).flat();
    const refused = answers.filter((r) => r.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    expect(answers.every((r) => r.status === 401 || r.status === 429)).toBe(true);
    for (const r of refused) {
      expect(Number(r.retryAfter)).toBeGreaterThan(0);
      expect((JSON.parse(r.body) as { errors: { code: string }[] }).errors[0]!.code).toBe("TOOMANYREQUESTS");
    }
  });

  it("refuses the token endpoint the same way", async () => {
    const res = await tokenFor(server, basic("alice", "still-wrong"), "repository:alice/app:pull");
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(((await res.json()) as { errors: { code: string }[] }).errors[0]!.code).toBe("TOOMANYREQUESTS");
  });
});

describe("behind a trusted proxy", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await testServer({ QUAYSIDE_TRUSTED_PROXIES: "127.0.0.1" });
    await createUser(server.deps.db, { username: "bob", password: "password-bob" }, anonymousActor);
  });
  afterAll(() => server.close());

  const from = (address: string) => ({ "x-forwarded-for": address });
  const scope = "repository:bob/app:pull";

  it("limits each forwarded address, and lets the owner's known address in during a flood on the account", async () => {
    // Bob has signed in from his machine before.
    expect((await tokenFor(server, basic("bob", "password-bob"), scope, from("192.0.2.7"))).status).toBe(200);
    // Many addresses guess bob's password, each a few times.
    for (let i = 0; i < ACCOUNT_LIMITS.burst; i++) {
      const res = await tokenFor(server, basic("bob", `guess-${i}`), scope, from(`198.51.100.${i}`));
      expect(res.status).toBe(401);
    }
    // Strangers are now slowed on bob's account, whatever address they come from...
    const stranger = await tokenFor(server, basic("bob", "guess-x"), scope, from("203.0.113.9"));
    expect(stranger.status).toBe(429);
    expect(Number(stranger.headers.get("retry-after"))).toBeGreaterThan(0);
    // ...but bob's known address signs in (a fresh password check: the web form remembers nothing).
    const page = await fetch(`${server.url}/signin`, { headers: from("192.0.2.7") });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1]!;
    const cookie = page.headers.getSetCookie().map((l) => l.split(";")[0]).join("; ");
    const signin = await fetch(`${server.url}/signin`, {
      method: "POST",
      redirect: "manual",
      headers: { ...from("192.0.2.7"), cookie, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ _csrf: csrf, username: "bob", password: "password-bob" }),
    });
    expect(signin.status).toBe(303);
  });

  it("ignores X-Forwarded-For from a peer that is not a trusted proxy", async () => {
    const untrusted = await testServer();
    try {
      // Every request comes from 127.0.0.1 whatever it claims, so the address limit bites.
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) {
        const res = await tokenFor(untrusted, basic(`nobody${i}`, "wrong"), scope, from(`198.51.100.${i}`));
        statuses.push(res.status);
        await res.body?.cancel();
      }
      expect(statuses).toContain(429);
    } finally {
      await untrusted.close();
    }
  });
});

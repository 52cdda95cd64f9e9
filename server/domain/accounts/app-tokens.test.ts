// App-token logins and the failed-login limits: a flood of `$app` guesses slows its address, not
// the holders of real tokens elsewhere.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestEnv, testEnv } from "../../../e2e/support/test-app.ts";
import { DomainError } from "../errors.ts";
import { ADDRESS_LIMITS, LoginThrottle } from "./login-throttle.ts";
import { authenticateAppToken, createAppToken } from "./app-tokens.ts";

let env: TestEnv;
beforeAll(async () => {
  env = await testEnv();
});
afterAll(() => env.close());

describe("authenticateAppToken", () => {
  it("limits `$app` guesses per address without locking out real tokens on other addresses", async () => {
    const alice = await env.user("alice");
    const { code } = await createAppToken(env.deps, alice, "ci", undefined, { principal: { kind: "anonymous" } });
    const deps = { db: env.deps.db, clock: env.deps.clock, logins: new LoginThrottle(env.deps.clock) };
    const guess = () => "Z".repeat(120);

    let refused = 0;
    for (let i = 0; i < ADDRESS_LIMITS.burst + 5; i++) {
      await authenticateAppToken(deps, { username: "$app", code: guess(), ip: "10.0.0.1" }).catch((err: unknown) => {
        if (!(err instanceof DomainError) || err.code !== "TOO_MANY_REQUESTS") throw err;
        refused++;
      });
    }
    expect(refused).toBeGreaterThan(0);
    // A CI runner on an address never seen before still logs in with the real token.
    const login = await authenticateAppToken(deps, { username: "$app", code, ip: "10.0.0.2" });
    expect(login?.user.username).toBe("alice");
  });
});

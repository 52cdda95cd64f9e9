import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog } from "../../db/schema.ts";
import { ApiClient } from "../../e2e/support/api-client.ts";
import { csrfFieldOf, PageClient, signedInClient } from "../../e2e/support/page-client.ts";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";
import type { User } from "../domain/accounts/users.ts";

describe("Generate API token (/settings/api-token)", () => {
  let env: TestEnv;
  let alice: User;
  beforeAll(async () => {
    env = await testEnv();
    alice = await env.user("alice");
  });
  afterAll(() => env.close());

  const generate = async (browser: PageClient, scopes: string[]) => {
    const html = await (await browser.get("/settings/api-token")).text();
    const body = new URLSearchParams({ _csrf: csrfFieldOf(html) });
    for (const s of scopes) body.append("scope", s);
    return browser.request("/settings/api-token", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: body.toString(),
    });
  };

  it("sends signed-out visitors to sign in", async () => {
    const res = await new PageClient(env.app).get("/settings/api-token");
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/signin?next=%2Fsettings%2Fapi-token");
  });

  it("offers the scopes (super:user only to superusers) and shows a token holding exactly the chosen ones", async () => {
    const browser = await signedInClient(env.app, "alice");
    const form = await (await browser.get("/settings/api-token")).text();
    expect(form).toContain('value="repo:read"');
    expect(form).not.toContain('value="super:user"');
    // A tab of the settings pages.
    expect(form).toMatch(/href="\/settings\/api-token" aria-current="page"/);

    const res = await generate(browser, ["repo:read", "user:read"]);
    expect(res.status).toBe(200);
    const token = /id="new-token-value" type="text" readonly="" value="([^"]+)"/.exec(await res.text())![1]!;
    const api = new ApiClient(env, { kind: "token", token });
    expect((await api.get<{ username: string }>("/user/")).body.username).toBe("alice");
    // Not repo:create: the user may create in their namespace, the token may not.
    const create = await api.post("/repository", { namespace: "alice", repository: "r", visibility: "private", description: "" });
    expect(create.status).toBe(403);

    const rows = await env.deps.db.select().from(auditLog).where(eq(auditLog.namespaceId, alice.namespaceId));
    expect(rows.map((r) => r.kind)).toEqual(expect.arrayContaining(["create_application", "oauth_token_assigned"]));
    expect(rows.find((r) => r.kind === "oauth_token_assigned")!.metadata).toMatchObject({ application: "automation", scope: "repo:read user:read" });
    // The second token reuses the automation application.
    await generate(browser, ["repo:write"]);
    const again = await env.deps.db.select().from(auditLog).where(eq(auditLog.namespaceId, alice.namespaceId));
    expect(again.filter((r) => r.kind === "create_application")).toHaveLength(1);
  });

  it("asks for at least one offered scope, next to the choices", async () => {
    const browser = await signedInClient(env.app, "alice");
    for (const scopes of [[], ["super:user"], ["repo:everything"]]) {
      const res = await generate(browser, scopes);
      expect(res.status).toBe(400);
      const html = await res.text();
      expect(html).toContain("Choose at least one of these permissions");
      expect(html).not.toContain("new-token-value");
    }
  });
});

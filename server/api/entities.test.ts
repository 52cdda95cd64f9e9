import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { users } from "../../db/schema.ts";
import { ApiClient, sessionClient, tokenClient } from "../../e2e/support/api-client.ts";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";
import { avatar } from "./avatar.ts";
import { createOrganization } from "../domain/accounts/organizations.ts";
import { toPrincipal, type User } from "../domain/accounts/users.ts";

describe("GET /api/v1/entities/{prefix}", () => {
  let env: TestEnv;
  let alice: User;
  beforeAll(async () => {
    env = await testEnv();
    alice = await env.user("alice");
    await env.user("alfred");
    await env.user("bob");
    const org = await createOrganization(env.deps.db, { name: "acme", email: "acme@example.com" }, { principal: toPrincipal(alice) });
    const aliceNs = alice.namespaceId;
    await env.deps.db.insert(users).values([
      { kind: "robot", username: "acme+alpha", email: "", robotOwnerNamespaceId: org.namespaceId },
      { kind: "robot", username: "alice+alpine", email: "", robotOwnerNamespaceId: aliceNs },
    ]);
  });
  afterAll(() => env.close());

  const user = (name: string, email: string) => ({ name, kind: "user", is_robot: false, avatar: avatar(name, email, "user") });

  it("finds people by prefix; robots only of a namespace the caller may see", async () => {
    const anon = new ApiClient(env);
    const res = await anon.get("/entities/al?namespace=acme");
    expect(res.status).toBe(200);
    // Not a member of acme: no robots, but membership is told.
    expect(res.body).toEqual({
      results: [
        { ...user("alfred", emailOf("alfred")), is_org_member: false },
        { ...user("alice", emailOf("alice")), is_org_member: true },
      ],
    });
  });

  it("adds the organization's robots and teams for its members, and the org for admins", async () => {
    const api = await sessionClient(env, alice);
    const res = await api.get("/entities/a?namespace=acme&includeTeams=true&includeOrgs=True");
    expect(res.body).toEqual({
      results: [
        { name: "acme+alpha", kind: "user", is_robot: true, avatar: avatar("acme+alpha", "", "robot"), is_org_member: true },
        { ...user("alfred", emailOf("alfred")), is_org_member: false },
        { ...user("alice", emailOf("alice")), is_org_member: true },
        { name: "acme", kind: "org", is_org_member: true, avatar: avatar("acme", "acme@example.com", "org") },
      ],
    });
    const teams = await api.get("/entities/own?namespace=acme&includeTeams=true");
    expect(teams.body).toEqual({ results: [{ name: "owners", kind: "team", is_org_member: true, avatar: avatar("owners", "owners", "team") }] });
  });

  it("lists one's own robots only with user:admin", async () => {
    const api = await sessionClient(env, alice);
    const own = await api.get<{ results: { name: string }[] }>("/entities/alp?namespace=alice");
    expect(own.body.results.map((r) => r.name)).toEqual(["alice+alpine"]);
    const reader = await tokenClient(env, alice, ["user:read"]);
    expect((await reader.get("/entities/alp?namespace=alice")).body).toEqual({ results: [] });
  });
});

const emailOf = (name: string) => `${name}@localhost`;

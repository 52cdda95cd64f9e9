// Organizations through the registry: what a team's role and grants let its members do with the
// organization's repositories, on this node and (after a membership change) on every other one.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type Database } from "../../db/client.ts";
import { teamRepoPermissions } from "../../db/schema.ts";
import { basic, RegistryClient } from "../../e2e/support/registry-client.ts";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";
import { buildApp } from "../app.ts";
import { createOrganization, type Organization } from "../domain/accounts/organizations.ts";
import { addTeamMember, removeTeamMember, saveTeam, type Team, type TeamRole } from "../domain/accounts/teams.ts";
import { type Account, findAccount } from "../domain/accounts/teams.ts";
import { createRobot } from "../domain/accounts/robots.ts";
import { toPrincipal, type User } from "../domain/accounts/users.ts";
import { findRepository } from "../domain/repositories/repositories.ts";
import { buildDeps } from "../runtime.ts";

type App = ReturnType<typeof buildApp>;

let env: TestEnv;
let otherNode: App;
let otherDatabase: Database;
let alice: User;
let org: Organization;
const client = (name: string) => new RegistryClient(env, { username: name, password: `password-${name}` });
const asAlice = () => ({ principal: toPrincipal(alice) });

beforeAll(async () => {
  env = await testEnv();
  otherDatabase = connect(env.config.databaseUrl!, { max: 2 });
  otherNode = buildApp(await buildDeps(env.config, otherDatabase));
  alice = await env.user("alice");
  org = await createOrganization(env.deps.db, { name: "acme" }, asAlice());
  await client("alice").pushImage("acme/app", "latest");
});
afterAll(async () => {
  await otherDatabase.close();
  await env.close();
});

/** A new user in a new team of acme with `role`. */
async function memberOf(teamName: string, role: TeamRole, username: string): Promise<{ user: User; team: Team }> {
  const user = await env.user(username);
  const { team } = await saveTeam(env.deps, asAlice(), org, teamName, { role });
  await addTeamMember(env.deps, asAlice(), org, team, user as Account);
  return { user, team };
}

async function grant(team: Team, repoName: string, role: "read" | "write" | "admin") {
  const repo = await findRepository(env.deps.db, { namespace: "acme", name: repoName });
  await env.deps.db.insert(teamRepoPermissions).values({ repositoryId: repo!.id, teamId: team.id, role });
}

async function actionsOn(app: App, username: string, repo: string, password = `password-${username}`): Promise<string[]> {
  const params = new URLSearchParams({ service: "registry.test", scope: `repository:${repo}:pull,push,delete` });
  const res = await app.request(`/v2/auth?${params}`, { headers: { authorization: basic(username, password) } });
  expect(res.status).toBe(200);
  const token = ((await res.json()) as { token: string }).token;
  const claims = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()) as { access: { actions: string[] }[] };
  return claims.access[0]!.actions;
}

async function eventually(check: () => Promise<boolean>) {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error("never became true");
}

describe("an organization's teams in the registry", () => {
  it("a member of a team granted write pushes to that repository, and may not create others", async () => {
    const { team } = await memberOf("devs", "member", "bob");
    await grant(team, "app", "write");
    await client("bob").pushImage("acme/app", "v2");
    expect(await actionsOn(env.app, "bob", "acme/app")).toEqual(["pull", "push", "delete"]);
    expect(await actionsOn(env.app, "bob", "acme/fresh")).toEqual([]);
  });

  it("a member-role team without a grant is refused a private repository", async () => {
    await memberOf("readers", "member", "carol");
    expect(await actionsOn(env.app, "carol", "acme/app")).toEqual([]);
    const res = await client("carol").request("/v2/acme/app/manifests/latest");
    expect(res.status).toBe(403);
    expect(((await res.json()) as { errors: { code: string }[] }).errors[0]!.code).toBe("DENIED");
  });

  it("a creator-role team's member creates a repository by pushing, and an admin pulls it", async () => {
    await memberOf("builders", "creator", "dave");
    await client("dave").pushImage("acme/built", "latest");
    expect(await actionsOn(env.app, "dave", "acme/built")).toEqual(["pull", "push", "delete"]);
    expect(await actionsOn(env.app, "dave", "acme/app")).toEqual([]); // creating grants nothing elsewhere
    expect((await client("alice").request("/v2/acme/built/manifests/latest")).status).toBe(200);
    expect(await actionsOn(env.app, "alice", "acme/app")).toEqual(["pull", "push", "delete"]);
  });

  it("an admin team's member holds every repository of the organization", async () => {
    await memberOf("leads", "admin", "erin");
    for (const repo of ["acme/app", "acme/built", "acme/not-yet"]) {
      expect(await actionsOn(env.app, "erin", repo)).toEqual(["pull", "push", "delete"]);
    }
  });
});

describe("an organization's robot", () => {
  it("pushes where its team is granted write, and creates nothing with a member-role team", async () => {
    const { robot, token } = await createRobot(env.deps.db, { id: org.namespaceId, name: "acme" }, "ci", {}, asAlice());
    const { team } = await saveTeam(env.deps, asAlice(), org, "robots", { role: "member" });
    await addTeamMember(env.deps, asAlice(), org, team, (await findAccount(env.deps.db, robot.name))!);
    await grant(team, "app", "write");
    const ci = new RegistryClient(env, { username: robot.name, password: token });
    await ci.pushImage("acme/app", "from-ci");
    expect(await actionsOn(env.app, robot.name, "acme/app", token)).toEqual(["pull", "push", "delete"]);
    await expect(ci.pushImage("acme/new-by-robot", "latest")).rejects.toThrow(/403/);
  });
});

describe("membership changes on every node", () => {
  it("joining a granted team takes effect on another node that remembered the refusal", async () => {
    const frank = await env.user("frank");
    const { team } = await saveTeam(env.deps, asAlice(), org, "pushers", { role: "member" });
    await grant(team, "app", "write");
    await eventually(async () => (await actionsOn(otherNode, "frank", "acme/app")).length === 0); // memoised there
    await addTeamMember(env.deps, asAlice(), org, team, frank as Account);
    await eventually(async () => (await actionsOn(otherNode, "frank", "acme/app")).includes("push"));
    expect(await actionsOn(env.app, "frank", "acme/app")).toEqual(["pull", "push", "delete"]);
  });

  it("leaving it, or the team losing its admin role, ends the rights on another node", async () => {
    const { user: gina, team } = await memberOf("ops", "admin", "gina");
    expect(await actionsOn(otherNode, "gina", "acme/app")).toEqual(["pull", "push", "delete"]);
    await saveTeam(env.deps, asAlice(), org, "ops", { role: "member" });
    await eventually(async () => (await actionsOn(otherNode, "gina", "acme/app")).length === 0);

    const { team: pushers } = await saveTeam(env.deps, asAlice(), org, "pushers", { role: "member" });
    await addTeamMember(env.deps, asAlice(), org, pushers, gina as Account);
    await eventually(async () => (await actionsOn(otherNode, "gina", "acme/app")).includes("push"));
    await removeTeamMember(env.deps, asAlice(), org, pushers, gina as Account);
    await eventually(async () => (await actionsOn(otherNode, "gina", "acme/app")).length === 0);
    expect(team.role).toBe("admin");
  });
});

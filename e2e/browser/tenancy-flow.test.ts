// Issue 10's acceptance flow in Chromium, one story from end to end: an owner creates an
// organization and a team, invites a person by name (the mail lands in an SMTP sink on loopback),
// the person accepts the mailed link in a browser context of their own, the owner creates a robot,
// grants it Write on a repository and opens its Kubernetes pull secret, whose credentials the
// registry then honours for a push. Every page visited passes the accessibility check.
import type { Browser, Page } from "playwright";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser, findUserByName, toPrincipal } from "../../server/domain/accounts/users.ts";
import { createRepository } from "../../server/domain/repositories/repositories.ts";
import { basic } from "../support/registry-client.ts";
import { type SmtpSink, startSmtpSink } from "../support/smtp-sink.ts";
import { type TestServer, testServer } from "../support/test-app.ts";
import { DESKTOP, expectAccessible, launchChromium, openPage, signIn, textOf } from "./browser.ts";

let server: TestServer;
let smtp: SmtpSink;
let browser: Browser;

beforeAll(async () => {
  smtp = await startSmtpSink();
  server = await testServer({ QUAYSIDE_SMTP_URL: smtp.url });
  for (const username of ["owner", "dana"]) {
    const account = { username, password: `${username}-password`, email: `${username}@example.test` };
    await createUser(server.deps.db, account, { principal: { kind: "anonymous" } });
  }
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await smtp?.close();
});

/** Goes to `path` on the server and checks the page it lands on. */
async function visit(page: Page, path: string): Promise<void> {
  await page.goto(`${server.url}${path}`);
  await expectAccessible(page);
}

/** The Kubernetes secret's fields, from its YAML lines (two levels, as the page writes it). */
function secretFields(yaml: string): Record<string, string> {
  const fields: Record<string, string> = {};
  let parent = "";
  for (const line of yaml.split("\n").filter(Boolean)) {
    const [, indent, key, value] = /^( *)([^:]+):\s*(.*)$/.exec(line)!;
    if (indent === "") parent = key!;
    fields[indent === "" ? key! : `${parent}.${key}`] = value!;
  }
  return fields;
}

describe("tenancy flow", () => {
  it("organization, team, invitation accepted by mail, robot with Write, its Kubernetes secret", async () => {
    const owner = await openPage(browser, DESKTOP);
    await signIn(owner, server.url, "owner", "owner-password");

    // An organization, from the repositories list.
    await visit(owner, "/repositories");
    await owner.click('[data-testid="create-organization"]');
    await owner.waitForURL(`${server.url}/organizations/new`);
    await expectAccessible(owner);
    await owner.fill("#field-name", "harbor");
    await owner.fill("#field-email", "ops@harbor.test");
    await owner.click('button[type="submit"]:has-text("Create organization")');
    await owner.waitForURL(`${server.url}/organization/harbor`);
    await expectAccessible(owner);
    const ownerUser = (await findUserByName(server.deps.db, "owner"))!;
    await createRepository(server.deps.db, { principal: toPrincipal(ownerUser) }, { namespace: "harbor", name: "app", visibility: "private" });

    // A team.
    await owner.click('a.pf-v6-c-tabs__link:has-text("Teams and membership")');
    await owner.waitForURL(`${server.url}/organization/harbor/teams`);
    await expectAccessible(owner);
    await owner.fill("#field-name", "builders");
    await owner.fill("#field-description", "People who ship");
    await owner.selectOption("#field-role", "member");
    await owner.click('[data-testid="create-team"] button[type="submit"]');
    await owner.waitForURL(`${server.url}/organization/harbor/teams/builders`);
    expect(await textOf(owner, "team-role")).toContain("Member");
    await expectAccessible(owner);

    // Dana, new to the organization, is invited by name: a mail, and "invited" on the team.
    await owner.fill("#field-member", "dana");
    await owner.click('[data-testid="add-member"] button[type="submit"]');
    await owner.waitForURL(`${server.url}/organization/harbor/teams/builders?invited=dana`);
    expect(await textOf(owner, "invited")).toContain("dana was invited by mail");
    await expectAccessible(owner);
    const code = smtp.invitationCode("dana@example.test");

    // Dana accepts the mailed link in a browser context of her own.
    const dana = await openPage(browser, DESKTOP);
    await signIn(dana, server.url, "dana", "dana-password");
    await visit(dana, `/confirminvite?code=${encodeURIComponent(code)}`);
    expect(await dana.textContent("h1")).toBe("Join team builders of harbor?");
    await dana.click('[data-testid="accept"]');
    await dana.waitForURL(`${server.url}/organization/harbor/teams/builders`);
    expect(await dana.locator('[data-testid="team-member-row"]').allTextContents()).toEqual([expect.stringContaining("dana")]);
    await expectAccessible(dana);
    await dana.context().close();

    // A robot, then Write on the repository from the robot's page.
    await visit(owner, "/organization/harbor/robots");
    await owner.click('[data-testid="create-robot-button"]');
    await owner.waitForURL(`${server.url}/organization/harbor/robots?create=1`);
    await expectAccessible(owner);
    await owner.fill("#field-short", "deployer");
    await owner.fill("#field-description", "Rolls out releases");
    await owner.click('[data-testid="create-robot"] button[type="submit"]');
    await owner.waitForURL(`${server.url}/organization/harbor/robots/deployer`);
    await expectAccessible(owner);
    await owner.getByLabel("Role on app", { exact: true }).selectOption("write");
    await owner.getByRole("button", { name: "Save the role on app" }).click();
    await owner.waitForURL((url) => url.searchParams.get("saved") === "app");
    expect(await owner.getByLabel("Role on app", { exact: true }).inputValue()).toBe("write");
    await expectAccessible(owner);

    // Its Kubernetes secret: a dockerconfigjson pull secret holding the robot's own credentials.
    const token = await textOf(owner, "robot-token");
    const fields = secretFields(await textOf(owner, "kubernetes-secret"));
    const host = new URL(server.url).host;
    expect(fields).toEqual({
      apiVersion: "v1",
      kind: "Secret",
      metadata: "",
      "metadata.name": "harbor-deployer-pull-secret",
      data: "",
      "data..dockerconfigjson": expect.any(String),
      type: "kubernetes.io/dockerconfigjson",
    });
    const config = JSON.parse(Buffer.from(fields["data..dockerconfigjson"]!, "base64").toString()) as { auths: Record<string, { auth: string }> };
    expect(Object.keys(config.auths)).toEqual([host]);
    const [username, password] = Buffer.from(config.auths[host]!.auth, "base64").toString().split(":");
    expect([username, password]).toEqual(["harbor+deployer", token]);

    // What the secret holds is what the registry honours: Write means push on that repository.
    const auth = await fetch(`${server.url}/v2/auth?service=${host}&scope=repository:harbor/app:push,pull`, {
      headers: { authorization: basic(username!, password!) },
    });
    expect(auth.status).toBe(200);
    const { token: jwt } = (await auth.json()) as { token: string };
    const claims = JSON.parse(Buffer.from(jwt.split(".")[1]!, "base64url").toString()) as { access: { name: string; actions: string[] }[] };
    expect(claims.access).toEqual([{ type: "repository", name: "harbor/app", actions: expect.arrayContaining(["push", "pull"]) }]);
    await owner.context().close();
  });
});

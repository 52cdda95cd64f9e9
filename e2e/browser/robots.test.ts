// Robot accounts in Chromium: an empty list, the create form refusing a bad name at its field,
// the credentials page (token, docker/podman login, config.json, Kubernetes secret, Mesos
// tarball), setting the robot's role on its organization's repositories, regenerating and
// deleting after a confirmation page.
// Every page visited passes the accessibility check.
import { gunzipSync } from "node:zlib";
import type { Browser, Page } from "playwright";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { repoPermissions, users } from "../../db/schema.ts";
import { createOrganization } from "../../server/domain/accounts/organizations.ts";
import { createRepository } from "../../server/domain/repositories/repositories.ts";
import { createUser, toPrincipal } from "../../server/domain/accounts/users.ts";
import { type TestServer, testServer } from "../support/test-app.ts";
import { DESKTOP, fitsViewport, focusedId, launchChromium, MOBILE, openPage, signIn, expectAccessible, textOf } from "./browser.ts";

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  server = await testServer();
  const alice = await createUser(server.deps.db, { username: "alice", password: "alice-password" }, { principal: { kind: "anonymous" } });
  await createOrganization(server.deps.db, { name: "acme" }, { principal: toPrincipal(alice) });
  for (const name of ["app", "web"]) {
    await createRepository(server.deps.db, { principal: toPrincipal(alice) }, { namespace: "acme", name, visibility: "private" });
  }
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const signInAsAlice = (page: Page) => signIn(page, server.url, "alice", "alice-password");

describe("robot accounts", () => {
  it("are created, shown with their credentials, regenerated and deleted, each destructive step confirmed", async () => {
    const page = await openPage(browser, DESKTOP);
    await signInAsAlice(page);
    await page.goto(`${server.url}/settings/robots`);
    // A tab of the user's settings.
    expect(await page.textContent('.pf-v6-c-tabs__link[aria-current="page"]')).toContain("Robot accounts");
    expect(await page.textContent("h2")).toContain("Robot accounts");
    expect(await page.locator('[data-testid="empty-state"]').count()).toBe(1);
    await expectAccessible(page);

    await page.click('[data-testid="create-robot-button"]');
    await page.fill("#field-short", "Bad Name");
    await page.click('[data-testid="create-robot"] button[type="submit"]');
    expect(await page.textContent("#field-short-helper")).toContain("The name for the robot 'Bad Name' is invalid");
    expect(await focusedId(page, "field-short")).toBe("field-short");
    await page.screenshot({ path: "/tmp/quayside-robot-create.png", fullPage: true, animations: "disabled" });
    await expectAccessible(page);

    await page.fill("#field-short", "ci");
    await page.fill("#field-description", "Pipeline pushes");
    await page.click('[data-testid="create-robot"] button[type="submit"]');
    await page.waitForURL(`${server.url}/settings/robots/ci`);
    const token = await textOf(page, "robot-token");
    expect(token).toMatch(/^[A-Z0-9]{64}$/);
    const host = new URL(server.url).host;
    expect(await textOf(page, "docker-login")).toBe(`docker login -u='alice+ci' -p='${token}' ${host}`);
    expect(await textOf(page, "podman-login")).toBe(`podman login -u='alice+ci' -p='${token}' ${host}`);
    const config = JSON.parse(await textOf(page, "docker-config")) as { auths: Record<string, { auth: string }> };
    expect(Buffer.from(config.auths[host]!.auth, "base64").toString()).toBe(`alice+ci:${token}`);
    const secret = await textOf(page, "kubernetes-secret");
    expect(secret).toContain("type: kubernetes.io/dockerconfigjson");
    expect(secret).toContain("name: alice-ci-pull-secret");
    const encoded = /\.dockerconfigjson: (\S+)/.exec(secret)![1]!;
    expect(JSON.parse(Buffer.from(encoded, "base64").toString())).toEqual(config);
    await page.screenshot({ path: "/tmp/quayside-robot-credentials.png", fullPage: true, animations: "disabled" });
    await expectAccessible(page);

    const download = await page.request.get(`${server.url}${await page.getAttribute('[data-testid="mesos-download"]', "href")}`);
    expect(download.status()).toBe(200);
    const tar = gunzipSync(await download.body());
    expect(tar.subarray(512, 512 + 19).toString()).toBe(".docker/config.json");
    expect(tar.toString("utf8")).toContain(config.auths[host]!.auth);

    // Narrow screens keep the 64-character token and the commands inside the page.
    const narrow = await openPage(browser, MOBILE);
    await narrow.context().addCookies(await page.context().cookies());
    await narrow.goto(page.url());
    expect(await fitsViewport(narrow)).toBe(true);
    await narrow.context().close();

    await page.click("text=Regenerate token");
    await page.waitForURL(`${server.url}/settings/robots/ci/regenerate`);
    await expectAccessible(page);
    await page.click('[data-testid="confirm"] button[type="submit"]');
    await page.waitForURL((url) => url.pathname === "/settings/robots/ci");
    expect(await page.locator('[data-testid="regenerated"]').count()).toBe(1);
    const regenerated = await textOf(page, "robot-token");
    expect(regenerated).toMatch(/^[A-Z0-9]{64}$/);
    expect(regenerated).not.toBe(token);
    await expectAccessible(page);

    await page.goto(`${server.url}/settings/robots`);
    expect(await page.locator('[data-testid="robot-row"]').count()).toBe(1);
    expect(await page.textContent('[data-testid="robot-row"]')).toContain("Pipeline pushes");
    await expectAccessible(page);

    await page.goto(`${server.url}/settings/robots/ci`);
    await page.click("text=Delete robot account");
    await page.waitForURL(`${server.url}/settings/robots/ci/delete`);
    await expectAccessible(page);
    await page.click('[data-testid="confirm"] button[type="submit"]');
    await page.waitForURL(`${server.url}/settings/robots`);
    expect(await page.locator('[data-testid="empty-state"]').count()).toBe(1);
    await page.context().close();
  });

  it("of an organization are managed by its admins, and hidden from strangers", async () => {
    const page = await openPage(browser, DESKTOP);
    await signInAsAlice(page);
    await page.goto(`${server.url}/organization/acme/robots?create=1`);
    // A tab of the organization's page.
    expect(await page.textContent("h1")).toBe("acme");
    expect(await page.textContent('.pf-v6-c-tabs__link[aria-current="page"]')).toContain("Robot accounts");
    await expectAccessible(page);
    await page.fill("#field-short", "deployer");
    // Given a role on the organization's repositories in the same dialog.
    await page.getByLabel("web", { exact: true }).selectOption("read");
    await page.click('[data-testid="create-robot"] button[type="submit"]');
    await page.waitForURL(`${server.url}/organization/acme/robots/deployer`);
    expect(await page.getByLabel("Role on web", { exact: true }).inputValue()).toBe("read");
    expect(await page.textContent("h1")).toBe("acme+deployer");
    // Every repository of the organization, with the robot's role there (none yet), set here.
    const role = page.getByLabel("Role on app", { exact: true });
    expect(await role.inputValue()).toBe("none");
    await expectAccessible(page);
    await role.selectOption("write");
    await page.getByRole("button", { name: "Save the role on app" }).click();
    await page.waitForURL((url) => url.searchParams.get("saved") === "app");
    expect(await page.locator('[data-testid="role-saved"]').count()).toBe(1);
    expect(await page.getByLabel("Role on app", { exact: true }).inputValue()).toBe("write");
    const [robot] = await server.deps.db.select({ id: users.id }).from(users).where(eq(users.username, "acme+deployer"));
    const grants = () => server.deps.db.select({ role: repoPermissions.role }).from(repoPermissions).where(eq(repoPermissions.userId, robot!.id));
    expect((await grants()).map((g) => g.role).sort()).toEqual(["read", "write"]);
    await expectAccessible(page);
    await page.getByLabel("Role on app", { exact: true }).selectOption("none");
    await page.getByRole("button", { name: "Save the role on app" }).click();
    await page.waitForURL((url) => url.searchParams.get("saved") === "app");
    expect(await grants()).toEqual([{ role: "read" }]);
    await page.context().close();

    const stranger = await openPage(browser, DESKTOP);
    const res = await stranger.goto(`${server.url}/organization/acme/robots`);
    expect(res!.status()).toBe(404);
    // One's own robots need signing in first, and come back after.
    await stranger.goto(`${server.url}/settings/robots`);
    expect(new URL(stranger.url()).pathname).toBe("/signin");
    expect(new URL(stranger.url()).searchParams.get("next")).toBe("/settings/robots");
    await stranger.context().close();
  });
});

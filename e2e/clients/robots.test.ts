// A real podman logged in as an organization's robot account (`org+short` and its token): it
// pushes to an organization repository where the robot holds write, is refused where it holds
// read, and is refused everywhere once its token is regenerated through Quay's API.
import { randomBytes } from "node:crypto";
import { mkdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoPermissions } from "../../db/schema.ts";
import { createSession, SESSION_COOKIE } from "../../server/auth/sessions.ts";
import { createOrganization } from "../../server/domain/accounts/organizations.ts";
import { createRobot } from "../../server/domain/accounts/robots.ts";
import { createUser, toPrincipal } from "../../server/domain/accounts/users.ts";
import { createRepository } from "../../server/domain/repositories/repositories.ts";
import { type TestServer, testServer } from "../support/test-app.ts";
import { ClientSandbox, OciLayout, ok, requireTools } from "./tools.ts";

let server: TestServer;
let work: string;
let sandbox: ClientSandbox;
let session: { cookie: string; csrfToken: string };
let token: string;

beforeAll(async () => {
  requireTools("podman");
  server = await testServer();
  const alice = await createUser(server.deps.db, { username: "alice", password: "password-alice" }, { principal: { kind: "anonymous" } });
  session = await createSession(server.deps.db, alice.id, new Date());
  const actor = { principal: toPrincipal(alice) };
  const acme = await createOrganization(server.deps.db, { name: "acme" }, actor);
  const robot = await createRobot(server.deps.db, { id: acme.namespaceId, name: "acme" }, "deployer", {}, actor);
  token = robot.token;
  for (const [name, role] of [["writable", "write"], ["readable", "read"]] as const) {
    const repo = await createRepository(server.deps.db, actor, { namespace: "acme", name, visibility: "private" });
    await server.deps.db.insert(repoPermissions).values({ repositoryId: repo.id, userId: robot.robot.id, role });
  }
  // podman names an image pulled from a layout after its path, which must be lowercase.
  work = join(tmpdir(), `quayside-robots-${randomBytes(6).toString("hex")}`);
  await mkdir(work);
  sandbox = await ClientSandbox.create();
  // An image in podman's own storage, to push.
  const layout = await OciLayout.create(work);
  const image = await layout.image("amd64", "robot image");
  layout.ref(image.descriptor, "v1");
  await layout.commit();
  const pulled = ok(await sandbox.podman(["pull", `oci:${work}:v1`], { timeout: 30_000 }), "podman pull oci layout");
  const imageId = pulled.stdout.trim().split("\n").at(-1)!;
  ok(await sandbox.podman(["tag", imageId, "localhost/robot-image:v1"]), "podman tag");
});

afterAll(async () => {
  await sandbox?.close();
  if (work) await rm(work, { recursive: true, force: true });
  await server?.close();
});

const login = (password: string) =>
  sandbox.podman(["login", "--tls-verify=false", "--authfile", sandbox.authFile, "-u", "acme+deployer", "--password-stdin", server.host], {
    input: `${password}\n`,
    timeout: 30_000,
  });

const push = (repo: string) =>
  sandbox.podman(["push", "--tls-verify=false", "--authfile", sandbox.authFile, "localhost/robot-image:v1", `docker://${server.host}/${repo}:v1`], {
    timeout: 60_000,
  });

describe("podman as a robot", () => {
  it("pushes where the robot may write, not where it may read, and nowhere after regeneration", async () => {
    expect(ok(await login(token), "podman login as the robot").stdout).toContain("Login Succeeded");
    ok(await push("acme/writable"), "push to a repository the robot may write");
    const refused = await push("acme/readable");
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/denied|unauthorized|authentication required/i);

    const regenerated = await fetch(`http://${server.host}/api/v1/organization/acme/robots/deployer/regenerate`, {
      method: "POST",
      headers: { cookie: `${SESSION_COOKIE}=${session.cookie}`, "x-csrf-token": session.csrfToken },
    });
    expect(regenerated.status).toBe(200);
    const fresh = ((await regenerated.json()) as { token: string }).token;

    // The stored login (the old token) no longer pushes, and cannot log in again.
    const stale = await push("acme/writable");
    expect(stale.code).not.toBe(0);
    expect(stale.stderr).toMatch(/unauthorized|authentication required|denied/i);
    expect((await login(token)).code).not.toBe(0);
    expect(ok(await login(fresh), "podman login with the new token").stdout).toContain("Login Succeeded");
    ok(await push("acme/writable"), "push with the new token");
  });
});

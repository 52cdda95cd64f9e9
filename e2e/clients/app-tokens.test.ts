// Real clients with an application-specific token as their password: podman logs in and skopeo
// pushes and inspects as the token's owner (user name `$app` or the owner's own); both are
// refused once the token is revoked through Quay's API.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser } from "../../server/domain/accounts/users.ts";
import { createSession, SESSION_COOKIE } from "../../server/auth/sessions.ts";
import { type TestServer, testServer } from "../support/test-app.ts";
import { ClientSandbox, OciLayout, ok, requireTools } from "./tools.ts";

let server: TestServer;
let work: string;
let sandbox: ClientSandbox;
let session: { cookie: string; csrfToken: string };

beforeAll(async () => {
  requireTools("skopeo", "podman");
  server = await testServer();
  const alice = await createUser(server.deps.db, { username: "alice", password: "password-alice" }, { principal: { kind: "anonymous" } });
  session = await createSession(server.deps.db, alice.id, new Date());
  work = await mkdtemp(join(tmpdir(), "quayside-app-tokens-"));
  sandbox = await ClientSandbox.create();
});

afterAll(async () => {
  await sandbox?.close();
  if (work) await rm(work, { recursive: true, force: true });
  await server?.close();
});

/** Quay's API as the signed-in browser calls it. */
async function api(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`http://${server.host}/api/v1${path}`, {
    method,
    headers: {
      cookie: `${SESSION_COOKIE}=${session.cookie}`,
      "x-csrf-token": session.csrfToken,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

const copyTo = (dir: string, ref: string, creds: string) =>
  sandbox.skopeo(["copy", "--insecure-policy", "--dest-tls-verify=false", "--dest-creds", creds, `oci:${dir}:v1`, `docker://${server.host}/${ref}`], { timeout: 30_000 });

const podmanLogin = (username: string, password: string) =>
  sandbox.podman(["login", "--tls-verify=false", "--authfile", sandbox.authFile, "-u", username, "--password-stdin", server.host], {
    input: `${password}\n`,
    timeout: 30_000,
  });

const inspect = (ref: string, creds: string) =>
  sandbox.skopeo(["inspect", "--raw", "--tls-verify=false", "--creds", creds, `docker://${server.host}/${ref}`], { timeout: 30_000 });

describe("skopeo with an app token", () => {
  it("pushes and reads with the token, and is refused once it is revoked", async () => {
    const created = await api("POST", "/user/apptoken", { title: "skopeo" });
    expect(created.status).toBe(200);
    const { token } = (await created.json()) as { token: { uuid: string; token_code: string } };

    const layout = await OciLayout.create(work);
    const image = await layout.image("amd64", "app token image");
    layout.ref(image.descriptor, "v1");
    await layout.commit();

    ok(await copyTo(work, "alice/private:v1", `$app:${token.token_code}`), "skopeo copy with $app");
    ok(await inspect("alice/private:v1", `alice:${token.token_code}`), "skopeo inspect as alice with the token");
    ok(await podmanLogin("$app", token.token_code), "podman login as $app");
    ok(await podmanLogin("alice", token.token_code), "podman login as alice with the token");

    expect((await api("DELETE", `/user/apptoken/${token.uuid}`)).status).toBe(204);
    const refused = await inspect("alice/private:v1", `$app:${token.token_code}`);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/unauthorized|authentication required|401/i);
    expect((await copyTo(work, "alice/private:v2", `alice:${token.token_code}`)).code).not.toBe(0);
    expect((await podmanLogin("alice", token.token_code)).code).not.toBe(0);
    // The password still works.
    ok(await inspect("alice/private:v1", "alice:password-alice"), "skopeo inspect with the password");
  });
});

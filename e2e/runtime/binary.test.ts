// The compiled binary (`npm run compile`, cached by a hash of its sources), copied alone into an
// empty directory: it answers --version and --help, starts on its embedded default (unpacking
// its files and Postgres into ./data), serves skopeo copy, podman login/pull/push (of a pulled
// image and of one buildah built) and pulls into clean storage, stops
// cleanly on SIGTERM and starts again from what it unpacked the first time.
import { execFileSync, spawnSync } from "node:child_process";
import { chmod, copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { helpText } from "../../server/config.ts";
import { freePort } from "../../server/free-port.ts";
import { projectPath } from "../../server/paths.ts";
import { basic } from "../support/registry-client.ts";
import { ClientSandbox, OciLayout, ok, requireTools } from "../clients/tools.ts";
import { type StartedProcess, startProcess, waitForHttp } from "./process.ts";

const ADMIN = { username: "admin", password: "binary-admin-password" };

let dir: string;
let binary: string;
let proc: StartedProcess | undefined;
const sandboxes: ClientSandbox[] = [];

beforeAll(async () => {
  requireTools("podman", "buildah", "skopeo");
  execFileSync("npm", ["run", "--silent", "compile"], { cwd: projectPath(), stdio: "ignore", timeout: 300_000 });
  dir = await mkdtemp(join(tmpdir(), "quayside-binary-"));
  await chmod(dir, 0o755); // as root, the postgres user must enter it to reach what is unpacked here
  binary = join(dir, "quayside");
  await copyFile(projectPath("dist/quayside"), binary);
  await chmod(binary, 0o755);
}, 320_000);

afterAll(async () => {
  await proc?.stop("SIGTERM");
  for (const s of sandboxes) await s.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function sandbox(options: { authFile?: string } = {}) {
  const s = await ClientSandbox.create(options);
  sandboxes.push(s);
  return s;
}

/** The binary with nothing but a minimal PATH and its own settings: no Node options, no project. */
function startBinary(port: number, env: Record<string, string> = {}): StartedProcess {
  return startProcess(binary, [], { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", PORT: String(port), DATABASE_URL: "", ...env }, dir);
}

describe("the compiled binary, alone in an empty directory", () => {
  it("prints its version and commit, and help for every setting", async () => {
    const version = execFileSync(binary, ["--version"], { cwd: dir, encoding: "utf8" });
    const { version: expected } = JSON.parse(await readFile(projectPath("package.json"), "utf8")) as { version: string };
    expect(version).toMatch(new RegExp(`^quayside ${expected.replace(/\./g, "\\.")} \\(commit [0-9a-f]{7,}\\)\\n$`));
    expect(execFileSync(binary, ["--help"], { cwd: dir, encoding: "utf8" })).toBe(`${helpText()}\n`);
  });

  it("refuses a bad --config file, naming the key", async () => {
    const file = join(tmpdir(), `quayside-binary-config-${process.pid}.yaml`);
    await writeFile(file, "port: eighty\n");
    try {
      const refused = spawnSync(binary, ["--config", file], { cwd: dir, encoding: "utf8", timeout: 30_000 });
      expect(refused.status).toBe(2);
      expect(refused.stderr).toContain(`PORT / --port (port in ${file})`);
    } finally {
      await rm(file, { force: true });
    }
    expect(await readdir(dir)).toEqual(["quayside"]);
  });

  it("starts on its embedded default and serves podman and skopeo", { timeout: 240_000 }, async () => {
    expect(await readdir(dir)).toEqual(["quayside"]);
    const port = await freePort();
    const host = `127.0.0.1:${port}`;
    proc = startBinary(port, { QUAYSIDE_ADMIN_USER: ADMIN.username, QUAYSIDE_ADMIN_PASSWORD: ADMIN.password });
    expect((await waitForHttp(`http://${host}/health`, proc)).status).toBe(200);
    expect(proc.output()).toContain("embedded in");
    expect((await fetch(`http://${host}/static/vendor/patternfly/patternfly.min.css`)).status).toBe(200);

    // skopeo copy from a hand-made OCI layout.
    const layoutDir = join(dir, "layout");
    await mkdir(layoutDir);
    const layout = await OciLayout.create(layoutDir);
    const image = await layout.image("amd64", "from the binary");
    layout.ref(image.descriptor, "v1");
    await layout.commit();
    const copier = await sandbox();
    ok(
      await copier.skopeo(
        ["copy", "--insecure-policy", "--dest-tls-verify=false", "--dest-creds", `${ADMIN.username}:${ADMIN.password}`, `oci:${layoutDir}:v1`, `docker://${host}/admin/seed:v1`],
        { timeout: 60_000 },
      ),
      "skopeo copy",
    );

    // podman login, pull what skopeo pushed, push it under another name, pull that into clean storage.
    const pusher = await sandbox();
    const login = await pusher.podman(
      ["login", "--tls-verify=false", "--authfile", pusher.authFile, "-u", ADMIN.username, "--password-stdin", host],
      { input: `${ADMIN.password}\n`, timeout: 30_000 },
    );
    expect(ok(login, "podman login").stdout).toContain("Login Succeeded");
    ok(await pusher.podman(["pull", "--tls-verify=false", `${host}/admin/seed:v1`], { timeout: 60_000 }), "podman pull");
    ok(await pusher.podman(["tag", `${host}/admin/seed:v1`, `${host}/admin/copy:v2`]), "podman tag");
    const digestFile = join(pusher.dir, "digest");
    ok(
      await pusher.podman(["push", "--tls-verify=false", "--authfile", pusher.authFile, "--digestfile", digestFile, `${host}/admin/copy:v2`], {
        timeout: 60_000,
      }),
      "podman push",
    );
    const digest = (await readFile(digestFile, "utf8")).trim();

    // An image built by buildah, pushed by podman.
    const context = join(dir, "context");
    await mkdir(context);
    await writeFile(join(context, "hello.txt"), "hello from the binary\n");
    await writeFile(join(context, "Containerfile"), "FROM scratch\nCOPY hello.txt /hello.txt\n");
    ok(await pusher.buildah(["bud", "--isolation", "chroot", "-t", `${host}/admin/built:v1`, context], { timeout: 60_000 }), "buildah bud");
    ok(await pusher.podman(["push", "--tls-verify=false", "--authfile", pusher.authFile, `${host}/admin/built:v1`], { timeout: 60_000 }), "podman push");

    const puller = await sandbox({ authFile: pusher.authFile });
    for (const ref of [`${host}/admin/copy:v2`, `${host}/admin/built:v1`]) {
      ok(await puller.podman(["pull", "--tls-verify=false", ref], { timeout: 60_000 }), `podman pull ${ref} (clean storage)`);
    }
    const inspected = JSON.parse(ok(await puller.podman(["image", "inspect", `${host}/admin/copy:v2`]), "podman image inspect").stdout) as Array<{
      Digest: string;
    }>;
    expect(inspected[0]!.Digest).toBe(digest);

    expect(await proc.stop("SIGTERM")).toBe(0);
    expect(proc.output()).toContain("SIGTERM, shutting down");
  });

  it("starts again from the files it unpacked, with its data", { timeout: 120_000 }, async () => {
    const unpacked = await readdir(join(dir, "data", "runtime"));
    expect(unpacked).toHaveLength(1);
    const marker = join(dir, "data", "runtime", unpacked[0]!, "marker-left-by-the-test");
    await writeFile(marker, "");
    const port = await freePort();
    proc = startBinary(port);
    await waitForHttp(`http://127.0.0.1:${port}/health`, proc);
    expect(await readdir(join(dir, "data", "runtime"))).toEqual(unpacked);
    expect(await readdir(join(dir, "data", "runtime", unpacked[0]!))).toContain("marker-left-by-the-test");
    const token = await fetch(`http://127.0.0.1:${port}/v2/auth?scope=repository:admin/copy:pull`, {
      headers: { authorization: basic(ADMIN.username, ADMIN.password) },
    });
    expect(token.status).toBe(200);
    expect(await proc.stop("SIGTERM")).toBe(0);
    proc = undefined;
  });
});

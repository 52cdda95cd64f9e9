// Real clients against a real server: podman login, images built by buildah (FROM scratch, and
// with a RUN step on a busybox root filesystem), podman push/pull, anonymous pulls of public and
// private repositories, and what a user without rights gets when pulling or pushing.
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseRepoPath } from "../../server/domain/names.ts";
import { findRepository, setVisibility } from "../../server/domain/repositories/repositories.ts";
import { createUser, toPrincipal, type User } from "../../server/domain/accounts/users.ts";
import { type TestServer, testServer } from "../support/test-app.ts";
import {
  ClientSandbox,
  MEDIA,
  OciLayout,
  ok,
  registryToken,
  requireTools,
  runOk,
  staticBusybox,
  storedFile,
  v2,
} from "./tools.ts";

const ALICE = { username: "alice", password: "password-alice" };
const BOB = { username: "bob", password: "password-bob" };

let server: TestServer;
let alice: User;
let work: string;
const sandboxes: ClientSandbox[] = [];

async function sandbox(options: { authFile?: string } = {}): Promise<ClientSandbox> {
  const s = await ClientSandbox.create(options);
  sandboxes.push(s);
  return s;
}

/** `podman login` into the sandbox's own auth file. */
async function login(s: ClientSandbox, who: { username: string; password: string }) {
  const result = await s.podman(
    ["login", "--tls-verify=false", "--authfile", s.authFile, "-u", who.username, "--password-stdin", server.host],
    { input: `${who.password}\n`, timeout: 30_000 },
  );
  return ok(result, `podman login as ${who.username}`);
}

/** Pushes a tiny one-layer image with skopeo (fast set-up for the permission tests). */
async function seedImage(repo: string, tag: string, who = ALICE): Promise<string> {
  const dir = await mkdtemp(join(work, "seed-"));
  const layout = await OciLayout.create(dir);
  const image = await layout.image("amd64", `seed ${repo}`);
  layout.ref(image.descriptor, tag);
  await layout.commit();
  const s = await sandbox();
  ok(
    await s.skopeo(
      [
        "copy",
        "--insecure-policy",
        "--dest-tls-verify=false",
        "--dest-creds",
        `${who.username}:${who.password}`,
        `oci:${dir}:${tag}`,
        `docker://${server.host}/${repo}:${tag}`,
      ],
      { timeout: 30_000 },
    ),
    `skopeo copy to ${repo}:${tag}`,
  );
  return image.descriptor.digest;
}

async function tagsOf(repo: string): Promise<string[]> {
  const token = await registryToken(server, ALICE, `repository:${repo}:pull`);
  const res = await v2(server, `/v2/${repo}/tags/list`, token);
  if (res.status !== 200) throw new Error(`tags/list ${repo}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { tags: string[] }).tags;
}

beforeAll(async () => {
  // Missing clients fail this file loudly; they are never a reason to skip.
  requireTools("podman", "buildah", "skopeo", "tar");
  staticBusybox();
  server = await testServer();
  const anyone = { principal: { kind: "anonymous" as const } };
  alice = await createUser(server.deps.db, ALICE, anyone);
  await createUser(server.deps.db, BOB, anyone);
  work = await mkdtemp(join(tmpdir(), "quayside-push-pull-"));
});

afterAll(async () => {
  await Promise.all(sandboxes.map((s) => s.close()));
  if (work) await rm(work, { recursive: true, force: true });
  await server?.close();
});

describe("podman login, buildah bud, podman push and pull", () => {
  it("logs in, pushes an image built FROM scratch and pulls it into clean storage", async () => {
    const builder = await sandbox();
    const wrong = await builder.podman(
      ["login", "--tls-verify=false", "--authfile", builder.authFile, "-u", "alice", "--password-stdin", server.host],
      { input: "not-the-password\n", timeout: 30_000 },
    );
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/invalid username\/password|unauthorized/i);

    expect((await login(builder, ALICE)).stdout).toContain("Login Succeeded");

    const ctx = join(work, "hello");
    await mkdir(ctx);
    await writeFile(join(ctx, "hello.txt"), "hello from quayside\n");
    await writeFile(join(ctx, "Containerfile"), "FROM scratch\nCOPY hello.txt /hello.txt\n");
    const ref = `${server.host}/alice/hello:v1`;
    ok(await builder.buildah(["bud", "--isolation", "chroot", "-t", ref, ctx], { timeout: 60_000 }), "buildah bud");

    const digestFile = join(builder.dir, "digest");
    ok(
      await builder.podman(["push", "--tls-verify=false", "--authfile", builder.authFile, "--digestfile", digestFile, ref], {
        timeout: 60_000,
      }),
      "podman push",
    );
    const digest = (await readFile(digestFile, "utf8")).trim();
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);

    // The registry holds it under the tag, with the digest podman computed.
    expect(await tagsOf("alice/hello")).toEqual(["v1"]);
    const token = await registryToken(server, ALICE, "repository:alice/hello:pull");
    const head = await v2(server, "/v2/alice/hello/manifests/v1", token, {
      method: "HEAD",
      headers: { accept: `${MEDIA.manifest}, application/vnd.docker.distribution.manifest.v2+json` },
    });
    expect(head.status).toBe(200);
    expect(head.headers.get("docker-content-digest")).toBe(digest);

    // A second machine with the same login and nothing in its storage.
    const puller = await sandbox({ authFile: builder.authFile });
    ok(await puller.podman(["pull", "--tls-verify=false", ref], { timeout: 60_000 }), "podman pull");
    const inspected = JSON.parse(ok(await puller.podman(["image", "inspect", ref]), "podman image inspect").stdout) as Array<{
      Digest: string;
      RepoDigests: string[];
    }>;
    expect(inspected[0]!.Digest).toBe(digest);
    expect(inspected[0]!.RepoDigests).toContain(`${server.host}/alice/hello@${digest}`);
    expect(await storedFile(puller, "hello.txt")).toBe("hello from quayside\n");
  });

  it("builds with a RUN step on a busybox root filesystem, pushes it and pulls it back", async () => {
    const s = await sandbox();
    await login(s, ALICE);

    const ctx = join(work, "busybox");
    const rootfs = join(ctx, "rootfs");
    await mkdir(join(rootfs, "bin"), { recursive: true });
    await copyFile(staticBusybox(), join(rootfs, "bin", "busybox"));
    await symlink("busybox", join(rootfs, "bin", "sh"));
    await runOk("tar", ["-C", rootfs, "-cf", join(ctx, "rootfs.tar"), "."], { timeout: 30_000 });
    await rm(rootfs, { recursive: true });
    await writeFile(join(ctx, "Containerfile"), "FROM scratch\nADD rootfs.tar /\nRUN echo built > /built.txt\n");

    const ref = `${server.host}/alice/busybox:built`;
    // --layers: one layer for ADD, one for RUN.
    const build = ok(
      await s.buildah(["bud", "--layers", "--isolation", "chroot", "-t", ref, ctx], { timeout: 90_000 }),
      "buildah bud with RUN",
    );
    expect(build.stdout).toContain("RUN echo built > /built.txt");

    const digestFile = join(s.dir, "digest");
    ok(
      await s.buildah(["push", "--tls-verify=false", "--authfile", s.authFile, "--digestfile", digestFile, ref], {
        timeout: 60_000,
      }),
      "buildah push",
    );
    const digest = (await readFile(digestFile, "utf8")).trim();

    const inspect = JSON.parse(
      ok(
        await s.skopeo(["inspect", "--tls-verify=false", "--authfile", s.authFile, `docker://${ref}`], { timeout: 30_000 }),
        "skopeo inspect",
      ).stdout,
    ) as { Digest: string; Layers: string[]; Architecture: string };
    expect(inspect.Digest).toBe(digest);
    expect(inspect.Layers).toHaveLength(2);
    expect(inspect.Architecture).toBe("amd64");

    const puller = await sandbox({ authFile: s.authFile });
    ok(await puller.podman(["pull", "--tls-verify=false", ref], { timeout: 60_000 }), "podman pull");
    const [image] = JSON.parse(ok(await puller.podman(["image", "inspect", ref]), "podman image inspect").stdout) as Array<{
      Digest: string;
      RootFS: { Layers: string[] };
    }>;
    expect(image!.Digest).toBe(digest);
    expect(image!.RootFS.Layers).toHaveLength(2);
    // The RUN step really ran (in busybox's shell) and its output came back through the registry.
    expect(await storedFile(puller, "built.txt")).toBe("built\n");
    expect(await storedFile(puller, "bin/busybox")).toBeDefined();
  });
});

describe("anonymous pulls", () => {
  let publicDigest: string;

  beforeAll(async () => {
    publicDigest = await seedImage("alice/open", "v1");
    await seedImage("alice/closed", "v1");
    const repo = await findRepository(server.deps.db, parseRepoPath("alice/open"));
    await setVisibility(server.deps, { principal: toPrincipal(alice) }, repo!, "public");
  });

  it("pulls a public repository with no credentials at all", async () => {
    const anon = await sandbox();
    const ref = `${server.host}/alice/open:v1`;
    ok(await anon.podman(["pull", "--tls-verify=false", ref], { timeout: 60_000 }), "anonymous podman pull");
    const [image] = JSON.parse(ok(await anon.podman(["image", "inspect", ref]), "podman image inspect").stdout) as Array<{
      Digest: string;
    }>;
    expect(image!.Digest).toBe(publicDigest);
    expect(await storedFile(anon, "amd64.txt")).toBe("seed alice/open");

    const inspect = ok(
      await anon.skopeo(["inspect", "--raw", "--no-creds", "--tls-verify=false", `docker://${ref}`], { timeout: 30_000 }),
      "anonymous skopeo inspect",
    );
    expect(JSON.parse(inspect.stdout).mediaType).toBe(MEDIA.manifest);
  });

  it("refuses anonymous pulls of a private repository", async () => {
    const anon = await sandbox();
    const pull = await anon.podman(["pull", "--tls-verify=false", `${server.host}/alice/closed:v1`], { timeout: 60_000 });
    expect(pull.code).not.toBe(0);
    expect(pull.stderr).toMatch(/unauthorized|authentication required/i);

    const inspect = await anon.skopeo(
      ["inspect", "--raw", "--no-creds", "--tls-verify=false", `docker://${server.host}/alice/closed:v1`],
      { timeout: 30_000 },
    );
    expect(inspect.code).not.toBe(0);
    expect(inspect.stderr).toMatch(/unauthorized|authentication required/i);

    // An anonymous token carries no access to it; the manifest answers 401.
    const token = await registryToken(server, undefined, "repository:alice/closed:pull");
    const res = await v2(server, "/v2/alice/closed/manifests/v1", token);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { errors: Array<{ code: string }> }).errors[0]!.code).toBe("UNAUTHORIZED");
  });
});

describe("a user without rights", () => {
  let bob: ClientSandbox;
  const intoNew = () => `${server.host}/alice/bobs-repo:v1`;
  const intoExisting = () => `${server.host}/alice/secret:evil`;
  const ownRef = () => `${server.host}/bob/mine:v1`;

  beforeAll(async () => {
    await seedImage("alice/secret", "v1");
    bob = await sandbox();
    await login(bob, BOB);
    const ctx = join(work, "bob");
    await mkdir(ctx);
    await writeFile(join(ctx, "evil.txt"), "bob was here\n");
    await writeFile(join(ctx, "Containerfile"), "FROM scratch\nCOPY evil.txt /evil.txt\n");
    ok(await bob.buildah(["bud", "--isolation", "chroot", "-t", intoNew(), ctx], { timeout: 60_000 }), "buildah bud");
    ok(await bob.buildah(["tag", intoNew(), intoExisting(), ownRef()]), "buildah tag");
  });

  /** The client's error with the repository name taken out, to compare two failures. */
  const normalized = (stderr: string, repo: string) =>
    stderr.replaceAll(repo, "<repo>").replace(/time="[^"]*"/g, "").trim();

  it("cannot pull another user's private repository, and cannot tell it from a missing one", async () => {
    const existing = await bob.podman(["pull", "--tls-verify=false", `${server.host}/alice/secret:v1`], { timeout: 60_000 });
    expect(existing.code).not.toBe(0);
    expect(existing.stderr).toMatch(/denied|unauthorized/i);

    const missing = await bob.podman(["pull", "--tls-verify=false", `${server.host}/alice/nothing:v1`], { timeout: 60_000 });
    expect(missing.code).not.toBe(0);
    expect(normalized(missing.stderr, "alice/nothing")).toBe(normalized(existing.stderr, "alice/secret"));

    const skopeoExisting = await bob.skopeo(
      ["inspect", "--raw", "--tls-verify=false", "--creds", "bob:password-bob", `docker://${server.host}/alice/secret:v1`],
      { timeout: 30_000 },
    );
    const skopeoMissing = await bob.skopeo(
      ["inspect", "--raw", "--tls-verify=false", "--creds", "bob:password-bob", `docker://${server.host}/alice/nothing:v1`],
      { timeout: 30_000 },
    );
    expect(skopeoExisting.code).not.toBe(0);
    expect(skopeoExisting.stderr).toMatch(/denied|unauthorized/i);
    expect(normalized(skopeoMissing.stderr, "alice/nothing")).toBe(normalized(skopeoExisting.stderr, "alice/secret"));

    // On the wire: the same status and body for both.
    const answers = [];
    for (const repo of ["alice/secret", "alice/nothing"]) {
      const token = await registryToken(server, BOB, `repository:${repo}:pull`);
      const res = await v2(server, `/v2/${repo}/manifests/v1`, token);
      const body = (await res.text()).replaceAll(repo, "<repo>");
      answers.push({ status: res.status, body, challenge: res.headers.get("www-authenticate")?.replaceAll(repo, "<repo>") });
    }
    expect([401, 403]).toContain(answers[0]!.status);
    expect(answers[1]).toEqual(answers[0]);
  });

  it("cannot push into another user's namespace, new repository or existing", async () => {
    for (const ref of [intoNew(), intoExisting()]) {
      const push = await bob.podman(["push", "--tls-verify=false", "--authfile", bob.authFile, ref], { timeout: 60_000 });
      expect(push.code, `push to ${ref} should fail`).not.toBe(0);
    }
    expect(await findRepository(server.deps.db, parseRepoPath("alice/bobs-repo"))).toBeUndefined();
    expect(await tagsOf("alice/secret")).toEqual(["v1"]);

    // The same login pushes fine where bob has the right.
    ok(await bob.podman(["push", "--tls-verify=false", "--authfile", bob.authFile, ownRef()], { timeout: 60_000 }), "push to own namespace");
    expect(await findRepository(server.deps.db, parseRepoPath("bob/mine"))).toBeDefined();
  });

  it("tells podman and skopeo why a push was refused (unauthorized/denied, not a bare 403)", async () => {
    // podman first asks HEAD /v2/<repo>/blobs/<digest>; a HEAD answer has no body, so a 403
    // reaches the user as "failed to read from destination repository …: 403 (Forbidden)".
    // Quay answers 401 UNAUTHORIZED with a Bearer challenge there, which clients explain.
    for (const ref of [intoNew(), intoExisting()]) {
      const push = await bob.podman(["push", "--tls-verify=false", "--authfile", bob.authFile, ref], { timeout: 60_000 });
      expect(push.code, `push to ${ref} should fail`).not.toBe(0);
      expect(push.stderr).toMatch(/denied|unauthorized/i);
    }
    const dir = await mkdtemp(join(work, "bob-layout-"));
    const layout = await OciLayout.create(dir);
    const image = await layout.image("amd64", "bob was here");
    layout.ref(image.descriptor, "evil");
    await layout.commit();
    const copy = await bob.skopeo(
      [
        "copy",
        "--insecure-policy",
        "--dest-tls-verify=false",
        "--dest-creds",
        `${BOB.username}:${BOB.password}`,
        `oci:${dir}:evil`,
        `docker://${intoNew()}`,
      ],
      { timeout: 30_000 },
    );
    expect(copy.code).not.toBe(0);
    expect(copy.stderr).toMatch(/denied|unauthorized/i);
  });
});

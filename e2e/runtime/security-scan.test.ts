// The built-in scanner end to end on a real server (issue 15's indexing acceptance): an image
// built with buildah, one layer per Containerfile step, holding a dpkg status, an apk installed
// database, an rpm sqlite database, a Python dist-info, a node_modules package.json, a Go
// binary and a JAR, is pushed with podman; the server's own security-scan job finds every
// package, each with the layer that brought it.
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { manifestScans } from "../../db/schema.ts";
import { createUser } from "../../server/domain/accounts/users.ts";
import { buildElf, framedModinfo, inlineBuildInfo } from "../../server/domain/scanning/fixtures/build-elf.ts";
import { buildZip } from "../../server/domain/scanning/fixtures/build-zip.ts";
import { ClientSandbox, ok, requireTools } from "../clients/tools.ts";
import { basic } from "../support/registry-client.ts";
import { type TestServer, testServer } from "../support/test-app.ts";

const ALICE = { username: "alice", password: "alice-password-1" };
const FIXTURES = new URL("../../server/domain/scanning/fixtures/", import.meta.url);
let server: TestServer;
let sandbox: ClientSandbox;
let work: string;

beforeAll(async () => {
  requireTools("podman", "buildah");
  server = await testServer();
  await createUser(server.deps.db, ALICE, { principal: { kind: "anonymous" } });
  sandbox = await ClientSandbox.create();
  work = await mkdtemp(join(tmpdir(), "quayside-scan-"));
}, 120_000);

afterAll(async () => {
  await sandbox?.close();
  if (work) await rm(work, { recursive: true, force: true });
  await server?.close();
});

const dpkgStatus = (...packages: [string, string][]) =>
  packages.map(([name, version]) => `Package: ${name}\nStatus: install ok installed\nVersion: ${version}\nArchitecture: amd64\n`).join("\n");

/** Writes the build context: one directory or file per Containerfile step. */
async function buildContext(dir: string): Promise<void> {
  const put = async (path: string, content: string | Uint8Array) => {
    await mkdir(join(dir, path, ".."), { recursive: true });
    await writeFile(join(dir, path), content);
  };
  await put("debian/etc/os-release", 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n');
  await put("debian/var/lib/dpkg/status", dpkgStatus(["libc6", "2.36-9+deb12u4"], ["openssl", "3.0.11-1~deb12u2"]));
  await put("apk/installed", "P:musl\nV:1.2.4_git20230717-r4\nA:x86_64\no:musl\n\nP:busybox\nV:1.36.1-r15\nA:x86_64\no:busybox\n\n");
  await copyFile(new URL("rpmdb.sqlite", FIXTURES), join(dir, "rpmdb.sqlite"));
  await put("python/requests-2.31.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: requests\nVersion: 2.31.0\n");
  await put("node_modules/left-pad/package.json", JSON.stringify({ name: "left-pad", version: "1.3.0" }));
  const modinfo = framedModinfo(["path\texample.com/app", "mod\texample.com/app\t(devel)\t", "dep\tgithub.com/google/uuid\tv1.3.0\th1:abc="]);
  await put("server", buildElf(inlineBuildInfo("go1.21.5", modinfo)));
  await chmod(join(dir, "server"), 0o755);
  const pom = "groupId=org.apache.commons\nartifactId=commons-text\nversion=1.9\n";
  await put("app.jar", buildZip([{ name: "META-INF/maven/org.apache.commons/commons-text/pom.properties", data: pom }]));
  await put(
    "Containerfile",
    [
      "FROM scratch",
      "COPY debian/ /",
      "COPY apk/installed /lib/apk/db/installed",
      "COPY rpmdb.sqlite /var/lib/rpm/rpmdb.sqlite",
      "COPY python/ /usr/lib/python3.11/site-packages/",
      "COPY node_modules/ /app/node_modules/",
      "COPY server /usr/local/bin/server",
      "COPY app.jar /opt/app/app.jar",
      "",
    ].join("\n"),
  );
}

async function waitForScan(digest: string) {
  for (let i = 0; i < 600; i++) {
    const [scan] = await server.deps.db.select().from(manifestScans).where(eq(manifestScans.digest, digest));
    if (scan && scan.status !== "queued" && scan.status !== "scanning") return scan;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${digest} was not scanned within two minutes`);
}

it("finds every package of a podman-pushed image with the layer that brought it", async () => {
  const ctx = join(work, "ctx");
  await buildContext(ctx);
  const ref = `${server.host}/alice/scanned:v1`;
  ok(await sandbox.buildah(["bud", "--layers", "--isolation", "chroot", "-t", ref, ctx], { timeout: 120_000 }), "buildah bud");
  const digestFile = join(work, "digest");
  ok(
    await sandbox.podman(["push", "--tls-verify=false", "--creds", `${ALICE.username}:${ALICE.password}`, "--digestfile", digestFile, ref], { timeout: 60_000 }),
    "podman push",
  );
  const digest = (await readFile(digestFile, "utf8")).trim();
  const res = await fetch(`${server.url}/v2/alice/scanned/manifests/${digest}`, {
    headers: { authorization: basic(ALICE.username, ALICE.password), accept: "application/vnd.oci.image.manifest.v1+json" },
  });
  const layers = ((await res.json()) as { layers: { digest: string }[] }).layers.map((layer) => layer.digest);
  expect(layers).toHaveLength(7);

  const scan = await waitForScan(digest);
  expect(scan).toMatchObject({ status: "scanned", error: null, distribution: { id: "debian", versionId: "12", versionCodename: "bookworm" } });
  const found = await server.deps.db.execute<{ ecosystem: string; name: string; version: string; path: string; layer_index: number; layer_digest: string }>(sql`
    select p.ecosystem, p.name, p.version, mp.path, mp.layer_index, mp.layer_digest
    from manifest_packages mp join scanned_packages p on p.id = mp.package_id
    where mp.manifest_digest = ${digest}`);
  const at = (ecosystem: string, name: string) => {
    const pkg = found.find((p) => p.ecosystem === ecosystem && p.name === name);
    return pkg && { version: pkg.version, path: pkg.path, layer: pkg.layer_index, digest: pkg.layer_digest };
  };
  const expected: [string, string, string, string, number][] = [
    ["dpkg", "libc6", "2.36-9+deb12u4", "var/lib/dpkg/status", 0],
    ["dpkg", "openssl", "3.0.11-1~deb12u2", "var/lib/dpkg/status", 0],
    ["apk", "musl", "1.2.4_git20230717-r4", "lib/apk/db/installed", 1],
    ["apk", "busybox", "1.36.1-r15", "lib/apk/db/installed", 1],
    ["rpm", "bash", "5.1.8-6.el9", "var/lib/rpm/rpmdb.sqlite", 2],
    ["rpm", "openssl-libs", "1:3.0.7-25.el9_3", "var/lib/rpm/rpmdb.sqlite", 2],
    ["pypi", "requests", "2.31.0", "usr/lib/python3.11/site-packages/requests-2.31.0.dist-info/METADATA", 3],
    ["npm", "left-pad", "1.3.0", "app/node_modules/left-pad/package.json", 4],
    ["go", "stdlib", "v1.21.5", "usr/local/bin/server", 5],
    ["go", "github.com/google/uuid", "v1.3.0", "usr/local/bin/server", 5],
    ["maven", "org.apache.commons:commons-text", "1.9", "opt/app/app.jar", 6],
  ];
  for (const [ecosystem, name, version, path, layer] of expected) {
    expect(at(ecosystem, name), `${ecosystem} ${name}`).toEqual({ version, path, layer, digest: layers[layer] });
  }
  // Every layer's contents were kept, so another image on the same layers reads none of them again.
  const indexed = await server.deps.db.execute<{ digest: string }>(sql`select digest from layer_indexes where digest = any(${sql.param(layers)}::text[])`);
  expect(indexed.map((row) => row.digest).sort()).toEqual([...layers].sort());
}, 240_000);

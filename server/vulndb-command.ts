// `quayside vulndb import <path|url> [--format osv|alpine-secdb|debian-tracker] [settings…]`:
// connects to the configured database (the server's own settings: flags, environment, --config),
// imports one location's advisories, re-matches the stored packages they name (queueing
// vulnerability_found through the job queue, which the server's workers deliver), prints the
// counts and exits. With the embedded Postgres, the server must not be running on the same data
// directory (the cluster has one postmaster).
import { startJobs } from "../jobs/index.ts";
import { ConfigError, loadConfig, VULNERABILITY_FORMATS } from "./config.ts";
import { type AdvisoryFormat, type ImportResult, importAdvisories, isAdvisoryFormat } from "./domain/scanning/vulnerability-db.ts";
import { buildDeps, openDatabase } from "./runtime.ts";

export const VULNDB_USAGE = [
  "Usage: quayside vulndb import <path-or-URL> [--format FORMAT] [--flag value]...",
  "",
  "Imports vulnerability advisories into the configured database and matches stored images again.",
  `FORMAT is one of ${VULNERABILITY_FORMATS.join(", ")} (default: told from the content).`,
  "The other flags are the server's settings (quayside --help), e.g. --database-url.",
].join("\n");

export interface CommandOutput {
  out(line: string): void;
  err(line: string): void;
}

interface ImportRequest {
  location: string;
  format?: AdvisoryFormat;
  settings: string[];
}

/** The subcommand's arguments, or a message saying what is wrong. */
function parseArguments(argv: readonly string[]): ImportRequest | string {
  const [command, ...rest] = argv;
  if (command !== "import") return command === undefined ? "a subcommand is needed" : `unknown subcommand "${command}"`;
  const settings: string[] = [];
  let location: string | undefined;
  let format: string | undefined;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (arg === "--format" || arg.startsWith("--format=")) {
      format = arg.includes("=") ? arg.slice("--format=".length) : rest[++i];
    } else if (arg.startsWith("--")) {
      settings.push(arg);
      // A setting's value may follow as the next argument (`--database-url postgres://…`).
      if (!arg.includes("=") && rest[i + 1] !== undefined && !rest[i + 1]!.startsWith("--")) settings.push(rest[++i]!);
    } else if (location === undefined) {
      location = arg;
    } else {
      return `unexpected argument "${arg}"`;
    }
  }
  if (!location) return "the path or URL to import is missing";
  if (format !== undefined && !isAdvisoryFormat(format)) return `--format must be one of ${VULNERABILITY_FORMATS.join(", ")}`;
  return { location, format, settings };
}

export function describeImport(result: ImportResult): string {
  if (result.notModified) return `${result.location}: not modified since the last import (${result.advisories} advisories)`;
  return [
    `${result.location} (${result.format}): ${result.advisories} advisories — ${result.added} added, ${result.changed} changed, ${result.removed} removed, ${result.skipped} entries skipped`,
    `matched ${result.packagesMatched} stored packages again: ${result.newMatches} new matches, ${result.eventsQueued} notifications queued`,
  ].join("\n");
}

/** Runs the subcommand; the process's exit code (0 done, 1 import failed, 2 bad usage or configuration). */
export async function vulndbCommand(argv: readonly string[], env: Record<string, string | undefined>, output: CommandOutput): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    output.out(VULNDB_USAGE);
    return 0;
  }
  const request = parseArguments(argv);
  if (typeof request === "string") {
    output.err(`quayside vulndb: ${request}\n\n${VULNDB_USAGE}`);
    return 2;
  }
  let config;
  try {
    config = loadConfig(env, request.settings);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    output.err(`quayside: ${err.message}`);
    return 2;
  }
  const { database, embedded } = await openDatabase(config);
  try {
    const deps = await buildDeps(config, database);
    // Only to queue notification deliveries: this process works no jobs.
    const jobs = await startJobs(deps, database, { work: false });
    try {
      output.out(describeImport(await importAdvisories(deps, request.location, { format: request.format })));
      return 0;
    } catch (err) {
      // Unreadable location, wrong format, unreachable URL: said in one line (also kept on the source row).
      const cause = err instanceof Error && err.cause instanceof Error ? ` (${err.cause.message})` : "";
      output.err(`quayside vulndb: ${err instanceof Error ? err.message : String(err)}${cause}`);
      return 1;
    } finally {
      await deps.pulls.stop();
      await jobs.stop();
    }
  } finally {
    await database.close();
    await embedded?.stop();
  }
}

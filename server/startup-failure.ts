// What `npm start` prints when the server cannot start: one line saying what failed, where and
// what to do, never a stack trace.
import { EmbeddedPostgresError } from "../db/embedded.ts";
import type { Config } from "./config.ts";

type SystemError = Error & { code?: string; syscall?: string; path?: string };

// Failures to reach or log in to a Postgres server (postgres.js passes socket errors through).
const DATABASE_UNREACHABLE = new Set([
  "ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "ECONNRESET",
  "CONNECT_TIMEOUT", "28P01", "28000", "3D000", "57P03",
]);

/** The database URL without its password. */
function whereDatabase(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || 5432}${u.pathname}`;
  } catch {
    return "the DATABASE_URL given";
  }
}

export function startupFailure(err: unknown, config: Config): string {
  if (err instanceof EmbeddedPostgresError) return err.message;
  if (!(err instanceof Error)) return `failed to start: ${String(err)}`;
  const { code, syscall, path } = err as SystemError;
  const listen = `${config.host}:${config.port}`;
  if (code === "EADDRINUSE") return `cannot listen on ${listen}: the port is already in use; stop what uses it or choose another port (PORT / --port)`;
  if (code === "EADDRNOTAVAIL") return `cannot listen on ${listen}: no such address on this machine; choose another host (HOST / --host)`;
  if (syscall === "listen" && code === "EACCES") return `cannot listen on ${listen}: not permitted; choose a port above 1023 (PORT / --port)`;
  if (config.databaseUrl && code && DATABASE_UNREACHABLE.has(code)) {
    return `cannot connect to the database at ${whereDatabase(config.databaseUrl)} (${err.message}): check DATABASE_URL, or unset it to use the embedded Postgres`;
  }
  if (path && syscall) {
    return `cannot ${syscall} ${path} (${code}): choose a data dir you can write (QUAYSIDE_DATA_DIR / --data-dir) or fix its permissions`;
  }
  return `failed to start: ${err.message}`;
}

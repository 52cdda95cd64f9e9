// The README's first command: `npm start` with no configuration boots embedded Postgres under
// the data dir, serves the registry, shuts down cleanly on Ctrl-C (Postgres too) and comes back
// with its data on the next start.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../../server/free-port.ts";
import { basic } from "../support/registry-client.ts";
import { type StartedProcess, startProcess, waitForHttp } from "./process.ts";

let dataDir: string;
let proc: StartedProcess | undefined;

afterAll(async () => {
  await proc?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const postgresRunningIn = (dir: string) => {
  try {
    return execFileSync("ps", ["-eo", "args"], { encoding: "utf8" }).includes(`-D ${join(dir, "postgres")}`);
  } catch {
    return false;
  }
};

async function npmStart(port: number, extra: Record<string, string> = {}) {
  const p = startProcess("npm", ["start", "--silent"], { PORT: String(port), QUAYSIDE_DATA_DIR: dataDir, DATABASE_URL: "", ...extra });
  await waitForHttp(`http://127.0.0.1:${port}/health`, p);
  return p;
}

describe("npm start on the embedded default", () => {
  it("boots, serves, stops cleanly and restarts with its data", { timeout: 180_000 }, async () => {
    dataDir = await mkdtemp(join(tmpdir(), "quayside-start-"));
    const port = await freePort();
    proc = await npmStart(port, { QUAYSIDE_ADMIN_USER: "admin", QUAYSIDE_ADMIN_PASSWORD: "correct-horse" });
    expect(existsSync(join(dataDir, "postgres", "PG_VERSION"))).toBe(true);
    const challenge = await fetch(`http://127.0.0.1:${port}/v2/`);
    expect(challenge.status).toBe(401);
    const token = await fetch(`http://127.0.0.1:${port}/v2/auth?scope=repository:admin/x:pull,push`, {
      headers: { authorization: basic("admin", "correct-horse") },
    });
    expect(token.status).toBe(200);

    // npm itself dies of the SIGINT; what matters is that the server shut down in order.
    await proc.stop("SIGINT");
    expect(proc.output()).toContain("SIGINT, shutting down");
    // Postgres stops last: nothing still connected is cut off by it.
    expect(proc.output()).not.toContain("terminating connection");
    expect(postgresRunningIn(dataDir), proc.output()).toBe(false);

    // Second start: same cluster, same users, the admin variables are not needed any more.
    proc = await npmStart(port);
    const again = await fetch(`http://127.0.0.1:${port}/v2/auth?scope=repository:admin/x:pull`, {
      headers: { authorization: basic("admin", "correct-horse") },
    });
    expect(again.status).toBe(200);
    await proc.stop("SIGTERM");
    expect(proc.output()).toContain("SIGTERM, shutting down");
    expect(postgresRunningIn(dataDir), proc.output()).toBe(false);
  });

  it("refuses to start with a bad configuration value, saying which", { timeout: 60_000 }, async () => {
    const p = startProcess("npm", ["start", "--silent"], { PORT: "not-a-port", QUAYSIDE_DATA_DIR: dataDir });
    const code = await new Promise<number | null>((r) => p.child.once("exit", (c) => r(c)));
    expect(code).toBe(2);
    expect(p.output()).toMatch(/PORT \/ --port/);
  });
});

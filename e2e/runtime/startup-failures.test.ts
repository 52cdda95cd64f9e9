// A server that cannot start says so in one line (what failed, where, what to do) and exits
// non-zero: never a stack trace.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../server/free-port.ts";
import { freshDatabaseUrl } from "../support/test-app.ts";
import { exitOf, startProcess } from "./process.ts";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "quayside-failures-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Runs `npm start` expecting it to refuse; its one line of output. */
async function refusal(env: Record<string, string>): Promise<string> {
  const p = startProcess("npm", ["start", "--silent"], { QUAYSIDE_DATA_DIR: join(dir, "data"), ...env });
  expect(await exitOf(p), p.output()).toBe(1);
  await p.stop();
  const lines = p.output().trim().split("\n");
  expect(lines, p.output()).toHaveLength(1);
  return lines[0]!;
}

describe("start-up failures", () => {
  it("names a port already in use", { timeout: 60_000 }, async () => {
    const port = await freePort();
    const taken: Server = createServer();
    await new Promise<void>((r) => taken.listen(port, "127.0.0.1", r));
    try {
      const line = await refusal({ HOST: "127.0.0.1", PORT: String(port), DATABASE_URL: await freshDatabaseUrl() });
      expect(line).toBe(
        `quayside: cannot listen on 127.0.0.1:${port}: the port is already in use; stop what uses it or choose another port (PORT / --port)`,
      );
    } finally {
      taken.close();
    }
  });

  it("names a database it cannot reach, without its password", { timeout: 60_000 }, async () => {
    const port = await freePort();
    const line = await refusal({ PORT: String(await freePort()), DATABASE_URL: `postgres://quay:s3cret@127.0.0.1:${port}/quay` });
    expect(line).toMatch(new RegExp(`^quayside: cannot connect to the database at 127\\.0\\.0\\.1:${port}/quay \\(.*ECONNREFUSED.*\\): check DATABASE_URL, or unset it to use the embedded Postgres$`));
    expect(line).not.toContain("s3cret");
  });

  it("names a data dir it cannot create", { timeout: 60_000 }, async () => {
    const file = join(dir, "a-file");
    await writeFile(file, "not a directory");
    const line = await refusal({ PORT: String(await freePort()), DATABASE_URL: "", QUAYSIDE_DATA_DIR: join(file, "data") });
    expect(line).toBe(
      `quayside: cannot mkdir ${join(file, "data")} (ENOTDIR): choose a data dir you can write (QUAYSIDE_DATA_DIR / --data-dir) or fix its permissions`,
    );
  });
});

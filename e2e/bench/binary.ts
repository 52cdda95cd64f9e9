// The compiled binary (`npm run compile`): its size, and how long it takes, copied alone into an
// empty directory, from exec to the first 200 on /health — the first start (unpacking its files,
// initdb, migrations) and a start again on the same directory.
import { execFileSync, spawn } from "node:child_process";
import { chmod, copyFile, mkdtemp, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { freePort } from "../../server/free-port.ts";
import { projectPath } from "../../server/paths.ts";
import { onCleanup } from "./cleanup.ts";
import { alternate, type Row, type Sample } from "./measure.ts";

const BINARY = projectPath("dist/quayside");

/** Runs the binary in `dir` until /health answers 200; the milliseconds that took. Stops it after. */
async function timedStart(dir: string): Promise<Sample> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(join(dir, "quayside"), [], {
    cwd: dir,
    env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", PORT: String(port) },
    stdio: "ignore",
  });
  const exited = new Promise((r) => child.once("exit", r));
  const stop = onCleanup("compiled quayside", async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
  });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`dist/quayside exited with ${child.exitCode} before answering`);
      const res = await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined);
      if (res?.status === 200) return { value: performance.now() - started };
      if (performance.now() - started > 120_000) throw new Error("dist/quayside did not answer /health within 2 minutes");
      await new Promise((r) => setTimeout(r, 10));
    }
  } finally {
    await stop();
  }
}

/** A fresh directory holding only a copy of the binary (open to the postgres user, as root). */
async function emptyDirWithBinary(workDir: string): Promise<string> {
  const dir = await mkdtemp(join(workDir, "binary-"));
  await chmod(dir, 0o755);
  await copyFile(BINARY, join(dir, "quayside"));
  await chmod(join(dir, "quayside"), 0o755);
  return dir;
}

export async function binaryRows(workDir: string, reps: number): Promise<Row[]> {
  execFileSync("npm", ["run", "--silent", "compile"], { cwd: projectPath(), stdio: "inherit" });
  const size = (await stat(BINARY)).size / 1024 / 1024;
  const dirs: string[] = [];
  const first = await alternate(reps, async () => dirs[dirs.push(await emptyDirWithBinary(workDir)) - 1]!, {
    quayside: (dir) => timedStart(dir),
  });
  const again = await alternate(reps, (rep) => dirs[rep]!, { quayside: (dir) => timedStart(dir) });
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  const row = (name: string, unit: string, quayside: Row["quayside"], note: string): Row => ({
    section: "Operations",
    name,
    unit,
    higherIsBetter: false,
    quayside,
    limits: [],
    target: { kind: "none", text: "–" },
    note,
  });
  return [
    row("Compiled binary size (dist/quayside, linux-x64)", "MiB", { median: size, runs: [size], errors: 0 }, "Bun runtime, server, UI files, migrations and Postgres 18 inside"),
    row("Compiled binary, first start in an empty directory (to first 200 on /health)", "ms", first.quayside, "unpacks its files, initdb, migrations"),
    row("Compiled binary, start again on the same directory (to first 200 on /health)", "ms", again.quayside, "files already unpacked"),
  ];
}

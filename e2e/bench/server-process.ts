// Starts Quayside as its own process (embedded Postgres, temporary data dir) for benchmarks,
// and reads its resident memory from /proc.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../../server/free-port.ts";

export interface BenchServer {
  url: string;
  host: string;
  pid: number;
  dataDir: string;
  stop(): Promise<void>;
}

/** `nodeArgs` go before the script, e.g. `--cpu-prof --cpu-prof-dir=DIR` (written at exit). */
export async function startQuayside(env: Record<string, string> = {}, nodeArgs: string[] = []): Promise<BenchServer> {
  const dataDir = await mkdtemp(join(tmpdir(), "quayside-bench-"));
  const port = await freePort();
  // Run exactly what `npm start` runs (its prestart bundle, then node with its flags), but as
  // one process whose memory can be read.
  execFileSync("npm", ["run", "--silent", "prestart"], { stdio: "inherit" });
  const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { scripts: { start: string } };
  const [, ...args] = pkg.scripts.start.split(" ");
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, ...args], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: "127.0.0.1",
      QUAYSIDE_DATA_DIR: dataDir,
      QUAYSIDE_ADMIN_USER: "bench",
      QUAYSIDE_ADMIN_PASSWORD: "bench-password",
      ...env,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  try {
    await new Promise<void>((resolveStarted, reject) => {
      child.stdout!.on("data", (d: Buffer) => {
        if (d.toString().includes("quayside listening")) resolveStarted();
      });
      child.once("exit", (code) => reject(new Error(`quayside exited with ${code}`)));
    });
  } catch (err) {
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    pid: child.pid!,
    dataDir,
    async stop() {
      // On Ctrl-C the server gets the SIGINT too and may already be gone.
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await exited;
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Resident set size of a process in bytes (Linux). */
export function residentBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb * 1024;
}

/** Samples a process's RSS until stopped; returns the peak. */
export function sampleMemory(pid: number, everyMs = 50) {
  let peak = residentBytes(pid);
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, residentBytes(pid));
    } catch {
      // process gone
    }
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return peak;
    },
  };
}

export async function registryToken(server: BenchServer, scope: string): Promise<string> {
  const res = await fetch(`${server.url}/v2/auth?scope=${encodeURIComponent(scope)}`, {
    headers: { authorization: `Basic ${Buffer.from("bench:bench-password").toString("base64")}` },
  });
  return ((await res.json()) as { token: string }).token;
}

// Starting helper servers (distribution, nginx, a bare Node server) as child processes that are
// always stopped: each one registers with cleanup.ts.
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { onCleanup } from "./cleanup.ts";

export interface ChildServer {
  pid: number;
  stop(): Promise<void>;
}

function alive(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/** Spawns a long-running process whose output goes to `logFile`; stop() sends SIGTERM, then SIGKILL. */
export function startChild(label: string, command: string, args: string[], logFile: string): ChildServer {
  const log = createWriteStream(logFile);
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  const stop = onCleanup(label, async () => {
    if (alive(child)) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      const timer = setTimeout(() => alive(child) && child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    }
    log.end();
  });
  child.once("exit", (code, signal) => {
    if (code !== 0 && code !== null && signal === null) console.error(`bench: ${label} exited with ${code}; see ${logFile}`);
  });
  return { pid: child.pid!, stop };
}

/** Polls a URL until it answers at all (any status). */
export async function waitForHttp(url: string, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      return;
    } catch (err) {
      if (Date.now() > until) throw new Error(`${url} did not answer within ${timeoutMs} ms: ${String(err)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

// Starting the real entry point as a child process, as a user would.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../../server/free-port.ts";

export interface StartedProcess {
  child: ChildProcess;
  output(): string;
  /** Signals the whole process group and waits for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | string | null>;
}

export function startProcess(command: string, args: string[], env: Record<string, string>, cwd?: string): StartedProcess {
  let output = "";
  // Its own process group, so a signal reaches npm, tsx and node alike, as Ctrl-C in a terminal does.
  const child = spawn(command, args, {
    env: { ...process.env, NO_COLOR: "1", ...env },
    cwd,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const exited = new Promise<number | string | null>((r) => child.once("exit", (code, sig) => r(code ?? sig)));
  // npm may exit before the server it started; the pipe closes only when every holder is gone.
  const drained = new Promise<void>((r) => child.stdout!.once("close", () => r()));
  return {
    child,
    output: () => output,
    async stop(signal = "SIGINT") {
      if (child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(-child.pid!, signal);
        } catch {
          // already gone
        }
      }
      const result = await exited;
      await drained;
      return result;
    },
  };
}

/** Polls `url` until it answers (any status) or the process dies or time runs out. */
export async function waitForHttp(url: string, proc: StartedProcess, ms = 90_000): Promise<Response> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline && proc.child.exitCode === null) {
    const res = await fetch(url).catch(() => undefined);
    if (res) return res;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no answer from ${url}; output:\n${proc.output()}`);
}

/** Waits for a process that should refuse to start; its exit code. */
export function exitOf(proc: StartedProcess): Promise<number | string | null> {
  if (proc.child.exitCode !== null) return Promise.resolve(proc.child.exitCode);
  return new Promise((r) => proc.child.once("exit", (code, signal) => r(code ?? signal)));
}

/** `server/main.ts` as one node of a cluster: a port and data directory of its own. */
export interface ServerNode {
  url: string;
  proc: StartedProcess;
  dataDir: string;
}

/**
 * Starts a node and waits for its /health. It joins `started` before it answers, so the
 * caller's cleanup (stopNodes) stops it even if it never does. Tokens name one service on
 * every node (QUAYSIDE_PUBLIC_URL), as behind a load balancer — or, with `ownPublicUrl`, the
 * node's own address, for clients such as skopeo that must reach the token endpoint it names.
 */
export async function startNode(
  env: Record<string, string>,
  started: ServerNode[],
  options: { ownPublicUrl?: boolean } = {},
): Promise<ServerNode> {
  const dataDir = await mkdtemp(join(tmpdir(), "quayside-node-"));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = startProcess(process.execPath, ["--import", "tsx", "server/main.ts"], {
    PORT: String(port),
    HOST: "127.0.0.1",
    QUAYSIDE_DATA_DIR: dataDir,
    QUAYSIDE_PUBLIC_URL: options.ownPublicUrl ? url : "http://registry.test",
    ...env,
  });
  const node = { url, proc, dataDir };
  started.push(node);
  await waitForHttp(`${node.url}/health`, proc);
  return node;
}

/** Stops every node (SIGTERM; a stopped one is continued first) and removes its data directory. */
export async function stopNodes(nodes: ServerNode[]): Promise<void> {
  for (const node of nodes) {
    if (node.proc.child.exitCode === null && node.proc.child.signalCode === null) process.kill(-node.proc.child.pid!, "SIGCONT");
    await node.proc.stop("SIGTERM");
    await rm(node.dataDir, { recursive: true, force: true });
  }
}

// Load rows: runs wrk (Debian's wrk 4.1) against one URL and parses its --latency report.
// GET only: wrk 4.1 hangs on HEAD responses (see head-load.ts).
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { trackChild } from "./cleanup.ts";

export interface WrkOptions {
  threads?: number;
  connections: number;
  seconds: number;
  headers?: Record<string, string>;
  /** A Range header with a random aligned window of `size` bytes in [0, total) on every request. */
  randomRange?: { size: number; total: number };
  /** An X-Forwarded-For address of its own on every request (for a server trusting 127.0.0.1). */
  distinctClients?: boolean;
}

export interface WrkResult {
  requestsPerSecond: number;
  /** Bytes read per second. */
  bytesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  /** Non-2xx/3xx responses plus socket errors: a run with errors is not a valid measurement. */
  errors: number;
}

let scriptCounter = 0;

function durationMs(text: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text.trim());
  if (!m) throw new Error(`wrk: cannot parse duration "${text}"`);
  const scale = { us: 0.001, ms: 1, s: 1000, m: 60_000 }[m[2] as "us" | "ms" | "s" | "m"];
  return Number(m[1]) * scale;
}

function bytes(text: string): number {
  const m = /^([\d.]+)(B|KB|MB|GB|TB)$/.exec(text.trim());
  if (!m) throw new Error(`wrk: cannot parse size "${text}"`);
  const scale = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 }[m[2] as "B"];
  return Number(m[1]) * scale;
}

export function parseWrk(out: string): WrkResult {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
  const transfer = /Transfer\/sec:\s+(\S+)/.exec(out);
  const p50 = /^\s+50%\s+(\S+)/m.exec(out);
  const p99 = /^\s+99%\s+(\S+)/m.exec(out);
  const total = /(\d+) requests in/.exec(out);
  if (!rps || !p50 || !p99 || !total || !transfer) throw new Error(`wrk: unexpected output:\n${out}`);
  let errors = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  if (socket) errors += socket.slice(1).reduce((sum, n) => sum + Number(n), 0);
  return {
    requestsPerSecond: Number(rps[1]),
    bytesPerSecond: bytes(transfer[1]!),
    p50Ms: durationMs(p50[1]!),
    p99Ms: durationMs(p99[1]!),
    requests: Number(total[1]),
    errors,
  };
}

/** Runs wrk; `scriptDir` receives the Lua script when one is needed (random ranges). */
export function runWrk(url: string, options: WrkOptions, scriptDir: string): Promise<WrkResult> {
  const args = [
    `-t${options.threads ?? 2}`,
    `-c${options.connections}`,
    `-d${options.seconds}s`,
    "--latency",
    "--timeout",
    "10s",
  ];
  for (const [name, value] of Object.entries(options.headers ?? {})) args.push("-H", `${name}: ${value}`);
  const lua: string[] = [];
  if (options.randomRange) {
    const { size, total } = options.randomRange;
    lua.push(
      `local windows = ${Math.floor(total / size)}`,
      "request = function()",
      "  local headers = {}",
      "  for k, v in pairs(wrk.headers) do headers[k] = v end",
      `  local start = math.random(0, windows - 1) * ${size}`,
      `  headers["Range"] = "bytes=" .. start .. "-" .. (start + ${size - 1})`,
      "  return wrk.format(nil, nil, headers)",
      "end",
    );
  }
  if (options.distinctClients) {
    lua.push(
      "local n = 0",
      "request = function()",
      "  n = n + 1",
      '  wrk.headers["X-Forwarded-For"] = "10." .. (math.floor(n / 65536) % 256) .. "." .. (math.floor(n / 256) % 256) .. "." .. (n % 256)',
      "  return wrk.format()",
      "end",
    );
  }
  if (lua.length > 0) {
    const script = join(scriptDir, `wrk-${process.pid}-${scriptCounter++}.lua`);
    writeFileSync(script, lua.join("\n") + "\n");
    args.push("-s", script);
  }
  args.push(url);
  return new Promise((resolveRun, reject) => {
    const child = execFile("wrk", args, { encoding: "utf8", timeout: (options.seconds + 30) * 1000 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`wrk failed: ${err.message}\n${stderr}`));
      try {
        resolveRun(parseWrk(stdout));
      } catch (parseErr) {
        reject(parseErr);
      }
    });
    trackChild(child, "wrk");
  });
}

// Request bodies nobody should be able to make the server hold: 100 MB sent to each door, with an
// honest Content-Length, a lying one, and chunked without any, is refused with 413 while the
// server process (run as `npm start` runs it, so its memory is its own) stays small.
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../server/free-port.ts";
import { basic } from "../support/registry-client.ts";
import { freshDatabaseUrl } from "../support/test-app.ts";
import { type StartedProcess, startProcess, waitForHttp } from "./process.ts";

const MB = 1024 * 1024;
const TOTAL = 100 * MB;
const BLOCK = Buffer.alloc(MB, "x");

let proc: StartedProcess | undefined;
let dataDir: string;
let bundle: string;
let base: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "quayside-bodies-"));
  // Bundled as `npm start` does (one level below the project root, where paths.ts expects it).
  bundle = `.build/body-limits-${randomUUID()}.mjs`;
  await build({
    entryPoints: ["server/main.ts"],
    bundle: true,
    platform: "node",
    format: "esm",
    packages: "external",
    outfile: bundle,
    logLevel: "warning",
  });
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  proc = startProcess(process.execPath, ["--max-semi-space-size=4", bundle], {
    PORT: String(port),
    HOST: "127.0.0.1",
    QUAYSIDE_DATA_DIR: dataDir,
    DATABASE_URL: await freshDatabaseUrl(),
    QUAYSIDE_ADMIN_USER: "admin",
    QUAYSIDE_ADMIN_PASSWORD: "admin-password",
  });
  await waitForHttp(`${base}/health`, proc);
});

afterAll(async () => {
  await proc?.stop("SIGTERM");
  await rm(dataDir, { recursive: true, force: true });
  if (bundle) await rm(bundle, { force: true });
});

/** The most memory the server process has held since it started (Linux). */
const peakMemory = () => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${proc!.child.pid}/status`, "utf8"))![1]) * 1024;

interface Sent {
  status: number;
  body: string;
  /** Bytes written before the answer came (or everything). */
  sent: number;
}

/**
 * Streams up to 100 MB as fast as the server takes it and stops at its answer. `length` is the
 * Content-Length to announce (none: chunked).
 */
function sendBig(path: string, method: string, headers: Record<string, string>, length?: number): Promise<Sent> {
  return new Promise((resolveSent, reject) => {
    let sent = 0;
    let answered = false;
    const req = request(`${base}${path}`, {
      method,
      headers: { ...headers, ...(length === undefined ? {} : { "content-length": String(length) }) },
    });
    req.on("response", (res) => {
      answered = true;
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (body += d));
      res.on("end", () => {
        req.destroy();
        resolveSent({ status: res.statusCode!, body, sent });
      });
    });
    // The server may close the connection once it has answered: that is not a failure.
    req.on("error", (err) => {
      if (!answered) reject(err);
    });
    const pump = () => {
      while (!answered && sent < TOTAL) {
        sent += BLOCK.length;
        if (!req.write(BLOCK)) return void req.once("drain", pump);
      }
      if (!answered && length === undefined) req.end();
    };
    pump();
  });
}

const json = { "content-type": "application/json" };

describe("100 MB bodies", { timeout: 120_000 }, () => {
  it("are refused by the API with Quay's 413 before they are read, chunked, honest or lying", async () => {
    const cases: [string, string, number | undefined][] = [
      ["/api/v1/user/initialize", "POST", undefined],
      ["/api/v1/user/initialize", "POST", TOTAL],
      ["/api/v1/user/initialize", "POST", 10 * 1024 * MB],
      ["/api/v1/repository", "POST", undefined],
      ["/api/v1/repository/admin/x", "PUT", TOTAL],
      ["/api/v1/nowhere", "POST", undefined],
    ];
    for (const [path, method, length] of cases) {
      const res = await sendBig(path, method, json, length);
      const label = `${method} ${path} length ${length ?? "chunked"}`;
      expect(res.status, label).toBe(413);
      expect(JSON.parse(res.body), label).toMatchObject({
        status: 413,
        error_type: "invalid_request",
        title: "invalid_request",
        error_message: "Request body is larger than 1048576 bytes",
      });
      expect(res.sent, label).toBeLessThan(TOTAL);
    }
    expect(peakMemory()).toBeLessThan(200 * MB);
  });

  it("are refused by the manifest PUT (4 MiB) and the web forms (64 KiB) while streaming", async () => {
    const auth = { authorization: basic("admin", "admin-password"), "content-type": "application/vnd.oci.image.manifest.v1+json" };
    for (const length of [undefined, TOTAL]) {
      const res = await sendBig("/v2/admin/big/manifests/latest", "PUT", auth, length);
      expect(res.status).toBe(413);
      expect(JSON.parse(res.body).errors[0].code).toBe("MANIFEST_INVALID");
      expect(res.sent).toBeLessThan(TOTAL);
    }
    const form = await sendBig("/signin", "POST", { "content-type": "application/x-www-form-urlencoded" });
    expect(form.status).toBe(413);
    expect(form.sent).toBeLessThan(TOTAL);
    expect(peakMemory()).toBeLessThan(200 * MB);
  });

  it("leave the API working for ordinary requests", async () => {
    const res = await fetch(`${base}/api/v1/user/initialize`, { method: "POST", headers: json, body: JSON.stringify({ username: "x", password: "y" }) });
    // The admin exists already: Quay's refusal, not a 413.
    expect(res.status).toBe(400);
  });
});

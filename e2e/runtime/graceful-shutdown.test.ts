// SIGTERM lets uploads in flight finish: the server stops accepting connections at once, a
// chunked PATCH still streaming completes with 202, then the process exits 0. A request still
// going when QUAYSIDE_SHUTDOWN_GRACE runs out is cut off, and the process still exits cleanly.
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { freePort } from "../../server/free-port.ts";
import { basic } from "../support/registry-client.ts";
import { freshDatabaseUrl } from "../support/test-app.ts";
import { exitOf, type StartedProcess, startProcess, waitForHttp } from "./process.ts";

const repo = "admin/draining";
const CHUNK = new Uint8Array(64 * 1024).fill(1);
const started: { proc: StartedProcess; dataDir: string }[] = [];

afterEach(async () => {
  for (const { proc, dataDir } of started.splice(0)) {
    await proc.stop("SIGKILL");
    await rm(dataDir, { recursive: true, force: true });
  }
});

async function startServer(env: Record<string, string>) {
  const dataDir = await mkdtemp(join(tmpdir(), "quayside-drain-"));
  const port = await freePort();
  const proc = startProcess(process.execPath, ["--import", "tsx", "server/main.ts"], {
    PORT: String(port),
    HOST: "127.0.0.1",
    DATABASE_URL: await freshDatabaseUrl(),
    QUAYSIDE_DATA_DIR: dataDir,
    QUAYSIDE_ADMIN_USER: "admin",
    QUAYSIDE_ADMIN_PASSWORD: "admin-password",
    ...env,
  });
  started.push({ proc, dataDir });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/health`, proc);
  const res = await fetch(`${url}/v2/auth?scope=repository:${repo}:pull,push`, { headers: { authorization: basic("admin", "admin-password") } });
  const auth = `Bearer ${((await res.json()) as { token: string }).token}`;
  const upload = await fetch(`${url}/v2/${repo}/blobs/uploads/`, { method: "POST", headers: { authorization: auth } });
  expect(upload.status).toBe(202);
  return { url, proc, auth, dataDir, location: upload.headers.get("location")! };
}

/** A request body the test feeds by hand: `send` a chunk, `end` it. */
function handFedBody() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const stream = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
  return { stream, send: (chunk: Uint8Array) => controller.enqueue(chunk), end: () => controller.close() };
}

function startPatch(url: string, location: string, auth: string, body: ReadableStream<Uint8Array>): Promise<Response> {
  return fetch(`${url}${location}`, {
    method: "PATCH",
    headers: { authorization: auth, "content-type": "application/octet-stream" },
    body,
    duplex: "half",
  } as RequestInit);
}

/** True once the server no longer accepts connections (it has begun shutting down). */
async function untilRefused(url: string): Promise<void> {
  for (;;) {
    const answered = await fetch(`${url}/health`, { headers: { connection: "close" } }).then(
      async (r) => (await r.arrayBuffer(), true),
      () => false,
    );
    if (!answered) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until the server writes the PATCH's bytes (its part file exists): the request is in flight. */
async function untilWriting(dataDir: string, location: string): Promise<void> {
  const dir = join(dataDir, "blobs", "uploads", location.split("/").pop()!);
  while (!(await readdir(dir).catch(() => [])).some((f) => f.endsWith(".part"))) await new Promise((r) => setTimeout(r, 20));
}

it("finishes a chunked PATCH in flight at SIGTERM with 202, then exits 0", async () => {
  const { url, proc, auth, dataDir, location } = await startServer({});
  const body = handFedBody();
  const patch = startPatch(url, location, auth, body.stream);
  body.send(CHUNK);
  await untilWriting(dataDir, location);
  process.kill(-proc.child.pid!, "SIGTERM");
  await untilRefused(url);
  // The server is shutting down while the client is still sending.
  for (let i = 0; i < 15; i++) body.send(CHUNK);
  body.end();
  const res = await patch;
  expect(res.status).toBe(202);
  expect(res.headers.get("range")).toBe(`0-${16 * CHUNK.length - 1}`);
  expect(await exitOf(proc)).toBe(0);
  expect(proc.output()).toContain("SIGTERM");
});

it("cuts off a request still going when the grace period ends, and exits 0", async () => {
  const { url, proc, auth, dataDir, location } = await startServer({ QUAYSIDE_SHUTDOWN_GRACE: "1" });
  const body = handFedBody();
  const patch = startPatch(url, location, auth, body.stream).catch((err: unknown) => err);
  body.send(CHUNK);
  await untilWriting(dataDir, location);
  process.kill(-proc.child.pid!, "SIGTERM");
  expect(await exitOf(proc)).toBe(0);
  expect(await patch).toBeInstanceOf(Error);
});

// `deno task start` runs the same server on Deno 2: start it against a fresh database and check
// that the registry answers, takes a blob and serves it back (the Node-specific fast paths run
// on Deno's node:http).
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { freePort } from "../../server/free-port.ts";
import { basic, sha256 } from "../support/registry-client.ts";
import { freshDatabaseUrl } from "../support/test-app.ts";
import { type StartedProcess, startProcess, waitForHttp } from "./process.ts";

let proc: StartedProcess | undefined;
let dataDir: string | undefined;

afterAll(async () => {
  await proc?.stop("SIGTERM");
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

it("serves /v2/ when started with `deno task start`", { timeout: 120_000 }, async () => {
  const deno = "node_modules/deno/deno";
  expect(existsSync(deno), "the deno npm package must provide the binary").toBe(true);
  dataDir = await mkdtemp(join(tmpdir(), "quayside-deno-"));
  const port = await freePort();
  proc = startProcess(deno, ["task", "start"], {
    PORT: String(port),
    DATABASE_URL: await freshDatabaseUrl(),
    QUAYSIDE_DATA_DIR: dataDir,
    QUAYSIDE_ADMIN_USER: "admin",
    QUAYSIDE_ADMIN_PASSWORD: "admin-password",
  });
  const res = await waitForHttp(`http://127.0.0.1:${port}/v2/`, proc);
  expect(res.status).toBe(401);
  expect(res.headers.get("docker-distribution-api-version")).toBe("registry/2.0");
  expect(proc.output()).toContain("quayside listening");

  const auth = { authorization: basic("admin", "admin-password") };
  const blob = randomBytes(700_000);
  const digest = sha256(blob);
  const push = await fetch(`http://127.0.0.1:${port}/v2/admin/deno/blobs/uploads/?digest=${digest}`, {
    method: "POST",
    headers: auth,
    body: blob,
  });
  expect(push.status).toBe(201);
  const pull = await fetch(`http://127.0.0.1:${port}/v2/admin/deno/blobs/${digest}`, { headers: auth });
  expect(pull.status).toBe(200);
  expect(sha256(new Uint8Array(await pull.arrayBuffer()))).toBe(digest);
  // Health checks, metrics (prom-client's process figures) and request ids work on Deno too.
  const health = await fetch(`http://127.0.0.1:${port}/health/endtoend`);
  expect(await health.json()).toEqual({ data: { services: { database: true, storage: true, registry: true } }, status_code: 200 });
  const metrics = await fetch(`http://127.0.0.1:${port}/metrics`);
  expect(metrics.status).toBe(200);
  expect(await metrics.text()).toMatch(/quayside_http_requests_total\{method="GET",route="\/v2\/:name\/blobs\/:digest",status="200"\} 1/);
  expect(pull.headers.get("x-request-id")).toMatch(/^[0-9a-f]{12}-[0-9a-f]{8,}$/);
});

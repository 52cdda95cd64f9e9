// Quay's health endpoints: /health/instance (can this node serve: its database and blob store)
// and /health/endtoend (the same plus a registry round trip). Quay's shape: `{"data":
// {"services": {name: bool}}, "status_code": 200}`, answered 200 when every service is up and 503
// otherwise. Why a check failed goes to the log, not to anonymous callers.
import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import type { Context } from "hono";
import type { AppDeps } from "../deps.ts";
import { log } from "./log.ts";

/** A check that takes longer than this counts as down: probes must answer within their own timeout. */
const CHECK_TIMEOUT_MS = 5_000;

const PROBE_BYTES = new TextEncoder().encode("quayside health probe");

async function* probeBody(): AsyncIterable<Uint8Array> {
  yield PROBE_BYTES;
}

type Check = () => Promise<void>;

async function database(deps: AppDeps): Promise<void> {
  await deps.db.execute(sql`select 1`);
}

/** Writes a few bytes as an upload of its own, reads them back and removes them. */
async function storage(deps: AppDeps): Promise<void> {
  const id = randomUUID();
  try {
    const part = await deps.store.writePart(id, 0, probeBody(), () => {});
    await deps.store.appendPart(id, part);
    let read = 0;
    for await (const chunk of deps.store.readUpload(id, PROBE_BYTES.length)) read += chunk.length;
    if (read !== PROBE_BYTES.length) throw new Error(`read ${read} of ${PROBE_BYTES.length} bytes back`);
  } finally {
    await deps.store.deleteUpload(id);
  }
}

/**
 * As a registry client starts: an anonymous token from /v2/auth, then /v2/ with it, through the
 * whole app (routing, token signing and verification, the caller's principal). In process: the
 * health request itself already came through this node's socket.
 */
async function registry(fetch: (request: Request) => Promise<Response>): Promise<void> {
  const base = "http://health.internal";
  const tokenResponse = await fetch(new Request(`${base}/v2/auth?scope=repository:health/probe:pull`));
  if (tokenResponse.status !== 200) throw new Error(`/v2/auth answered ${tokenResponse.status}`);
  const { token } = (await tokenResponse.json()) as { token: string };
  const ping = await fetch(new Request(`${base}/v2/`, { headers: { authorization: `Bearer ${token}` } }));
  await ping.body?.cancel();
  if (ping.status !== 200) throw new Error(`/v2/ with a token answered ${ping.status}`);
}

function withTimeout(check: Check): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  return Promise.race([check(), late]).finally(() => clearTimeout(timer));
}

/** An error's message and its cause's (drizzle wraps the driver's error: "Failed query …"). */
function reasonText(reason: unknown): string {
  if (!(reason instanceof Error)) return String(reason);
  return reason.cause instanceof Error ? `${reason.message} (${reason.cause.message})` : reason.message;
}

async function answer(c: Context, kind: string, checks: Record<string, Check>): Promise<Response> {
  const names = Object.keys(checks);
  const results = await Promise.allSettled(names.map((name) => withTimeout(checks[name]!)));
  const services: Record<string, boolean> = {};
  const failures: Record<string, string> = {};
  results.forEach((result, i) => {
    services[names[i]!] = result.status === "fulfilled";
    if (result.status === "rejected") failures[names[i]!] = reasonText(result.reason);
  });
  const healthy = Object.values(services).every(Boolean);
  if (!healthy) log.warn({ check: kind, failures }, "health check failed");
  const status = healthy ? 200 : 503;
  c.header("Cache-Control", "no-store");
  return c.json({ data: { services }, status_code: status }, status);
}

export function instanceHealth(deps: AppDeps, c: Context): Promise<Response> {
  return answer(c, "instance", { database: () => database(deps), storage: () => storage(deps) });
}

/** `fetch` reaches this node's /v2 door; a worker node has none and checks what it uses. */
export function endToEndHealth(deps: AppDeps, c: Context, fetch?: (request: Request) => Promise<Response>): Promise<Response> {
  const checks: Record<string, Check> = { database: () => database(deps), storage: () => storage(deps) };
  if (fetch) checks.registry = () => registry(fetch);
  return answer(c, "endtoend", checks);
}

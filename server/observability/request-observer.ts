// The first middleware: gives each request an id (the caller's X-Request-Id when it is a sane
// one, else a new one, echoed in the response), and once the last byte has gone out counts it in
// the metrics and writes one log line (method, route, path, status, duration, bytes).
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Context, MiddlewareHandler } from "hono";
import { log } from "./log.ts";
import { requestSeries } from "./metrics.ts";
import { routePattern } from "./route-pattern.ts";

const ids = new WeakMap<Request, string>();

/** Logs a failure while answering a request, under the request's id. */
export function logRequestError(c: Context, err: unknown, message: string): void {
  log.error({ reqId: ids.get(c.req.raw), err }, message);
}

/**
 * This process's ids: a random prefix and a counter (a UUID per request cost measurable time on
 * the hottest requests); unique across nodes and restarts for all practical purposes.
 */
const processPrefix = randomBytes(6).toString("hex");
let issued = 0;
const newRequestId = () => `${processPrefix}-${(++issued).toString(16).padStart(8, "0")}`;

/** Ids callers may choose: what proxies and tracing tools send, nothing that could forge a log line. */
const ACCEPTED_ID = /^[\w.:-]{1,128}$/;

/** Probes and scrapes arrive every few seconds on every node: logged only at debug level. */
const ROUTINE = /^\/(health(\/|$)|metrics$)/;

/** Status when the client went away before the response was complete (nginx's convention). */
const CLIENT_CLOSED = 499;

interface NodeBindings {
  incoming?: IncomingMessage;
  outgoing?: ServerResponse;
}

/** Each connection's byte counters as the previous request on it ended. */
const counted = new WeakMap<Socket, { read: number; written: number }>();

/**
 * What moved on the connection since its previous request ended (headers included): Node has
 * already read a small body with the headers by the time any middleware runs, and blob bodies
 * are written straight into the socket, so the connection's own counters are the honest ones.
 */
function socketBytes(socket: Socket): { bytesIn: number; bytesOut: number } {
  const before = counted.get(socket) ?? { read: 0, written: 0 };
  const now = { read: socket.bytesRead, written: socket.bytesWritten };
  counted.set(socket, now);
  return { bytesIn: now.read - before.read, bytesOut: now.written - before.written };
}

/** In-process requests (tests) have no socket: the declared lengths stand in. */
const contentLength = (headers: Headers) => Number(headers.get("content-length") ?? 0) || 0;

/**
 * Adds X-Request-Id to the headers Node's response is written with, whoever writes them (Hono's
 * adapter, or a blob sent straight into the socket). Not setHeader(): a header set ahead makes
 * writeHead validate and copy every other header one by one, which cost 4-5 µs of CPU per
 * manifest GET (a seventh of it).
 */
function stampHeader(outgoing: ServerResponse, id: string): void {
  const writeHead = outgoing.writeHead;
  outgoing.writeHead = function (this: ServerResponse, status: number, ...rest: unknown[]) {
    const headers = rest[rest.length - 1];
    if (Array.isArray(headers)) headers.push("X-Request-Id", id);
    else if (headers && typeof headers === "object") (headers as Record<string, string>)["X-Request-Id"] = id;
    else rest.push({ "X-Request-Id": id });
    return (writeHead as (...args: unknown[]) => ServerResponse).call(this, status, ...rest);
  } as ServerResponse["writeHead"];
}

export function observeRequests(options: { logRequests: boolean }): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    const { incoming, outgoing } = (c.env ?? {}) as NodeBindings;
    const given = c.req.header("x-request-id");
    const id = given && ACCEPTED_ID.test(given) ? given : newRequestId();
    ids.set(c.req.raw, id);
    const socket = incoming?.socket;
    if (outgoing) stampHeader(outgoing, id);

    const done = (status: number) => {
      const route = routePattern(c);
      const method = c.req.method;
      const seconds = (performance.now() - started) / 1000;
      const { bytesIn, bytesOut } = socket ? socketBytes(socket) : { bytesIn: contentLength(c.req.raw.headers), bytesOut: contentLength(c.res.headers) };
      const series = requestSeries(method, route, status);
      series.requests.inc();
      series.duration.observe(seconds);
      if (bytesIn > 0) series.bytesIn.inc(bytesIn);
      if (bytesOut > 0) series.bytesOut.inc(bytesOut);
      if (!options.logRequests) return;
      const fields = { reqId: id, method, route, path: c.req.path, status, ms: Math.round(seconds * 10_000) / 10, bytesIn, bytesOut };
      if (ROUTINE.test(c.req.path)) log.debug(fields, "request");
      else log.info(fields, "request");
    };

    // Bodies may still be streaming out after the handlers return: the request ends when Node's
    // response closes (listened for first: a small body sent straight into the socket may be
    // out before the handler returns).
    outgoing?.once("close", () => done(outgoing.writableFinished ? outgoing.statusCode : CLIENT_CLOSED));
    await next();
    if (outgoing) return;
    try {
      c.res.headers.set("X-Request-Id", id);
    } catch {
      // Headers of a Response.redirect() are immutable: answer a copy.
      c.res = new Response(c.res.body, c.res);
      c.res.headers.set("X-Request-Id", id);
    }
    done(c.res.status);
  };
}

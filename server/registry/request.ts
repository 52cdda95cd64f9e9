// One /v2 request after routing: the dependencies, the Hono context, who is calling, the
// repository name and the path parameter after it (digest, reference or upload id).
import type { ServerResponse } from "node:http";
import { pipeline, Readable } from "node:stream";
import { RESPONSE_ALREADY_SENT } from "@hono/node-server/utils/response";
import type { Context } from "hono";
import type { Actor } from "../domain/access/principal.ts";
import type { Caller } from "./auth.ts";
import type { RegistryDeps } from "./deps.ts";

export interface RegistryRequest {
  deps: RegistryDeps;
  c: Context;
  caller: Caller;
  actor: Actor;
  /** `namespace/name` */
  name: string;
  param: string;
}

export type RegistryHandler = (r: RegistryRequest) => Promise<Response>;

export const API_VERSION_HEADER = { "Docker-Distribution-API-Version": "registry/2.0" };

/** Node's response object when the app runs under @hono/node-server (Node, or Deno's node:http). */
export function nodeResponse(c: Context): ServerResponse | undefined {
  return (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
}

export function respond(status: number, headers: Record<string, string>, body: BodyInit | null = null): Response {
  return new Response(body, { status, headers: { ...API_VERSION_HEADER, ...headers } });
}

/**
 * A response whose body is a Node stream (blob bytes from a store without local files). Under
 * @hono/node-server it is piped straight into the socket rather than through a web stream;
 * without a Node response to write to it becomes a standard Response.
 */
export function respondWithStream(c: Context, status: number, headers: Record<string, string>, body: Readable): Response {
  const outgoing = nodeResponse(c);
  const allHeaders = { ...API_VERSION_HEADER, ...headers };
  if (!outgoing) return new Response(Readable.toWeb(body) as ReadableStream<Uint8Array>, { status, headers: allHeaders });
  outgoing.writeHead(status, allHeaders);
  pipeline(body, outgoing, () => {}); // a client that goes away ends the pipe; both sides are closed
  return RESPONSE_ALREADY_SENT;
}

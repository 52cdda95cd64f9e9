// Request bodies as byte streams. On Node the raw IncomingMessage is read directly (no web
// stream in between); elsewhere (Deno) the standard Request body is used.
import type { Context } from "hono";
import type { IncomingMessage } from "node:http";
import { DomainError } from "../domain/errors.ts";

const empty: AsyncIterable<Uint8Array> = { async *[Symbol.asyncIterator]() {} };

const nodeIncoming = (c: Context) => (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;

export function requestBody(c: Context): AsyncIterable<Uint8Array> {
  const incoming = nodeIncoming(c);
  if (incoming && typeof incoming[Symbol.asyncIterator] === "function") return incoming;
  const body = c.req.raw.body;
  return body ? (body as unknown as AsyncIterable<Uint8Array>) : empty;
}

/** Whether the request announces a body (a non-zero Content-Length, or chunked transfer). */
export function hasBody(c: Context): boolean {
  const length = c.req.header("content-length");
  if (length !== undefined) return Number(length) > 0;
  if (c.req.header("transfer-encoding") !== undefined) return true;
  // Without Node's raw request (Deno, in-process requests) the standard body tells.
  return !nodeIncoming(c) && c.req.raw.body !== null;
}

/** The whole body, refusing (MANIFEST_TOO_LARGE) past `limit` bytes without reading further. */
export async function readLimited(c: Context, limit: number): Promise<Buffer> {
  const announced = Number(c.req.header("content-length") ?? 0);
  if (announced > limit) throw new DomainError("MANIFEST_TOO_LARGE", `manifest is larger than ${limit} bytes`);
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of requestBody(c)) {
    total += chunk.byteLength;
    if (total > limit) throw new DomainError("MANIFEST_TOO_LARGE", `manifest is larger than ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}

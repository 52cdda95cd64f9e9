// The caller's address, for the usage log.
import type { Context } from "hono";
import type { IncomingMessage } from "node:http";

export function clientIp(c: Context): string | null {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? null;
}

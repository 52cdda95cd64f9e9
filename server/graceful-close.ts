// Closing the HTTP server without cutting off requests in flight (a layer push may take minutes):
// stop accepting connections, answer what is under way with `Connection: close` so no
// kept-alive connection lingers after its last response, and only once the grace period is over
// cut whatever is still open.
import type { ServerResponse } from "node:http";
import type { ServerType } from "@hono/node-server";

interface NodeHttpServer {
  close(callback: () => void): unknown;
  closeIdleConnections?(): void;
  closeAllConnections?(): void;
  on(event: "request", listener: (request: unknown, response: ServerResponse) => void): unknown;
}

export interface Closable {
  /** Requests being answered right now. */
  inFlight(): number;
  /** Resolves once every request has finished, or the grace period ran out and the rest were cut. */
  close(graceMs: number): Promise<void>;
}

export function closable(server: ServerType): Closable {
  const http = server as unknown as NodeHttpServer;
  const active = new Set<ServerResponse>();
  let closing = false;
  http.on("request", (_request, response) => {
    if (closing && !response.headersSent) response.setHeader("Connection", "close");
    active.add(response);
    response.once("close", () => {
      active.delete(response);
      // A response whose headers left before the close keeps its connection: let it go now.
      if (closing) setImmediate(() => http.closeIdleConnections?.());
    });
  });
  return {
    inFlight: () => active.size,
    close(graceMs) {
      closing = true;
      for (const response of active) if (!response.headersSent) response.setHeader("Connection", "close");
      return new Promise<void>((resolve) => {
        const deadline = setTimeout(() => http.closeAllConnections?.(), graceMs);
        http.close(() => {
          clearTimeout(deadline);
          resolve();
        });
        // Connections kept alive between requests hold nothing up (Node 19+ does this in close()).
        http.closeIdleConnections?.();
      });
    },
  };
}

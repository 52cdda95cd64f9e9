// An HTTP server on 127.0.0.1 that records every request it receives (webhooks, Slack, Flowdock,
// HipChat in tests) and answers with the status a test chooses, optionally over TLS.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer, type ServerOptions } from "node:https";
import type { AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";

export interface ReceivedRequest {
  method: string;
  /** Path and query. */
  url: string;
  headers: IncomingMessage["headers"];
  body: unknown;
  /** When it arrived (Date.now()). */
  at: number;
  /** Subject CN of the client certificate presented over TLS, if any. */
  clientCertificate?: string;
}

export interface HttpReceiver {
  /** http(s)://127.0.0.1:port + path. */
  url(path: string): string;
  received: ReceivedRequest[];
  /** The status answered from now on (200 at first). */
  answer(status: number): void;
  /** Resolves once `count` requests matching `where` have arrived; those requests. */
  waitFor(count: number, where?: (r: ReceivedRequest) => boolean): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

export async function startHttpReceiver(tls?: ServerOptions): Promise<HttpReceiver> {
  const received: ReceivedRequest[] = [];
  const waiters: (() => void)[] = [];
  let status = 200;
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    let text = "";
    req.on("data", (chunk: Buffer) => (text += chunk.toString()));
    req.on("end", () => {
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // kept as text
      }
      const peer = tls ? (req.socket as TLSSocket).getPeerCertificate() : undefined;
      received.push({
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body,
        at: Date.now(),
        clientCertificate: [peer?.subject?.CN].flat()[0],
      });
      res.writeHead(status).end();
      for (const wake of waiters.splice(0)) wake();
    });
  };
  const server: Server = tls ? createHttpsServer(tls, handler) : createHttpServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (path) => `${tls ? "https" : "http"}://127.0.0.1:${port}${path}`,
    received,
    answer: (s) => void (status = s),
    async waitFor(count, where = () => true) {
      for (;;) {
        const found = received.filter(where);
        if (found.length >= count) return found;
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

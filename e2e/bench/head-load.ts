// HEAD load generator. Debian's wrk 4.1 cannot do HEAD: its parser waits for the Content-Length
// bytes a HEAD response never carries. A HEAD response is headers only, so this client keeps
// `connections` keep-alive sockets, each with one request in flight, and counts responses by
// their blank line, with no HTTP parser: cheap enough to load a server from one core.
import { connect, type Socket } from "node:net";
import { percentile } from "./stats.ts";
import type { WrkResult } from "./wrk.ts";

export async function headLoad(
  url: string,
  headers: Record<string, string>,
  connections: number,
  seconds: number,
): Promise<WrkResult> {
  const u = new URL(url);
  const request = Buffer.from(
    `HEAD ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\n` +
      Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join("") +
      "\r\n",
    "latin1",
  );
  const latencies: number[] = [];
  let errors = 0;
  let bytes = 0;
  let stopping = false;
  const sockets: Socket[] = [];
  let startedAt = 0;
  let endedAt = 0;

  const runConnection = () =>
    new Promise<void>((resolveDone) => {
      const socket = connect({ host: u.hostname, port: Number(u.port), noDelay: true });
      sockets.push(socket);
      let pending = "";
      let sentAt = 0;
      const send = () => {
        sentAt = performance.now();
        socket.write(request);
      };
      socket.on("connect", send);
      socket.on("data", (chunk: Buffer) => {
        bytes += chunk.length;
        pending += chunk.toString("latin1");
        let end: number;
        let complete = 0;
        while ((end = pending.indexOf("\r\n\r\n")) >= 0) {
          const status = pending.slice(9, 12);
          pending = pending.slice(end + 4);
          complete++;
          if (stopping) continue;
          latencies.push(performance.now() - sentAt);
          if (status !== "200") errors++;
        }
        if (stopping) socket.destroy();
        else if (complete > 0) send();
      });
      socket.on("error", () => {
        if (!stopping) errors++;
      });
      socket.on("close", () => resolveDone());
    });

  startedAt = performance.now();
  const done = Promise.all(Array.from({ length: connections }, runConnection));
  await new Promise((r) => setTimeout(r, seconds * 1000));
  stopping = true;
  endedAt = performance.now();
  // Sockets close on their next response; make sure none is left waiting.
  const hard = setTimeout(() => sockets.forEach((s) => s.destroy()), 2000);
  await done;
  clearTimeout(hard);
  const elapsed = (endedAt - startedAt) / 1000;
  return {
    requestsPerSecond: latencies.length / elapsed,
    bytesPerSecond: bytes / elapsed,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    requests: latencies.length,
    errors,
  };
}

// An upstream registry for proxy cache tests: distribution with htpasswd basic auth
// (./distribution.ts), behind a small front door of ours that counts the requests
// reaching the upstream and can answer 429 or drop connections (an upstream rate-limiting or down).
import { createServer, request, type Server } from "node:http";
import { freePort } from "../../server/free-port.ts";
import { startDistribution } from "./distribution.ts";

export type UpstreamMode = "pass" | "rate-limited" | "down";

export interface ProxyUpstream {
  /** host:port of the front door (what Quayside is configured with). */
  host: string;
  /** host:port of distribution itself (where skopeo fills it). */
  directHost: string;
  username: string;
  password: string;
  /** Requests the front door has seen (every mode). */
  requests: string[];
  mode: UpstreamMode;
  /** Stops distribution itself (the front door then answers 502). */
  stopRegistry(): Promise<void>;
  close(): Promise<void>;
}

export async function startProxyUpstream(workDir: string, username = "upstream", password = "upstream-secret"): Promise<ProxyUpstream> {
  const registry = await startDistribution(workDir, { htpasswd: { username, password } });
  const port = Number(new URL(registry.url).port);

  const front: Server = createServer((req, res) => {
    upstream.requests.push(`${req.method} ${req.url}`);
    if (upstream.mode === "down") return req.socket.destroy();
    if (upstream.mode === "rate-limited") {
      res.writeHead(429, { "Content-Type": "application/json", "Retry-After": "30" });
      return res.end('{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}');
    }
    const forward = request({ host: "127.0.0.1", port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forward.on("error", () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(forward);
  });
  const frontPort = await freePort();
  await new Promise<void>((resolve) => front.listen(frontPort, "127.0.0.1", resolve));

  const upstream: ProxyUpstream = {
    host: `127.0.0.1:${frontPort}`,
    directHost: registry.host,
    username,
    password,
    requests: [],
    mode: "pass",
    stopRegistry: registry.stop,
    async close() {
      await registry.stop();
      front.closeAllConnections();
      await new Promise<void>((resolve) => front.close(() => resolve()));
    },
  };
  return upstream;
}

// The ceiling for small responses from Node: a bare node:http server in its own process that
// answers every request with the same bytes (the benchmark manifest) and nothing else.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { freePort } from "../../server/free-port.ts";
import { startChild, waitForHttp } from "./processes.ts";

export interface BareNodeServer {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

export async function startBareNode(workDir: string, body: Uint8Array, contentType: string): Promise<BareNodeServer> {
  const bodyFile = join(workDir, "bare-node-body");
  await writeFile(bodyFile, body);
  const port = await freePort();
  const script = `
    const http = require("node:http");
    const body = require("node:fs").readFileSync(${JSON.stringify(bodyFile)});
    const headers = { "Content-Type": ${JSON.stringify(contentType)}, "Content-Length": String(body.length) };
    http.createServer((req, res) => {
      res.writeHead(200, headers);
      res.end(req.method === "HEAD" ? undefined : body);
    }).listen(${port}, "127.0.0.1");
  `;
  const child = startChild("bare node server", process.execPath, ["-e", script], join(workDir, "bare-node.log"));
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(url);
  return { url, pid: child.pid, stop: child.stop };
}

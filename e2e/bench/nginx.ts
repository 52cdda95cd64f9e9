// The physical limit for serving bytes on this machine: nginx (Debian's nginx-light) serving
// the same files from the same disk with sendfile, on loopback, with a config of our own.
import { execFileSync } from "node:child_process";
import { chmod, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { freePort } from "../../server/free-port.ts";
import { startChild, waitForHttp } from "./processes.ts";

export interface NginxServer {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

export function nginxVersion(): string {
  // "nginx version: nginx/1.22.1", on stderr
  return execFileSync("sh", ["-c", "nginx -v 2>&1"], { encoding: "utf8" }).trim().replace(/^nginx version: nginx\//, "");
}

/** Serves `files` (name → bytes, with a content type) from `<workDir>/nginx/www`. */
export async function startNginx(
  workDir: string,
  files: { name: string; body: Uint8Array; contentType: string }[],
): Promise<NginxServer> {
  const prefix = join(workDir, "nginx");
  const www = join(prefix, "www");
  await mkdir(www, { recursive: true });
  // nginx workers run as an unprivileged user when started as root: they must reach the files.
  for (const dir of [workDir, prefix, www]) await chmod(dir, 0o755);
  for (const f of files) await writeFile(join(www, f.name), f.body, { mode: 0o644 });
  const port = await freePort();
  const types = files.map((f) => `    ${f.contentType} ${f.name.split(".").pop()};`).join("\n");
  const http = `  sendfile on;
  tcp_nopush on;
  types {
${types}
  }
  default_type application/octet-stream;
  server {
    listen 127.0.0.1:${port};
    root ${www};
  }`;
  const child = await runNginx("nginx", prefix, http);
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/`);
  return { url, pid: child.pid, stop: child.stop };
}

/**
 * A round-robin HTTP proxy in front of registry nodes, as a deployment's load balancer: one
 * listener per list of upstreams (keep-alive to them, bodies streamed both ways, no size limit).
 */
export async function startRoundRobin(workDir: string, upstreamLists: string[][]): Promise<{ urls: string[]; stop(): Promise<void> }> {
  const prefix = join(workDir, "nginx-round-robin");
  await mkdir(prefix, { recursive: true });
  const ports = await Promise.all(upstreamLists.map(() => freePort()));
  const blocks = upstreamLists.map((hosts, i) => `  upstream nodes${i} {
${hosts.map((host) => `    server ${host};`).join("\n")}
    keepalive 64;
  }
  server {
    listen 127.0.0.1:${ports[i]};
    client_max_body_size 0;
    proxy_request_buffering off;
    proxy_buffering off;
    location / {
      proxy_pass http://nodes${i};
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
    }
  }`);
  const child = await runNginx("nginx round robin", prefix, blocks.join("\n"));
  const urls = ports.map((port) => `http://127.0.0.1:${port}`);
  for (const url of urls) await waitForHttp(`${url}/health`);
  return { urls, stop: child.stop };
}

/** Writes `<prefix>/nginx.conf` around `http` (the http block's body) and starts nginx on it. */
async function runNginx(label: string, prefix: string, http: string) {
  const conf = join(prefix, "nginx.conf");
  await writeFile(
    conf,
    `daemon off;
worker_processes auto;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path ${prefix}/client_body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
${http}
}
`,
  );
  return startChild(label, "nginx", ["-e", join(prefix, "error.log"), "-p", prefix, "-c", conf], join(prefix, "stdout.log"));
}

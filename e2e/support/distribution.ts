// CNCF distribution 2.8 (Debian's `docker-registry`) on loopback: the one place that starts it,
// for the bench's reference registry (anonymous) and the mirroring and proxy-cache upstreams
// (htpasswd Basic auth). Debian's shipped config (/etc/docker/registry/config.yml) minus its
// health check, with request logging off (Quayside does not log requests by default either).
import { execFile } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort } from "../../server/free-port.ts";
import { type ChildServer, startChild, waitForHttp } from "../bench/processes.ts";

const run = promisify(execFile);

export interface DistributionServer {
  /** http://host:port */
  url: string;
  /** host:port */
  host: string;
  /** The filesystem storage's root (the bench's scale rows fill it directly). */
  rootDir: string;
  /** The running process's id (a new one after stop() and start()). */
  readonly pid: number;
  /** Starts it again after stop(), on the same port, config and storage. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface DistributionOptions {
  /** One user for htpasswd Basic auth (realm "upstream"); without it anyone pushes and pulls. */
  htpasswd?: { username: string; password: string };
}

/** A bcrypt htpasswd line (apache2-utils); cost 4, the least, since distribution checks it on every request. */
async function htpasswdLine(username: string, password: string): Promise<string> {
  const { stdout } = await run("htpasswd", ["-nbBC", "4", username, password]);
  return stdout.trim();
}

/** Starts distribution with its config, storage (`distribution-data`) and log in `workDir`. */
export async function startDistribution(workDir: string, options: DistributionOptions = {}): Promise<DistributionServer> {
  const rootDir = join(workDir, "distribution-data");
  await mkdir(rootDir, { recursive: true });
  const auth: string[] = [];
  if (options.htpasswd) {
    const file = join(workDir, "htpasswd");
    await writeFile(file, `${await htpasswdLine(options.htpasswd.username, options.htpasswd.password)}\n`);
    auth.push("auth:", "  htpasswd:", "    realm: upstream", `    path: ${file}`);
  }
  const host = `127.0.0.1:${await freePort()}`;
  const config = join(workDir, "distribution.yml");
  await writeFile(
    config,
    [
      "version: 0.1",
      "log:",
      "  level: warn",
      "  accesslog:",
      "    disabled: true",
      "storage:",
      "  cache:",
      "    blobdescriptor: inmemory",
      "  filesystem:",
      `    rootdirectory: ${rootDir}`,
      "  delete:",
      "    enabled: true",
      ...auth,
      "http:",
      `  addr: ${host}`,
      "  headers:",
      "    X-Content-Type-Options: [nosniff]",
      "",
    ].join("\n"),
  );
  const url = `http://${host}`;
  let child: ChildServer | undefined;
  const server: DistributionServer = {
    url,
    host,
    rootDir,
    get pid() {
      if (!child) throw new Error("distribution is stopped");
      return child.pid;
    },
    async start() {
      if (child) return;
      child = startChild("distribution", "docker-registry", ["serve", config], join(workDir, "distribution.log"));
      await waitForHttp(`${url}/v2/`); // with htpasswd its 401 counts as up
    },
    async stop() {
      const c = child;
      child = undefined;
      await c?.stop();
    },
  };
  await server.start();
  return server;
}

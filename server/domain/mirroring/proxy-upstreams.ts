// The upstream side of a proxy organization: which upstream repository a cached one stands for,
// and one UpstreamClient per organization configuration (kept, so Bearer tokens are reused until
// they expire).
import type { Db } from "../../../db/client.ts";
import type { Clock } from "../clock.ts";
import { proxyCredentials, type ProxyCacheConfig } from "./proxy-cache-configs.ts";
import { UpstreamClient } from "./upstream-client.ts";

const DOCKER_HUB = new Set(["docker.io", "index.docker.io", "registry-1.docker.io"]);

/**
 * The upstream repository of `name` (the part after the organization): behind the configured
 * path, and for Docker Hub a single-segment name is an official image (`library/<name>`), as
 * Docker Hub itself resolves `docker.io/busybox`.
 */
export function upstreamRepository(config: Pick<ProxyCacheConfig, "upstreamRegistry">, name: string): string {
  const [host, ...path] = config.upstreamRegistry.split("/");
  if (path.length > 0) return `${path.join("/")}/${name}`;
  if (DOCKER_HUB.has(host!.toLowerCase()) && !name.includes("/")) return `library/${name}`;
  return name;
}

/** An UpstreamClient for a configuration (not stored: validation, tests). */
export function upstreamClientOf(
  config: Pick<ProxyCacheConfig, "upstreamRegistry" | "insecure">,
  credentials: { username: string; password: string } | undefined,
  clock: Clock,
): UpstreamClient {
  const host = config.upstreamRegistry.split("/")[0]!;
  return new UpstreamClient({
    registry: `${config.insecure ? "http" : "https"}://${host}`,
    username: credentials?.username,
    password: credentials?.password,
    clock,
  });
}

const clients = new WeakMap<Db, Map<string, Promise<UpstreamClient>>>();

/** The kept client of a proxy organization (a changed configuration gets a new one). */
export function proxyClient(db: Db, config: ProxyCacheConfig, clock: Clock): Promise<UpstreamClient> {
  let byConfig = clients.get(db);
  if (!byConfig) clients.set(db, (byConfig = new Map()));
  const key = [config.namespaceId, config.upstreamRegistry, config.insecure, config.usernameSealed, config.passwordSealed].join("\n");
  let client = byConfig.get(key);
  if (!client) {
    client = proxyCredentials(db, config).then((credentials) => upstreamClientOf(config, credentials, clock));
    client.catch(() => byConfig.delete(key));
    byConfig.set(key, client);
  }
  return client;
}

// Where a request really comes from: the caller's address (usage log, sign-in limits) and
// whether it reached us over https (Secure cookies, links). Behind a reverse proxy the socket
// shows the proxy; its X-Forwarded-For / X-Forwarded-Proto are believed only when the socket's
// peer is one of QUAYSIDE_TRUSTED_PROXIES, since any client can send those headers.
import type { Context } from "hono";
import { BlockList, isIP } from "node:net";
import type { IncomingMessage } from "node:http";
import type { Config } from "./config.ts";

const lists = new WeakMap<Config, BlockList>();

function trustedList(config: Config): BlockList {
  let list = lists.get(config);
  if (!list) {
    list = new BlockList();
    for (const entry of config.trustedProxies) {
      const [address, prefix] = entry.split("/") as [string, string | undefined];
      const family = isIP(address) === 4 ? "ipv4" : "ipv6";
      if (prefix === undefined) list.addAddress(address, family);
      else list.addSubnet(address, Number(prefix), family);
    }
    lists.set(config, list);
  }
  return list;
}

function isTrusted(config: Config, address: string | null): address is string {
  if (!address || config.trustedProxies.length === 0) return false;
  const family = isIP(address);
  return family !== 0 && trustedList(config).check(address, family === 4 ? "ipv4" : "ipv6");
}

function peerAddress(c: Context): string | null {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? null;
}

/** `::ffff:10.0.0.1` (an IPv4 peer on a dual-stack socket) as `10.0.0.1`. */
const plain = (address: string) => (address.startsWith("::ffff:") && isIP(address.slice(7)) === 4 ? address.slice(7) : address);

/**
 * The caller's address: the socket's peer, or — when that peer is a trusted proxy — the
 * nearest address in X-Forwarded-For that is not itself a trusted proxy (entries further left
 * were written by the client and prove nothing).
 */
export function clientIp(c: Context, config: Config): string | null {
  const peer = peerAddress(c);
  if (!isTrusted(config, peer)) return peer === null ? null : plain(peer);
  const hops = (c.req.header("x-forwarded-for") ?? "").split(",").map((h) => h.trim()).filter((h) => isIP(h) !== 0);
  for (let i = hops.length - 1; i >= 0; i--) {
    if (!isTrusted(config, hops[i]!)) return plain(hops[i]!);
  }
  return plain(hops[0] ?? peer);
}

/** True when the client used https: our own TLS, or a trusted proxy's X-Forwarded-Proto. */
export function clientUsedHttps(c: Context, config: Config): boolean {
  if (new URL(c.req.url).protocol === "https:") return true;
  if (!isTrusted(config, peerAddress(c))) return false;
  // The proxy nearest the client writes the first value.
  return c.req.header("x-forwarded-proto")?.split(",")[0]?.trim().toLowerCase() === "https";
}

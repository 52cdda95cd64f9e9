// Quay's validateproxycache: a configuration with credentials is tried against the upstream (a
// login: ping with the token flow), one without is accepted as anonymous.
import type { Clock } from "../clock.ts";
import { DomainError } from "../errors.ts";
import { checkedProxyCacheInput, type NewProxyCacheConfig } from "./proxy-cache-configs.ts";
import { upstreamClientOf } from "./proxy-upstreams.ts";
import { UpstreamError } from "./upstream-client.ts";

export async function validateUpstream(typed: NewProxyCacheConfig, allowedHosts: readonly string[], clock: Clock): Promise<"Valid" | "Anonymous"> {
  const input = await checkedProxyCacheInput(typed, allowedHosts);
  if (!input.username && !input.password) return "Anonymous";
  const client = upstreamClientOf(
    { upstreamRegistry: input.upstreamRegistry, insecure: input.insecure ?? false },
    { username: input.username ?? "", password: input.password ?? "" },
    clock,
  );
  try {
    await client.ping();
  } catch (err) {
    if (err instanceof UpstreamError && (err.kind === "unauthorized" || err.kind === "denied")) {
      throw new DomainError("INVALID_REQUEST", "Failed login to remote registry. Please verify entered details and try again.");
    }
    throw new DomainError("INVALID_REQUEST", "Failed to validate Proxy cache configuration");
  }
  return "Valid";
}

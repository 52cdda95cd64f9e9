// The /v2 door of proxy cache organizations: manifests and blobs of `org/…` pulled through from
// the organization's upstream (domain/mirroring/proxy-pull.ts), upstream failures in OCI's shape,
// and the prefix-less mirror mode's rewrite of a path to the organization its host maps to.
import type { Context } from "hono";
import type { ProxyCacheConfig } from "../domain/mirroring/proxy-cache-configs.ts";
import { proxyConfigOfRepository } from "../domain/mirroring/proxy-cache-configs.ts";
import { proxiedBlob, proxiedManifest, proxyRepository, type ManifestBody } from "../domain/mirroring/proxy-pull.ts";
import { UpstreamError } from "../domain/mirroring/upstream-client.ts";
import type { Reference } from "../domain/content/manifests.ts";
import { parseDigest } from "../domain/content/digests.ts";
import type { Repository } from "../domain/repositories/repositories.ts";
import type { RegistryDeps } from "./deps.ts";
import { OciError } from "./errors.ts";
import { type RegistryRequest, respondWithStream } from "./request.ts";

/** The proxy configuration of the request's namespace (a map lookup once loaded), if any. */
export const proxyOf = (r: RegistryRequest) => proxyConfigOfRepository(r.deps.db, r.name);

/** An upstream failure that nothing cached could answer, as an OCI error. */
function upstreamFailure(err: unknown, unknown: OciError): unknown {
  if (!(err instanceof UpstreamError)) return err;
  if (err.kind === "not_found") return unknown;
  if (err.kind === "rate_limited") {
    return new OciError("TOOMANYREQUESTS", "the upstream registry is rate-limiting this registry", null, 429, err.retryAfterS === undefined ? {} : { "Retry-After": String(err.retryAfterS) });
  }
  return new OciError("UNAVAILABLE", `upstream registry: ${err.message}`, null, 503);
}

function repositoryIn(r: RegistryRequest, config: ProxyCacheConfig): Promise<Repository> {
  return proxyRepository(r.deps, config, r.actor, r.name.slice(config.namespace.length + 1));
}

export async function proxiedManifestOf(r: RegistryRequest, config: ProxyCacheConfig, reference: Reference): Promise<{ repo: Repository; manifest: ManifestBody }> {
  const repo = await repositoryIn(r, config);
  try {
    return { repo, manifest: await proxiedManifest(r.deps, config, repo, reference, r.deps.config.proxyCache.stalenessSeconds) };
  } catch (err) {
    throw upstreamFailure(err, new OciError("MANIFEST_UNKNOWN", "manifest unknown to registry", reference, 404));
  }
}

/**
 * A blob GET of a proxy repository: null when the blob is (now) stored here, for the usual local
 * answer; else the bytes as they arrive from upstream. A HEAD or a range waits for the whole
 * blob to be stored and is then answered locally.
 */
export async function proxiedBlobResponse(r: RegistryRequest, config: ProxyCacheConfig): Promise<Response | null> {
  parseDigest(r.param);
  const repo = await repositoryIn(r, config);
  const unknown = new OciError("BLOB_UNKNOWN", "blob unknown to registry", { digest: r.param }, 404);
  try {
    const blob = await proxiedBlob(r.deps, config, repo, r.param, r.c.req.method === "GET" && !r.c.req.header("range"));
    if (blob.stored) return null;
    const headers: Record<string, string> = {
      "Content-Type": "application/octet-stream",
      "Docker-Content-Digest": r.param,
      ETag: `"${r.param}"`,
    };
    if (blob.size !== null) headers["Content-Length"] = String(blob.size);
    return respondWithStream(r.c, 200, headers, blob.body);
  } catch (err) {
    throw upstreamFailure(err, unknown);
  }
}

/**
 * The prefix-less mirror mode: a request to a host listed in QUAYSIDE_PROXY_MIRROR_HOSTS names
 * repositories of that host's proxy organization without its prefix (`/v2/library/busybox/…`
 * means `/v2/<org>/library/busybox/…`). Null when the host maps to nothing.
 */
export function mirrorOrganization(deps: RegistryDeps, c: Context): string | null {
  const hosts = deps.config.proxyCache.mirrorHosts;
  if (hosts.size === 0) return null;
  const host = (c.req.header("host") ?? "").toLowerCase();
  return hosts.get(host) ?? hosts.get(host.replace(/:\d+$/, "")) ?? null;
}

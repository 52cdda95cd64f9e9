// The API and the web pages ask for a manifest's SBOM the same way: named by the registry host
// clients pull from, SPDX namespaces under the server's public URL, made by this build.
import type { Context } from "hono";
import { buildVersion } from "./build-info.ts";
import type { AppDeps } from "./deps.ts";
import type { Repository } from "./domain/repositories/repositories.ts";
import type { SbomFormat, SbomRequest } from "./domain/scanning/sbom.ts";
import { baseUrl, serviceName } from "./registry/deps.ts";

export function sbomRequest(deps: AppDeps, c: Context, repo: Repository, digest: string, format: SbomFormat): SbomRequest {
  return {
    repo,
    digest,
    format,
    registryHost: serviceName(deps.config, new URL(c.req.url)),
    baseUrl: baseUrl(deps.config, c),
    toolVersion: buildVersion(),
    now: deps.clock.now(),
  };
}

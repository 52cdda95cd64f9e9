// The /v2 door: routes OCI distribution requests to their handlers. Repository names hold
// slashes, so paths are matched by pattern (most specific first), as distribution does.
import { Hono, type Context } from "hono";
import { clientIp } from "../client-ip.ts";
import { logRequestError } from "../observability/request-observer.ts";
import { setRoutePattern } from "../observability/route-pattern.ts";
import { identifyCaller, challenge } from "./auth.ts";
import { deleteBlob, getBlob } from "./blobs.ts";
import type { RegistryDeps } from "./deps.ts";
import { OciError, ociErrorResponse, toOciError } from "./errors.ts";
import { catalog, listTags, referrers } from "./listings.ts";
import { mirrorOrganization } from "./proxy.ts";
import { deleteManifestHandler, getManifestHandler, putManifestHandler } from "./manifests.ts";
import { type RegistryHandler, type RegistryRequest, respond } from "./request.ts";
import { tokenEndpoint } from "./token.ts";
import {
  deleteBlobUpload,
  getBlobUpload,
  patchBlobUpload,
  putBlobUpload,
  startBlobUpload,
} from "./uploads.ts";

interface Route {
  pattern: RegExp;
  /** The pattern as metrics and logs name it. */
  label: string;
  methods: Record<string, RegistryHandler>;
}

const NAME = "([a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)+)";

const routes: Route[] = [
  { pattern: new RegExp(`^/v2/${NAME}/blobs/uploads/?$`), label: "/v2/:name/blobs/uploads/", methods: { POST: startBlobUpload } },
  {
    pattern: new RegExp(`^/v2/${NAME}/blobs/uploads/([^/]+)$`),
    label: "/v2/:name/blobs/uploads/:uuid",
    methods: { GET: getBlobUpload, PATCH: patchBlobUpload, PUT: putBlobUpload, DELETE: deleteBlobUpload },
  },
  { pattern: new RegExp(`^/v2/${NAME}/blobs/([^/]+)$`), label: "/v2/:name/blobs/:digest", methods: { GET: getBlob, HEAD: getBlob, DELETE: deleteBlob } },
  {
    pattern: new RegExp(`^/v2/${NAME}/manifests/([^/]+)$`),
    label: "/v2/:name/manifests/:reference",
    methods: {
      GET: getManifestHandler,
      HEAD: getManifestHandler,
      PUT: putManifestHandler,
      DELETE: deleteManifestHandler,
    },
  },
  { pattern: new RegExp(`^/v2/${NAME}/tags/list$`), label: "/v2/:name/tags/list", methods: { GET: listTags } },
  { pattern: new RegExp(`^/v2/${NAME}/referrers/([^/]+)$`), label: "/v2/:name/referrers/:digest", methods: { GET: referrers } },
  { pattern: /^\/v2\/(_catalog)$/, label: "/v2/_catalog", methods: { GET: catalog } },
];

/** A path shaped like a registry route but with an invalid repository name. */
const ANY_REPO_ROUTE = /^\/v2\/(.+)\/(blobs|manifests|tags|referrers)\//;

/**
 * The path with its escapes decoded. A malformed escape is kept as written: no name, tag or
 * digest holds a `%`, so the route patterns then refuse it as they would any bad character.
 */
function decodedPath(path: string): string {
  try {
    return decodeURI(path);
  } catch {
    return path;
  }
}

export function registryRoutes(deps: RegistryDeps): Hono {
  const app = new Hono();

  app.onError((err, c) => {
    const oci = toOciError(err);
    if (oci) return ociErrorResponse(oci, c.req.method);
    // A client that hangs up mid-upload is routine; the domain has already cleaned up.
    const code = (err as { code?: string }).code;
    if (err.message !== "aborted" && code !== "ECONNRESET") logRequestError(c, err, "registry error");
    return ociErrorResponse(new OciError("UNSUPPORTED", "internal server error", null, 500), c.req.method);
  });

  app.get("/v2/auth", (c) => tokenEndpoint(deps, c));

  app.on(["GET", "HEAD"], "/v2/", async (c) => {
    const caller = await identifyCaller(deps, c);
    if (!caller.presentedCredentials) throw challenge(deps, c, undefined);
    return respond(200, { "Content-Type": "application/json" }, c.req.method === "HEAD" ? null : "{}");
  });

  app.all("/v2/*", async (c: Context) => {
    const mirrored = mirrorOrganization(deps, c);
    const path = mirrored ? `/v2/${mirrored}/${decodedPath(c.req.path).slice(4)}` : decodedPath(c.req.path);
    for (const route of routes) {
      const m = route.pattern.exec(path);
      if (!m) continue;
      setRoutePattern(c, route.label);
      const handler = route.methods[c.req.method];
      if (!handler) throw new OciError("UNSUPPORTED", `method ${c.req.method} not allowed here`);
      const caller = await identifyCaller(deps, c);
      const request: RegistryRequest = {
        deps,
        c,
        caller,
        actor: { principal: caller.principal, ip: clientIp(c, deps.config) },
        name: m[1]!,
        param: m[2] ?? "",
      };
      return handler(request);
    }
    if (ANY_REPO_ROUTE.test(path)) {
      throw new OciError("NAME_INVALID", "invalid repository name", { name: ANY_REPO_ROUTE.exec(path)![1] });
    }
    throw new OciError("NAME_UNKNOWN", "not found", null, 404);
  });

  return app;
}

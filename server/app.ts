// Builds the one Hono app: the OCI door (/v2), the JSON API (/api/v1), the HTML UI and static files.
import { Hono } from "hono";
import { apiRoutes } from "./api/routes.ts";
import type { AppDeps } from "./deps.ts";
import { accessToken, accessTokenBodyLimit } from "./api/oauth.ts";
import { csrfToken } from "./api/session.ts";
import { registryRoutes } from "./registry/routes.ts";
import { nodeResponse } from "./registry/request.ts";
import { staticRoutes } from "./web/static.ts";
import { webRoutes } from "./web/routes.ts";

export function buildApp(deps: AppDeps): Hono {
  const app = new Hono();
  if (deps.config.logRequests) {
    app.use(async (c, next) => {
      const started = performance.now();
      await next();
      // A body sent straight into Node's socket (blob bytes) set its status there.
      const status = c.res.headers.has("x-hono-already-sent") ? nodeResponse(c)?.statusCode : c.res.status;
      console.log(`${c.req.method} ${c.req.path} ${status} ${(performance.now() - started).toFixed(1)}ms`);
    });
  }
  app.get("/health", (c) => c.json({ status: "ok" }));
  app.route("/", registryRoutes(deps));
  app.route("/api/v1", apiRoutes(deps));
  // Quay's web routes that API scripts and OAuth clients call.
  app.get("/csrf_token", (c) => csrfToken(deps, c));
  app.post("/oauth/access_token", accessTokenBodyLimit, (c) => accessToken(deps, c));
  app.route("/static", staticRoutes());
  app.route("/", webRoutes(deps));
  return app;
}

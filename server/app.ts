// Builds the one Hono app: the OCI door (/v2), the JSON API (/api/v1), the HTML UI and static files,
// behind the request observer (ids, metrics, log lines), with the health and metrics endpoints.
import { Hono } from "hono";
import { apiRoutes } from "./api/routes.ts";
import type { AppDeps } from "./deps.ts";
import { accessToken, accessTokenBodyLimit } from "./api/oauth.ts";
import { csrfToken } from "./api/session.ts";
import { exportedLogsHandler } from "./api/logs.ts";
import { observeRequests } from "./observability/request-observer.ts";
import { operationsRoutes } from "./observability/routes.ts";
import { registryRoutes } from "./registry/routes.ts";
import { staticRoutes } from "./web/static.ts";
import { webRoutes } from "./web/routes.ts";

export function buildApp(deps: AppDeps): Hono {
  const app = new Hono();
  app.use(observeRequests({ logRequests: deps.config.logRequests }));
  app.route("/", operationsRoutes(deps, async (request) => app.fetch(request)));
  app.route("/", registryRoutes(deps));
  app.route("/api/v1", apiRoutes(deps));
  // Quay's web routes that API scripts and OAuth clients call.
  app.get("/csrf_token", (c) => csrfToken(deps, c));
  app.post("/oauth/access_token", accessTokenBodyLimit, (c) => accessToken(deps, c));
  // The signed download link of a log export (Quay's /exportedlogs/…).
  app.get("/exportedlogs/:file", (c) => exportedLogsHandler(deps, c));
  app.route("/static", staticRoutes());
  app.route("/", webRoutes(deps));
  return app;
}

// What operators and orchestrators call: Quay's health endpoints and the Prometheus scrape. Web
// nodes mount these in the app; worker nodes serve them alone (operationsApp).
import { Hono } from "hono";
import type { AppDeps } from "../deps.ts";
import { endToEndHealth, instanceHealth } from "./health.ts";
import { metricsText } from "./metrics.ts";
import { observeRequests } from "./request-observer.ts";

/** `registry`: how to reach this node's /v2 door for the end-to-end round trip (web nodes). */
export function operationsRoutes(deps: AppDeps, registry?: (request: Request) => Promise<Response>): Hono {
  const app = new Hono();
  // Liveness: answers while the process runs, whatever its dependencies do.
  app.get("/health", (c) => c.json({ status: "ok" }));
  app.get("/health/instance", (c) => instanceHealth(deps, c));
  app.get("/health/endtoend", (c) => endToEndHealth(deps, c, registry));
  app.get("/metrics", async (c) => {
    const { body, contentType } = await metricsText();
    return c.body(body, 200, { "Content-Type": contentType, "Cache-Control": "no-store" });
  });
  return app;
}

/** A worker node's HTTP: probes and metrics only (its job failures are counted there). */
export function operationsApp(deps: AppDeps): Hono {
  const app = new Hono();
  app.use(observeRequests({ logRequests: deps.config.logRequests }));
  app.route("/", operationsRoutes(deps));
  return app;
}

// The route pattern a request matched (`/api/v1/repository/*`, `/v2/:name/manifests/:reference`),
// the only path form metrics and log summaries label requests with: raw paths would make a series
// per repository, tag and digest.
import type { Context } from "hono";
import { routePath } from "hono/route";

/** Patterns set by doors that match paths themselves (the /v2 door: names hold slashes). */
const patterns = new WeakMap<Request, string>();

export function setRoutePattern(c: Context, pattern: string): void {
  patterns.set(c.req.raw, pattern);
}

/** The pattern of the route that answered (after it ran), Hono's own unless a door set one. */
export function routePattern(c: Context): string {
  return patterns.get(c.req.raw) ?? (routePath(c) || "*");
}

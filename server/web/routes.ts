import { Hono } from "hono";
import type { AppDeps } from "../app.ts";
export function webRoutes(_deps: AppDeps): Hono {
  return new Hono();
}

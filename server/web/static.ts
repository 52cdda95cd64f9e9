import { Hono } from "hono";
export function staticRoutes(): Hono {
  return new Hono();
}

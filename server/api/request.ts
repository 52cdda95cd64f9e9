// One /api/v1 request after its caller is known: what handlers receive.
import type { Context } from "hono";
import type { AppDeps } from "../deps.ts";
import type { Actor } from "../domain/access/principal.ts";
import type { Caller } from "./auth.ts";

export type ApiEnv = { Variables: { caller: Caller } };

export interface ApiRequest {
  deps: AppDeps;
  c: Context<ApiEnv>;
  caller: Caller;
  actor: Actor;
}

export type ApiHandler = (r: ApiRequest) => Promise<Response>;

/** Wraps a handler so it runs once the caller is known (routes.ts), for modules that mount routes. */
export type ApiRoute = (handler: ApiHandler) => (c: Context<ApiEnv>) => Promise<Response>;

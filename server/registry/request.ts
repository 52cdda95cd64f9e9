// One /v2 request after routing: the dependencies, the Hono context, who is calling, the
// repository name and the path parameter after it (digest, reference or upload id).
import type { Context } from "hono";
import type { Actor } from "../domain/principal.ts";
import type { Caller } from "./auth.ts";
import type { RegistryDeps } from "./deps.ts";

export interface RegistryRequest {
  deps: RegistryDeps;
  c: Context;
  caller: Caller;
  actor: Actor;
  /** `namespace/name` */
  name: string;
  param: string;
}

export type RegistryHandler = (r: RegistryRequest) => Promise<Response>;

export const API_VERSION_HEADER = { "Docker-Distribution-API-Version": "registry/2.0" };

export function respond(status: number, headers: Record<string, string>, body: BodyInit | null = null): Response {
  return new Response(body, { status, headers: { ...API_VERSION_HEADER, ...headers } });
}

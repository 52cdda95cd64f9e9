// Reading requests the way Quay does: JSON bodies checked against a schema (with jsonschema's
// wording in the error), "truthy" query booleans, integer query parameters.
import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { z } from "zod";
import { ApiError, invalidRequest, PlainError } from "./errors.ts";

/** Every body this API takes is a small JSON document (Quay documents no limit; its proxy has one). */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Refuses a larger body before anything else runs: at once when Content-Length announces it,
 * otherwise (chunked) as soon as the bytes read pass the cap. Bodies within it are held in memory.
 */
export const bodyCap: MiddlewareHandler = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: () => {
    throw new ApiError(413, "invalid_request", `Request body is larger than ${MAX_BODY_BYTES} bytes`);
  },
});

const JSON_TYPE = /^application\/([\w.+-]+\+)?json\s*(;|$)/i;

/** The request's JSON body; Quay's answers for a missing, mistyped or malformed one. */
export async function readJson(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === "") throw invalidRequest("Missing JSON body");
  if (!JSON_TYPE.test(c.req.header("content-type") ?? "")) {
    throw new PlainError(415, {
      message: "Did not attempt to load JSON data because the request Content-Type was not 'application/json'.",
    });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new PlainError(400, { message: `Failed to decode JSON object: ${(err as Error).message}` });
  }
  if (data === null) throw invalidRequest("Missing JSON body");
  return data;
}

/** Parses `data` with the schema or throws with the first problem, in jsonschema's words. */
export function validate<T>(schema: z.ZodType<T>, data: unknown, fail: (message: string) => Error = invalidRequest): T {
  const result = schema.safeParse(data, { reportInput: true });
  if (result.success) return result.data;
  throw fail(describeIssue(result.error.issues[0]!));
}

export async function jsonBody<T>(c: Context, schema: z.ZodType<T>): Promise<T> {
  return validate(schema, await readJson(c));
}

/** A Python-style rendering of a JSON value, as jsonschema quotes it. */
function pyRepr(value: unknown): string {
  if (value === null || value === undefined) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "string") return `'${value.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(", ")}]`;
  if (typeof value === "object") {
    return `{${Object.entries(value).map(([k, v]) => `${pyRepr(k)}: ${pyRepr(v)}`).join(", ")}}`;
  }
  return String(value);
}

const JSON_TYPE_NAMES: Record<string, string> = { number: "number", int: "integer", boolean: "boolean", object: "object", array: "array", string: "string" };

function describeIssue(issue: z.core.$ZodIssue): string {
  const key = issue.path.at(-1);
  const input = (issue as { input?: unknown }).input;
  // A missing property fails its type or its enum alike: jsonschema says it is required.
  if (input === undefined && key !== undefined && (issue.code === "invalid_type" || issue.code === "invalid_value")) {
    return `'${String(key)}' is a required property`;
  }
  switch (issue.code) {
    case "invalid_type":
      return `${pyRepr(input)} is not of type '${JSON_TYPE_NAMES[issue.expected] ?? issue.expected}'`;
    case "invalid_value":
      return `${pyRepr(input)} is not one of ${pyRepr(issue.values)}`;
    default:
      return issue.message;
  }
}

/** Quay's truthy_bool: false only for these spellings; absent means the default. */
export function truthy(value: string | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  return !["false", "False", "FALSE", "0", "null", ""].includes(value);
}

/** Query integers stay within 32 bits, so offsets computed from them stay exact and in SQL's range. */
const INT_PARAM_LIMIT = 2 ** 31 - 1;

/** An integer query parameter; a bad one answers as flask-restful's parser does (its help text). */
export function intParam(c: Context, name: string, fallback: number, help: string): number {
  const raw = c.req.query(name);
  if (raw === undefined) return fallback;
  const value = /^\s*[+-]?\d+\s*$/.test(raw) ? Number.parseInt(raw, 10) : Number.NaN;
  if (!(Math.abs(value) <= INT_PARAM_LIMIT)) throw new PlainError(400, { message: { [name]: help } });
  return value;
}

// OCI distribution error bodies: `{"errors":[{code, message, detail}]}` with the status each
// code carries in the spec.
import { DomainError, type DomainErrorCode, retryAfterOf } from "../domain/errors.ts";

export type OciCode =
  | "BLOB_UNKNOWN"
  | "BLOB_UPLOAD_INVALID"
  | "BLOB_UPLOAD_UNKNOWN"
  | "DIGEST_INVALID"
  | "MANIFEST_BLOB_UNKNOWN"
  | "MANIFEST_INVALID"
  | "MANIFEST_UNKNOWN"
  | "NAME_INVALID"
  | "NAME_UNKNOWN"
  | "SIZE_INVALID"
  | "TAG_INVALID"
  | "RANGE_INVALID"
  | "UNAUTHORIZED"
  | "DENIED"
  | "UNSUPPORTED"
  | "INVALID_REQUEST"
  | "TOOMANYREQUESTS"
  /** distribution's code for a service that cannot answer now (a proxied upstream that is down). */
  | "UNAVAILABLE";

const STATUS: Record<OciCode, number> = {
  BLOB_UNKNOWN: 404,
  BLOB_UPLOAD_INVALID: 400,
  BLOB_UPLOAD_UNKNOWN: 404,
  DIGEST_INVALID: 400,
  MANIFEST_BLOB_UNKNOWN: 400,
  MANIFEST_INVALID: 400,
  MANIFEST_UNKNOWN: 404,
  NAME_INVALID: 400,
  NAME_UNKNOWN: 404,
  SIZE_INVALID: 400,
  TAG_INVALID: 400,
  RANGE_INVALID: 416,
  UNAUTHORIZED: 401,
  DENIED: 403,
  UNSUPPORTED: 405,
  INVALID_REQUEST: 400,
  TOOMANYREQUESTS: 429,
  UNAVAILABLE: 503,
};

/** Domain failures as OCI codes (and the status, where it differs from the code's default). */
const FROM_DOMAIN: Record<DomainErrorCode, [OciCode, number?]> = {
  BLOB_UNKNOWN: ["BLOB_UNKNOWN"],
  BLOB_UPLOAD_INVALID: ["BLOB_UPLOAD_INVALID"],
  BLOB_UPLOAD_UNKNOWN: ["BLOB_UPLOAD_UNKNOWN"],
  DIGEST_INVALID: ["DIGEST_INVALID"],
  MANIFEST_BLOB_UNKNOWN: ["MANIFEST_BLOB_UNKNOWN"],
  MANIFEST_INVALID: ["MANIFEST_INVALID"],
  MANIFEST_UNKNOWN: ["MANIFEST_UNKNOWN"],
  MANIFEST_TOO_LARGE: ["MANIFEST_INVALID", 413],
  NAME_INVALID: ["NAME_INVALID"],
  NAME_UNKNOWN: ["NAME_UNKNOWN"],
  SIZE_INVALID: ["SIZE_INVALID"],
  TAG_INVALID: ["TAG_INVALID"],
  RANGE_INVALID: ["RANGE_INVALID"],
  UNSUPPORTED: ["UNSUPPORTED"],
  INVALID_REQUEST: ["INVALID_REQUEST"],
  MODEL_REFUSED: ["DENIED", 400],
  NOT_FOUND: ["NAME_UNKNOWN"],
  CONFLICT: ["DENIED", 409],
  FORBIDDEN: ["DENIED"],
  UNAUTHENTICATED: ["UNAUTHORIZED"],
  TOO_MANY_REQUESTS: ["TOOMANYREQUESTS"],
};

export class OciError extends Error {
  readonly status: number;
  constructor(
    readonly code: OciCode,
    message: string,
    readonly detail?: unknown,
    status?: number,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.status = status ?? STATUS[code];
  }
}

export function toOciError(err: unknown): OciError | null {
  if (err instanceof OciError) return err;
  if (err instanceof DomainError) {
    const [code, status] = FROM_DOMAIN[err.code];
    if (err.code === "TOO_MANY_REQUESTS") {
      return new OciError(code, err.message, null, status, { "Retry-After": String(retryAfterOf(err)) });
    }
    return new OciError(code, err.message, err.detail, status);
  }
  return null;
}

export function ociErrorResponse(err: OciError, method: string): Response {
  const headers = new Headers({
    "Docker-Distribution-API-Version": "registry/2.0",
    ...err.headers,
  });
  if (method === "HEAD") return new Response(null, { status: err.status, headers });
  headers.set("Content-Type", "application/json");
  const body = { errors: [{ code: err.code, message: err.message, detail: err.detail ?? null }] };
  return new Response(JSON.stringify(body), { status: err.status, headers });
}

// Quay's error bodies on /api/v1. Most handler errors are problem+json style:
// `{status, title, detail, error_message, error_type, type}` (+ payload keys). Plain aborts
// answer `{message}` (flask-restful) or `{error}` (Quay's own abort helper).
import { DomainError, retryAfterOf } from "../domain/errors.ts";

export type ErrorTitle =
  | "invalid_request"
  | "invalid_token"
  | "expired_token"
  | "insufficient_scope"
  | "fresh_login_required"
  | "exceeds_license"
  | "not_found"
  | "downstream_issue";

/** A problem+json error; `type` is filled in with the instance's URL when rendered. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: ErrorTitle,
    readonly detail: string,
    readonly payload: Record<string, unknown> = {},
  ) {
    super(detail);
  }
}

/** A bare JSON body with a status, for the errors Quay raises outside its problem format. */
export class PlainError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(JSON.stringify(body));
  }
}

export const invalidRequest = (detail: string, payload?: Record<string, unknown>) =>
  new ApiError(400, "invalid_request", detail, payload);

export const notFound = () => new ApiError(404, "not_found", "Not Found");

/** Quay's `Unauthorized`: anonymous callers are told to authenticate, others are refused. */
export const unauthorized = (anonymous: boolean) =>
  anonymous
    ? new ApiError(401, "invalid_token", "Requires authentication")
    : new ApiError(403, "insufficient_scope", "Unauthorized");

/** Werkzeug's wording for an unknown URL, as Flask answers it. */
export const NOT_FOUND_MESSAGE =
  "The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.";

export function problemBody(err: ApiError, baseUrl: string): Record<string, unknown> {
  return {
    ...err.payload,
    detail: err.detail,
    error_message: err.detail,
    error_type: err.title,
    title: err.title,
    type: `${baseUrl}/api/v1/error/${err.title}`,
    status: err.status,
  };
}

/**
 * Domain refusals in Quay's terms: data-model errors are 400s, missing things 404, and a
 * forbidden action is Quay's `Unauthorized` (401 or 403 by who asks).
 */
export function fromDomain(err: DomainError, anonymous: boolean): ApiError | PlainError {
  switch (err.code) {
    case "FORBIDDEN":
    case "UNAUTHENTICATED":
      return unauthorized(anonymous);
    case "NOT_FOUND":
    case "NAME_UNKNOWN":
    case "MANIFEST_UNKNOWN":
    case "BLOB_UNKNOWN":
      return notFound();
    case "INVALID_REQUEST":
    case "NAME_INVALID":
    case "TAG_INVALID":
    case "CONFLICT":
      return invalidRequest(err.message);
    case "TOO_MANY_REQUESTS":
      // Quay's own 429s (build queue) are plain `{message}` bodies.
      return new PlainError(429, { message: err.message }, { "Retry-After": String(retryAfterOf(err)) });
    default:
      return new PlainError(400, { message: err.message });
  }
}

// Errors the domain raises. Each door turns them into its own protocol's shape: OCI error
// bodies on /v2, Quay's JSON errors on /api/v1, inline messages on HTML forms.

export type DomainErrorCode =
  // content (named as the OCI distribution spec names them)
  | "BLOB_UNKNOWN"
  | "BLOB_UPLOAD_INVALID"
  | "BLOB_UPLOAD_UNKNOWN"
  | "DIGEST_INVALID"
  | "MANIFEST_BLOB_UNKNOWN"
  | "MANIFEST_INVALID"
  | "MANIFEST_UNKNOWN"
  | "MANIFEST_TOO_LARGE"
  | "NAME_INVALID"
  | "NAME_UNKNOWN"
  | "SIZE_INVALID"
  | "TAG_INVALID"
  | "RANGE_INVALID"
  | "UNSUPPORTED"
  // general
  | "INVALID_REQUEST"
  | "NOT_FOUND"
  | "CONFLICT"
  | "FORBIDDEN"
  | "UNAUTHENTICATED"
  /** A rule of the data model refused the change (Quay answers these with a bare `{message}`). */
  | "MODEL_REFUSED"
  /** Refused for now (failed sign-ins, hashing backlog); `detail` is `{ retryAfter: seconds }`. */
  | "TOO_MANY_REQUESTS";

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly detail?: unknown,
  ) {
    super(message);
    this.name = "DomainError";
  }
}

export const fail = (code: DomainErrorCode, message: string, detail?: unknown): never => {
  throw new DomainError(code, message, detail);
};

/** A TOO_MANY_REQUESTS refusal: try again in `retryAfter` seconds (the doors' Retry-After). */
export const tooManyRequests = (message: string, retryAfter: number) =>
  new DomainError("TOO_MANY_REQUESTS", message, { retryAfter: Math.max(1, Math.ceil(retryAfter)) });

/** The seconds a TOO_MANY_REQUESTS refusal asks the caller to wait. */
export const retryAfterOf = (err: DomainError): number =>
  (err.detail as { retryAfter?: number } | undefined)?.retryAfter ?? 1;

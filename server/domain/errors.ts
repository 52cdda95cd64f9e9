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
  | "UNAUTHENTICATED";

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

// Where blob bytes live. Each upload request writes a part of its own; a part joins the session's
// bytes only while its request holds the session, and the bytes become a blob only when
// `commitUpload` puts them in place after the digest has been checked, so neither a killed upload
// nor two writers on one session ever leave mixed or visible bytes behind.

import type { Readable } from "node:stream";

export interface ByteRange {
  /** First byte, inclusive. */
  start: number;
  /** Last byte, inclusive. */
  end: number;
}

/** Bytes one request wrote into an upload session, not yet recorded. */
export interface UploadPart {
  name: string;
  /** Where the request's bytes start in the upload. */
  offset: number;
  /** How many bytes the request wrote. */
  size: number;
}

/** Another request holds the session's bytes while it writes them (or died doing so). */
export class UploadInUseError extends Error {
  constructor() {
    super("another request is writing to this upload");
  }
}

export interface BlobStore {
  /**
   * Writes `body` as upload `id`'s bytes from `offset` on, where no other request can touch
   * them: the first bytes go to a file of their own; later ones are appended to the session's
   * bytes, taken out of their place first so that nobody else can write or commit them
   * meanwhile (UploadInUseError for them). Every chunk goes to `onChunk` before it is written.
   * A failed write leaves the session's bytes as they were.
   */
  writePart(
    id: string,
    offset: number,
    body: AsyncIterable<Uint8Array>,
    onChunk: (chunk: Uint8Array) => void,
  ): Promise<UploadPart>;
  /** Puts a written part in place as the upload's bytes. The caller holds the session row. */
  appendPart(id: string, part: UploadPart): Promise<void>;
  /**
   * Undoes a part that was not appended (no-op once it was): taken bytes go back without what
   * the request added.
   */
  releasePart(id: string, part: UploadPart): Promise<void>;
  /** The first `length` bytes of an upload, for re-hashing after a restart. */
  readUpload(id: string, length: number): AsyncIterable<Uint8Array>;
  /**
   * Flushes the upload's bytes (with `part`, if given) to stable storage, unless syncing is
   * off. Done ahead of a commit, before the caller holds the session, it leaves the commit
   * itself little to sync.
   */
  flushUpload(id: string, part?: UploadPart): Promise<void>;
  /**
   * Makes the upload's first `size` bytes the blob `digest`, on stable storage (unless syncing
   * is switched off) before it returns, so a row recorded afterwards never names missing bytes.
   * The upload keeps its bytes until `deleteUpload`. The caller holds the session.
   */
  commitUpload(id: string, size: number, digest: string): Promise<void>;
  deleteUpload(id: string): Promise<void>;
  /** Size in bytes, or null when the blob is not stored. */
  stat(digest: string): Promise<number | null>;
  /** The blob's bytes (or a range of them); rejects when the blob is not stored. */
  read(digest: string, range?: ByteRange): Promise<Readable>;
  delete(digest: string): Promise<void>;
  /** Where a committed blob sits on the local disk, for stores that keep files (fast sending). */
  localPath?(digest: string): string;
  /**
   * A URL the client may fetch the blob from itself for a while (a presigned object-store URL),
   * or undefined to have the bytes sent through this process.
   */
  redirectUrl?(digest: string, now: Date): Promise<string | undefined>;
}

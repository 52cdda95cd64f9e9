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

/** Bytes one request wrote for an upload session, not yet part of the session. */
export interface UploadPart {
  name: string;
  size: number;
}

export interface BlobStore {
  /**
   * Writes `body` to a new part of upload `id` that no other request touches, passing every
   * chunk to `onChunk` before it is written. Nothing of a failed write is left behind.
   */
  writePart(id: string, body: AsyncIterable<Uint8Array>, onChunk: (chunk: Uint8Array) => void): Promise<UploadPart>;
  /**
   * Makes `part` the upload's bytes from `offset` on (anything stored past `offset` is left over
   * from an append that was never recorded, and goes). The part is used up. The caller holds the
   * session, so no other append or commit runs meanwhile.
   */
  appendPart(id: string, offset: number, part: UploadPart): Promise<void>;
  /** Removes a part that was not appended (no-op if it was). */
  deletePart(id: string, part: UploadPart): Promise<void>;
  /** The first `length` bytes of an upload, for re-hashing after a restart. */
  readUpload(id: string, length: number): AsyncIterable<Uint8Array>;
  /**
   * Flushes the upload's bytes, and `part` if given, to stable storage (nothing when syncing is
   * off). Done ahead of a commit, before the caller holds the session, it leaves the commit
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
}

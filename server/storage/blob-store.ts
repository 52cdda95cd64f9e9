// Where blob bytes live. Uploads are written under a temporary key and only become a blob when
// `commitUpload` moves them into place after the digest has been checked, so a killed or failed
// upload never leaves a visible blob behind.

import type { Readable } from "node:stream";

export interface ByteRange {
  /** First byte, inclusive. */
  start: number;
  /** Last byte, inclusive. */
  end: number;
}

export interface BlobStore {
  /**
   * Writes `body` into upload `id` starting at byte `offset` (anything already stored past
   * `offset` is discarded first: it is left over from an interrupted request). Every chunk is
   * passed to `onChunk` before it is written. Returns the upload's new size.
   */
  writeUpload(
    id: string,
    offset: number,
    body: AsyncIterable<Uint8Array>,
    onChunk: (chunk: Uint8Array) => void,
  ): Promise<number>;
  /** The first `length` bytes of an upload, for re-hashing after a restart. */
  readUpload(id: string, length: number): AsyncIterable<Uint8Array>;
  /** Moves a finished upload to the blob `digest` (e.g. `sha256:…`). */
  commitUpload(id: string, digest: string): Promise<void>;
  deleteUpload(id: string): Promise<void>;
  /** Size in bytes, or null when the blob is not stored. */
  stat(digest: string): Promise<number | null>;
  /** The blob's bytes (or a range of them); rejects when the blob is not stored. */
  read(digest: string, range?: ByteRange): Promise<Readable>;
  delete(digest: string): Promise<void>;
  /** Where a committed blob sits on the local disk, for stores that keep files (fast sending). */
  localPath?(digest: string): string;
}

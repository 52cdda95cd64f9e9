// The configured BlobStore: a directory or an S3 bucket.
import type { FsStorage, S3Storage } from "../config.ts";
import type { BlobStore } from "./blob-store.ts";
import { FsBlobStore } from "./fs-blob-store.ts";
import { S3BlobStore } from "./s3-blob-store.ts";

export function openBlobStore(storage: FsStorage | S3Storage): BlobStore {
  return storage.kind === "fs" ? new FsBlobStore(storage.root, { fsync: storage.fsync }) : new S3BlobStore(storage);
}

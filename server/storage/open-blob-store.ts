// The configured BlobStore: a directory or an S3 bucket (the AWS SDK is loaded only for S3).
import type { FsStorage, S3Storage } from "../config.ts";
import type { BlobStore } from "./blob-store.ts";
import { FsBlobStore } from "./fs-blob-store.ts";

export async function openBlobStore(storage: FsStorage | S3Storage): Promise<BlobStore> {
  if (storage.kind === "fs") return new FsBlobStore(storage.root, { fsync: storage.fsync });
  const { S3BlobStore } = await import("./s3-blob-store.ts");
  return new S3BlobStore(storage);
}

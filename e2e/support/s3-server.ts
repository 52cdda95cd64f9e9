// An S3-compatible server on a free 127.0.0.1 port for one test file (s3rver, in this process,
// over a temporary directory), with one bucket and the settings that point Quayside at it.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import S3rver from "s3rver";

export interface TestS3 {
  endpoint: string;
  bucket: string;
  /** Environment for loadConfig: STORAGE=s3://… and the S3 settings. */
  env(prefix?: string): Record<string, string>;
  close(): Promise<void>;
}

export async function startS3(): Promise<TestS3> {
  const directory = await mkdtemp(join(tmpdir(), "quayside-s3-"));
  const bucket = "quayside-test";
  // s3rver checks no Signature Version 4 signatures (it does not implement them).
  const server = new S3rver({
    address: "127.0.0.1",
    port: 0,
    silent: true,
    directory,
    allowMismatchedSignatures: true,
    configureBuckets: [{ name: bucket }],
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    bucket,
    env: (prefix = "quayside") => ({
      STORAGE: `s3://${bucket}/${prefix}`,
      QUAYSIDE_S3_ENDPOINT: endpoint,
      QUAYSIDE_S3_REGION: "us-east-1",
      QUAYSIDE_S3_ACCESS_KEY_ID: "S3RVER",
      QUAYSIDE_S3_SECRET_ACCESS_KEY: "S3RVER",
      QUAYSIDE_S3_PATH_STYLE: "true",
    }),
    close: async () => {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

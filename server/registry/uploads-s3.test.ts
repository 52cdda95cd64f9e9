// The registry's upload and blob tests with blobs in S3 (an S3-compatible server on loopback).
import { afterAll, beforeAll } from "vitest";
import { startS3, type TestS3 } from "../../e2e/support/s3-server.ts";
import { uploadsSuite } from "./uploads-suite.ts";

let s3: TestS3;
beforeAll(async () => {
  s3 = await startS3();
});
afterAll(() => s3.close());

uploadsSuite(() => s3.env());

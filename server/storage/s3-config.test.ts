import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../config.ts";

describe("STORAGE=s3://", () => {
  it("reads the bucket, prefix and S3 settings; redirects off and AWS addressing by default", () => {
    expect(loadConfig({ STORAGE: "s3://my-bucket/registry/blobs/" }).storage).toEqual({
      kind: "s3",
      bucket: "my-bucket",
      prefix: "registry/blobs/",
      endpoint: undefined,
      region: "us-east-1",
      credentials: undefined,
      pathStyle: false,
      presignedRedirects: false,
    });
    const config = loadConfig(
      { STORAGE: "s3://bucket1", QUAYSIDE_S3_ENDPOINT: "http://127.0.0.1:9000/", QUAYSIDE_S3_ACCESS_KEY_ID: "key" },
      ["--s3-secret-access-key", "secret", "--s3-path-style", "--s3-presigned-redirects=true", "--s3-region=eu-west-1"],
    );
    expect(config.storage).toEqual({
      kind: "s3",
      bucket: "bucket1",
      prefix: "",
      endpoint: "http://127.0.0.1:9000",
      region: "eu-west-1",
      credentials: { accessKeyId: "key", secretAccessKey: "secret" },
      pathStyle: true,
      presignedRedirects: true,
    });
  });

  it("stops on a bad bucket, endpoint or half a key pair, naming the setting", () => {
    expect(() => loadConfig({ STORAGE: "s3://" })).toThrow(/STORAGE \/ --storage: must be .* s3:\/\/bucket\/prefix/);
    expect(() => loadConfig({ STORAGE: "s3://Bad_Bucket/x" })).toThrow(ConfigError);
    expect(() => loadConfig({ STORAGE: "s3://bucket1", QUAYSIDE_S3_ENDPOINT: "ftp://x" })).toThrow(/QUAYSIDE_S3_ENDPOINT/);
    expect(() => loadConfig({ STORAGE: "s3://bucket1", QUAYSIDE_S3_ACCESS_KEY_ID: "key" })).toThrow(
      /QUAYSIDE_S3_ACCESS_KEY_ID and QUAYSIDE_S3_SECRET_ACCESS_KEY must be set together/,
    );
  });

  it("leaves the filesystem store as it was", () => {
    expect(loadConfig({ STORAGE: "/srv/blobs", QUAYSIDE_FSYNC: "false" }).storage).toEqual({ kind: "fs", root: "/srv/blobs", fsync: false });
  });
});

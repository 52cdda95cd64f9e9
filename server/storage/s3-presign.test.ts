import { expect, it } from "vitest";
import { presignGet } from "./s3-presign.ts";

it("signs as AWS's own example of a presigned GET", () => {
  // The example in AWS's "Authenticating Requests: Using Query Parameters" (Signature Version 4).
  const url = presignGet(
    { bucket: "examplebucket", region: "us-east-1", endpoint: "https://s3.amazonaws.com", pathStyle: false },
    { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" },
    "test.txt",
    86400,
    new Date("2013-05-24T00:00:00Z"),
  );
  expect(url).toBe(
    "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256" +
      "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request" +
      "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host" +
      "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404",
  );
});

// Blob pulls redirected to presigned S3 URLs (QUAYSIDE_S3_PRESIGNED_REDIRECTS), as Quay and
// distribution do: the registry answers 307 and the bucket serves the bytes, ranges included.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { RegistryClient } from "../../e2e/support/registry-client.ts";
import { startS3, type TestS3 } from "../../e2e/support/s3-server.ts";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";

let s3: TestS3;
let env: TestEnv;
let alice: RegistryClient;
const repo = "alice/redirected";

beforeAll(async () => {
  s3 = await startS3();
  env = await testEnv({ ...s3.env(), QUAYSIDE_S3_PRESIGNED_REDIRECTS: "true" });
  await env.user("alice");
  alice = new RegistryClient(env, { username: "alice", password: "password-alice" });
});
afterAll(async () => {
  await env.close();
  await s3.close();
});

it("GET answers 307 to a presigned URL that serves the blob and its ranges; HEAD stays here", async () => {
  const data = randomBytes(100_000);
  const digest = await alice.pushBlob(repo, data);
  const res = await alice.request(`/v2/${repo}/blobs/${digest}`);
  expect(res.status).toBe(307);
  expect(res.headers.get("docker-content-digest")).toBe(digest);
  const location = res.headers.get("location")!;
  expect(location.startsWith(`${s3.endpoint}/${s3.bucket}/quayside/blobs/sha256/`)).toBe(true);
  expect(new URL(location).searchParams.get("X-Amz-Signature")).toMatch(/^[0-9a-f]{64}$/);
  const whole = await fetch(location);
  expect(Buffer.from(await whole.arrayBuffer()).equals(data)).toBe(true);
  const part = await fetch(location, { headers: { range: "bytes=10-19" } });
  expect(part.status).toBe(206);
  expect(Buffer.from(await part.arrayBuffer()).equals(data.subarray(10, 20))).toBe(true);

  const head = await alice.request(`/v2/${repo}/blobs/${digest}`, { method: "HEAD" });
  expect(head.status).toBe(200);
  expect(head.headers.get("content-length")).toBe("100000");
  // Who may not pull is refused before any URL is made.
  const anonymous = await env.app.request(`/v2/${repo}/blobs/${digest}`);
  expect(anonymous.status).toBe(401);
});

// /metrics over a real server: requests by route pattern (never a repository's name), bytes both
// ways (blob bodies sent straight into the socket included), latency histograms, job queues; and
// X-Request-Id on every answer.
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { basic } from "../../e2e/support/registry-client.ts";
import { testServer, type TestServer } from "../../e2e/support/test-app.ts";

let server: TestServer;
const auth = { authorization: basic("admin", "admin-password") };

beforeAll(async () => {
  server = await testServer({ QUAYSIDE_ADMIN_USER: "admin", QUAYSIDE_ADMIN_PASSWORD: "admin-password" });
});
afterAll(async () => {
  await server.close();
});

/** The value of one series in the exposition text (0 when absent). */
function series(text: string, name: string, labels: string): number {
  const line = text.split("\n").find((l) => l.startsWith(`${name}{${labels}}`));
  return line ? Number(line.slice(line.lastIndexOf(" ") + 1)) : 0;
}

describe("metrics and request ids", () => {
  it("counts requests by route pattern and status, with bytes in and out", async () => {
    const blob = new Uint8Array(40_000).fill(7);
    const digest = `sha256:${createHash("sha256").update(blob).digest("hex")}`;
    const push = await fetch(`${server.url}/v2/admin/secret-name/blobs/uploads/?digest=${digest}`, {
      method: "POST",
      headers: auth,
      body: blob,
    });
    expect(push.status).toBe(201);
    const pull = await fetch(`${server.url}/v2/admin/secret-name/blobs/${digest}`, { headers: { ...auth, "x-request-id": "trace-42" } });
    expect((await pull.arrayBuffer()).byteLength).toBe(blob.length);
    // The blob's bytes go straight into the socket, and still carry the caller's id.
    expect(pull.headers.get("x-request-id")).toBe("trace-42");
    const missing = await fetch(`${server.url}/v2/admin/secret-name/manifests/nope`, { headers: auth });
    expect(missing.status).toBe(404);
    await missing.arrayBuffer();

    const res = await fetch(`${server.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/plain");
    const text = await res.text();
    expect(text).not.toContain("secret-name");
    expect(text).not.toContain(digest.slice(7));
    const blobs = 'route="/v2/:name/blobs/:digest"';
    expect(series(text, "quayside_http_requests_total", `method="GET",${blobs},status="200"`)).toBe(1);
    expect(series(text, "quayside_http_requests_total", 'method="GET",route="/v2/:name/manifests/:reference",status="404"')).toBe(1);
    expect(series(text, "quayside_http_requests_total", 'method="POST",route="/v2/:name/blobs/uploads/",status="201"')).toBe(1);
    expect(series(text, "quayside_http_request_bytes_total", 'route="/v2/:name/blobs/uploads/"')).toBeGreaterThanOrEqual(blob.length);
    expect(series(text, "quayside_http_response_bytes_total", blobs)).toBeGreaterThanOrEqual(blob.length);
    expect(series(text, "quayside_http_request_duration_seconds_count", `method="GET",${blobs}`)).toBe(1);
    expect(text).toMatch(/quayside_http_request_duration_seconds_bucket\{le="0\.005",method="GET",route="\/v2\/:name\/blobs\/:digest"\}/);
    // Every queue of jobs/ is reported, waiting jobs or not.
    for (const queue of ["upload-cleanup", "tag-expiry", "garbage-collection"]) {
      expect(text).toMatch(new RegExp(`quayside_job_queue_depth\\{queue="${queue}"\\} \\d+`));
    }
    expect(text).toContain("quayside_job_failures_total");
    expect(text).toContain("quayside_blob_store_errors_total");
    expect(text).toContain("quayside_process_resident_memory_bytes");
  });

  it("gives every answer a request id, replacing one a caller should not choose", async () => {
    const plain = await fetch(`${server.url}/api/v1/discovery-that-is-not-there`);
    await plain.arrayBuffer();
    expect(plain.headers.get("x-request-id")).toMatch(/^[0-9a-f]{12}-[0-9a-f]{8,}$/);
    const forged = await fetch(`${server.url}/health`, { headers: { "x-request-id": "two words" } });
    await forged.arrayBuffer();
    expect(forged.headers.get("x-request-id")).toMatch(/^[0-9a-f]{12}-[0-9a-f]{8,}$/);
  });
});

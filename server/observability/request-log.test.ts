// One log line per request (method, route pattern, path, status, duration, bytes, request id),
// request failures logged under the request's id, and the readable form for terminals.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { testEnv, type TestEnv } from "../../e2e/support/test-app.ts";
import { log, readableLine } from "./log.ts";

let env: TestEnv;
beforeEach(async () => {
  env = await testEnv({ QUAYSIDE_LOG_REQUESTS: "true" });
});
afterEach(async () => {
  vi.restoreAllMocks();
  await env.close();
});

describe("request log", () => {
  it("writes one line for each request, under its id", async () => {
    const info = vi.spyOn(log, "info").mockImplementation(() => {});
    const res = await env.app.request("/v2/admin/some-repo/manifests/latest", { headers: { "x-request-id": "abc-1" } });
    expect(res.status).toBe(401);
    expect(res.headers.get("x-request-id")).toBe("abc-1");
    expect(info).toHaveBeenCalledTimes(1);
    const [fields, message] = info.mock.calls[0] as unknown as [Record<string, unknown>, string];
    expect(message).toBe("request");
    expect(fields).toMatchObject({
      reqId: "abc-1",
      method: "GET",
      route: "/v2/:name/manifests/:reference",
      path: "/v2/admin/some-repo/manifests/latest",
      status: 401,
    });
    expect(fields.ms).toEqual(expect.any(Number));
    expect(fields).toHaveProperty("bytesIn");
    expect(fields).toHaveProperty("bytesOut");
  });

  it("logs probes and scrapes only at debug level", async () => {
    const info = vi.spyOn(log, "info").mockImplementation(() => {});
    await env.app.request("/health");
    await env.app.request("/metrics");
    expect(info).not.toHaveBeenCalled();
  });

  it("logs a request's failure with the request's id", async () => {
    const error = vi.spyOn(log, "error").mockImplementation(() => {});
    vi.spyOn(log, "info").mockImplementation(() => {});
    await env.database.close();
    const res = await env.app.request("/api/v1/repository?public=true", { headers: { "x-request-id": "failing-1" } });
    expect(res.status).toBe(500);
    expect(error).toHaveBeenCalledWith(expect.objectContaining({ reqId: "failing-1", err: expect.any(Error) }), "api error");
  });

  it("turns a JSON line into a readable one for terminals", () => {
    const line = JSON.stringify({ level: 30, time: Date.UTC(2026, 0, 1, 12, 0, 1, 234), msg: "request", method: "GET", status: 200 });
    expect(readableLine(line)).toBe("12:00:01.234 INFO  request method=GET status=200\n");
  });
});

// Quay's /health/instance and /health/endtoend: services as booleans, 200 when all are up, 503
// when one is down.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { testEnv, type TestEnv } from "../../e2e/support/test-app.ts";

let env: TestEnv;
beforeEach(async () => {
  env = await testEnv();
});
afterEach(async () => {
  await env.close();
});

describe("health endpoints", () => {
  it("reports the database and storage of this instance", async () => {
    const res = await env.app.request("/health/instance");
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(await res.json()).toEqual({ data: { services: { database: true, storage: true } }, status_code: 200 });
  });

  it("end to end, also takes a token from /v2/auth and calls /v2/ with it", async () => {
    const res = await env.app.request("/health/endtoend");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      data: { services: { database: true, storage: true, registry: true } },
      status_code: 200,
    });
  });

  it("answers 503 naming the store when blob storage fails", async () => {
    env.deps.store.writePart = () => Promise.reject(new Error("disk gone"));
    const res = await env.app.request("/health/instance");
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ data: { services: { database: true, storage: false } }, status_code: 503 });
  });

  it("answers 503 naming the database when Postgres is unreachable", async () => {
    await env.database.close();
    const res = await env.app.request("/health/endtoend");
    expect(res.status).toBe(503);
    const body = (await res.json()) as { data: { services: Record<string, boolean> } };
    expect(body.data.services).toMatchObject({ database: false, storage: true });
  });

  it("keeps /health as a liveness answer that needs nothing", async () => {
    await env.database.close();
    const res = await env.app.request("/health");
    expect(res.status).toBe(200);
  });
});

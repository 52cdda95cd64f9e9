// A worker node listens only for probes and metrics: its job failures and queues are scraped
// there, and it serves no registry, API or pages.
import { afterAll, beforeAll, expect, it } from "vitest";
import { testServer, type TestServer } from "../../e2e/support/test-app.ts";

let worker: TestServer;
beforeAll(async () => {
  worker = await testServer({ QUAYSIDE_ROLE: "worker" });
});
afterAll(async () => {
  await worker.close();
});

it("answers health checks and metrics, and nothing else", async () => {
  const health = await fetch(`${worker.url}/health/instance`);
  expect(await health.json()).toEqual({ data: { services: { database: true, storage: true } }, status_code: 200 });
  const endToEnd = await fetch(`${worker.url}/health/endtoend`);
  expect(endToEnd.status).toBe(200);
  const metrics = await (await fetch(`${worker.url}/metrics`)).text();
  expect(metrics).toMatch(/quayside_job_queue_depth\{queue="garbage-collection"\} \d+/);
  for (const path of ["/v2/", "/api/v1/discovery", "/"]) {
    const res = await fetch(`${worker.url}${path}`);
    await res.arrayBuffer();
    expect(res.status, path).toBe(404);
  }
});

// Prometheus metrics (prom-client), one registry per process as a scraper sees one target per
// process. Request labels are route patterns, never raw paths, so their number stays bounded
// however many repositories, tags and digests exist.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry, prefix: "quayside_" });

const registers = [metricsRegistry];

function counter<Label extends string>(name: string, help: string, labelNames: readonly Label[]) {
  return new Counter({ name, help, labelNames, registers });
}

const httpRequests = counter("quayside_http_requests_total", "HTTP requests answered, by method, route pattern and status", ["method", "route", "status"] as const);

const httpDuration = new Histogram({
  name: "quayside_http_request_duration_seconds",
  help: "Time from a request's arrival to its last response byte, by method and route pattern",
  labelNames: ["method", "route"] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60, 300],
  registers,
});

const httpBytesIn = counter("quayside_http_request_bytes_total", "Request bytes received (headers included), by route pattern", ["route"] as const);

const httpBytesOut = counter("quayside_http_response_bytes_total", "Response bytes sent (headers included), by route pattern", ["route"] as const);

interface RequestSeries {
  requests: { inc(): void };
  duration: { observe(seconds: number): void };
  bytesIn: { inc(bytes: number): void };
  bytesOut: { inc(bytes: number): void };
}

/** Each label set's series, looked up once: hashing labels on every request cost microseconds. */
const requestSeriesCache = new Map<string, RequestSeries>();

/** The series one request is counted in (methods, route patterns and statuses are few). */
export function requestSeries(method: string, route: string, status: number): RequestSeries {
  const key = `${method} ${status} ${route}`;
  let series = requestSeriesCache.get(key);
  if (!series) {
    series = {
      requests: httpRequests.labels(method, route, String(status)),
      duration: httpDuration.labels(method, route),
      bytesIn: httpBytesIn.labels(route),
      bytesOut: httpBytesOut.labels(route),
    };
    requestSeriesCache.set(key, series);
  }
  return series;
}

export const jobFailures = counter("quayside_job_failures_total", "Background jobs that failed on this node, by queue", ["queue"] as const);

export const blobStoreErrors = counter("quayside_blob_store_errors_total", "Blob store operations that failed, by operation", ["operation"] as const);

/** Reads each queue's waiting jobs when scraped; set by the jobs module of this process. */
let queueDepths: (() => Promise<Map<string, number>>) | undefined;

export function watchQueueDepths(read: (() => Promise<Map<string, number>>) | undefined): void {
  queueDepths = read;
}

new Gauge({
  name: "quayside_job_queue_depth",
  help: "Jobs waiting in each background queue (the whole cluster's, as every node shares it)",
  labelNames: ["queue"] as const,
  registers,
  async collect() {
    this.reset();
    const depths = await queueDepths?.().catch(() => undefined);
    for (const [queue, depth] of depths ?? []) this.set({ queue }, depth);
  },
});

/** The text exposition format a Prometheus scrape expects. */
export async function metricsText(): Promise<{ body: string; contentType: string }> {
  return { body: await metricsRegistry.metrics(), contentType: metricsRegistry.contentType };
}

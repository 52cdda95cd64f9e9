// Blob pulls while 32 clients send wrong passwords to /v2/ (issue 8, item 5). Each wrong login
// comes from an address of its own (X-Forwarded-For through the trusted proxy 127.0.0.1, see
// run.ts) for a user name of its own, so the failed-login limits never refuse it: every attempt
// reaches password hashing, and only the hashing queue's bound keeps file I/O and the event
// loop free. Without that bound (before) a 4 MiB GET took seconds.
import { randomBytes } from "node:crypto";
import { httpRequest, makeBlob, pushMonolithic } from "./client.ts";
import { alternate, type Row, type Sample } from "./measure.ts";
import type { Bench } from "./operations.ts";
import { withRss } from "./operations.ts";
import { MiB, percentile, since } from "./stats.ts";

const FLOOD_CLIENTS = 32;
const REPO = "bench/login-flood";

interface FloodCounts {
  /** Wrong logins answered 401: the password was hashed and checked. */
  checked: number;
  /** Answered 429 (hashing queue full, or a limit). */
  refused: number;
  seconds: number;
}

/** Starts the flood; `stop()` ends it and returns what the server answered. */
function startFlood(url: string): { stop(): Promise<FloodCounts> } {
  let stopping = false;
  let checked = 0;
  let refused = 0;
  let n = 0;
  const started = performance.now();
  const client = async () => {
    while (!stopping) {
      n++;
      const address = `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
      const res = await httpRequest(`${url}/v2/`, "GET", {
        authorization: `Basic ${Buffer.from(`flood-${n}:${randomBytes(6).toString("hex")}`).toString("base64")}`,
        "x-forwarded-for": address,
      });
      if (res.status === 401) checked++;
      else if (res.status === 429) refused++;
      else throw new Error(`login flood: unexpected ${res.status} ${res.body.toString("utf8", 0, 200)}`);
    }
  };
  const clients = Promise.all(Array.from({ length: FLOOD_CLIENTS }, client));
  return {
    async stop() {
      stopping = true;
      const seconds = since(started) / 1000;
      await clients;
      return { checked, refused, seconds };
    },
  };
}

/** Sequential GETs of the blob for `seconds`; returns each latency. */
async function getLatencies(url: string, headers: Record<string, string>, size: number, seconds: number): Promise<number[]> {
  const latencies: number[] = [];
  const until = performance.now() + seconds * 1000;
  while (performance.now() < until) {
    const one = performance.now();
    const res = await httpRequest(url, "GET", headers);
    if (res.status !== 200 || res.body.length !== size) throw new Error(`blob GET during flood: ${res.status}, ${res.body.length} bytes`);
    latencies.push(since(one));
  }
  return latencies;
}

export function blobGetDuringLoginFlood(b: Bench): Promise<Row> {
  const size = 4 * MiB;
  return withRss(b, async () => {
    const blob = await makeBlob(b.pool, size);
    await pushMonolithic(b.quayside, REPO, blob);
    const auth = await b.quayside.auth(REPO);
    const url = `${b.quayside.url}/v2/${REPO}/blobs/${blob.digest}`;
    await getLatencies(url, auth, size, 1); // warm-up
    const idle = await getLatencies(url, auth, size, b.limitSeconds);
    const floods: FloodCounts[] = [];
    const r = await alternate(b.reps, () => undefined, {
      quayside: async (): Promise<Sample> => {
        const flood = startFlood(b.quayside.url);
        await new Promise((r) => setTimeout(r, 1000)); // let the queue fill
        const latenciesMs = await getLatencies(url, auth, size, b.loadSeconds);
        floods.push(await flood.stop());
        return { value: percentile(latenciesMs, 99), latenciesMs };
      },
    });
    const total = floods.reduce((t, f) => ({ checked: t.checked + f.checked, refused: t.refused + f.refused, seconds: t.seconds + f.seconds }));
    return {
      section: "Operations",
      name: `Blob GET latency (4 MiB, sequential) while ${FLOOD_CLIENTS} clients fail logins`,
      unit: "ms",
      higherIsBetter: false,
      quayside: r.quayside,
      limits: [],
      target: { kind: "p99", maxMs: 50 },
      note:
        `Quayside only; cell = p99. Without the flood: p50 ${percentile(idle, 50).toFixed(1)} / p99 ${percentile(idle, 99).toFixed(1)} ms. ` +
        `Flood answered ${(total.checked / total.seconds).toFixed(1)} wrong logins/s checked (401), ` +
        `${(total.refused / total.seconds).toFixed(0)}/s refused (429)`,
    };
  });
}

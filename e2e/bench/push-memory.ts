// Resident memory of the server while a 1 GiB layer is pushed, monolithic and in 64 MiB chunks.
// Run: npm run bench:memory
import { createHash, randomBytes } from "node:crypto";
import { request } from "node:http";
import { registryToken, residentBytes, sampleMemory, startQuayside } from "./server-process.ts";

const GiB = 1024 * 1024 * 1024;
const BLOCK = randomBytes(1024 * 1024);
const MB = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;

function digestOfRepeated(total: number, salt: Buffer): string {
  const hash = createHash("sha256").update(salt);
  for (let sent = 0; sent < total; sent += BLOCK.length) hash.update(BLOCK);
  return `sha256:${hash.digest("hex")}`;
}

/** Streams `salt` + `total` bytes of repeated blocks as a request body; returns the status. */
function streamBody(url: string, method: string, headers: Record<string, string>, total: number, salt: Buffer) {
  return new Promise<{ status: number; location?: string }>((resolveDone, reject) => {
    const req = request(url, { method, headers: { ...headers, "content-length": String(total + salt.length) } }, (res) => {
      res.resume();
      res.on("end", () => resolveDone({ status: res.statusCode!, location: res.headers.location }));
    });
    req.on("error", reject);
    let sent = 0;
    req.write(salt);
    const pump = () => {
      while (sent < total) {
        sent += BLOCK.length;
        if (!req.write(BLOCK)) return void req.once("drain", pump);
      }
      req.end();
    };
    pump();
  });
}

async function main() {
  const server = await startQuayside();
  try {
    const token = await registryToken(server, "repository:bench/big:pull,push");
    const auth = { authorization: `Bearer ${token}`, "content-type": "application/octet-stream" };
    const idle = residentBytes(server.pid);

    const salt1 = randomBytes(16);
    const digest1 = digestOfRepeated(GiB, salt1);
    let sampler = sampleMemory(server.pid);
    let started = performance.now();
    const mono = await streamBody(`${server.url}/v2/bench/big/blobs/uploads/?digest=${digest1}`, "POST", auth, GiB, salt1);
    const monoSeconds = (performance.now() - started) / 1000;
    const monoPeak = sampler.stop();
    if (mono.status !== 201) throw new Error(`monolithic push answered ${mono.status}`);

    const salt2 = randomBytes(16);
    const digest2 = digestOfRepeated(GiB, salt2);
    sampler = sampleMemory(server.pid);
    started = performance.now();
    const start = await fetch(`${server.url}/v2/bench/big/blobs/uploads/`, { method: "POST", headers: auth });
    const location = start.headers.get("location")!;
    const chunk = 64 * 1024 * 1024;
    // First chunk carries the salt, the rest are whole blocks.
    let offset = 0;
    for (let i = 0; offset < GiB + salt2.length; i++) {
      const salt = i === 0 ? salt2 : Buffer.alloc(0);
      const res = await streamBody(`${server.url}${location}`, "PATCH", {
        ...auth,
        "content-range": `${offset}-${offset + chunk + salt.length - 1}`,
      }, chunk, salt);
      if (res.status !== 202) throw new Error(`chunk answered ${res.status}`);
      offset += chunk + salt.length;
    }
    const done = await fetch(`${server.url}${location}?digest=${digest2}`, { method: "PUT", headers: auth });
    const chunkedSeconds = (performance.now() - started) / 1000;
    const chunkedPeak = sampler.stop();
    if (done.status !== 201) throw new Error(`chunked finish answered ${done.status}`);

    console.log("| push of a 1 GiB layer | peak server RSS | throughput |");
    console.log("|---|---|---|");
    console.log(`| idle | ${MB(idle)} | |`);
    console.log(`| monolithic POST | ${MB(monoPeak)} | ${(1024 / monoSeconds).toFixed(0)} MB/s |`);
    console.log(`| chunked PATCH (64 MiB) | ${MB(chunkedPeak)} | ${(1024 / chunkedSeconds).toFixed(0)} MB/s |`);
    const limit = 150 * 1024 * 1024;
    console.log(Math.max(monoPeak, chunkedPeak) < limit ? "memory target met (< 150 MB)" : "memory target MISSED (>= 150 MB)");
  } finally {
    await server.stop();
  }
}

await main();

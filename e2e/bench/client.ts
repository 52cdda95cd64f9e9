// A minimal OCI distribution client for the benchmark: node:http with keep-alive, request
// bodies sent from prepared Buffers (hashing is done before the clock starts), and the
// registry under test behind a `Target` (Quayside with its bearer tokens, distribution without auth).
import { createHash, randomBytes, randomFill } from "node:crypto";
import { Agent, request } from "node:http";
import { MiB } from "./stats.ts";

export interface Target {
  label: string;
  url: string;
  host: string;
  /** Headers that authorize pull and push on `repo` ("ns/name"). */
  auth(repo: string): Promise<Record<string, string>>;
  /** Headers that authorize the catalog. */
  catalogAuth(): Promise<Record<string, string>>;
}

export interface Blob {
  data: Buffer;
  digest: string;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

const agent = new Agent({ keepAlive: true, maxSockets: 256 });

export function httpRequest(
  url: string | URL,
  method: string,
  headers: Record<string, string> = {},
  body?: Buffer,
): Promise<HttpResponse> {
  return new Promise((resolveResponse, reject) => {
    const req = request(
      url,
      { method, agent, headers: { ...headers, "content-length": String(body?.length ?? 0) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolveResponse({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on("error", reject);
      },
    );
    req.setTimeout(120_000, () => req.destroy(new Error(`${method} ${url}: timed out`)));
    req.on("error", reject);
    req.end(body);
  });
}

export function sha256(data: Uint8Array): string {
  return `sha256:${createHash("sha256").update(data).digest("hex")}`;
}

/**
 * `size` bytes: a random salt, then bytes of `pool` (random data shared by all blobs). Hashed
 * in slices that yield to the event loop, so a Ctrl-C is handled at once (tsx kills a child
 * that does not acknowledge a signal within a few dozen milliseconds).
 */
export async function makeBlob(pool: Buffer, size: number): Promise<Blob> {
  if (size > pool.length) throw new Error(`blob of ${size} bytes is larger than the pool`);
  const data = Buffer.allocUnsafe(size);
  pool.copy(data, 0, 0, size);
  randomBytes(Math.min(32, size)).copy(data);
  const hash = createHash("sha256");
  const slice = 4 * 1024 * 1024;
  for (let offset = 0; offset < size; offset += slice) {
    hash.update(data.subarray(offset, Math.min(offset + slice, size)));
    await new Promise((r) => setImmediate(r));
  }
  return { data, digest: `sha256:${hash.digest("hex")}` };
}

/** Random bytes made on the thread pool, in slices. */
export async function randomPool(size: number): Promise<Buffer> {
  const pool = Buffer.allocUnsafe(size);
  const slice = 16 * 1024 * 1024;
  for (let offset = 0; offset < size; offset += slice) {
    await new Promise<void>((resolveFill, reject) =>
      randomFill(pool, offset, Math.min(slice, size - offset), (err) => (err ? reject(err) : resolveFill())),
    );
  }
  return pool;
}

function expect(res: HttpResponse, status: number, what: string): HttpResponse {
  if (res.status !== status) {
    throw new Error(`${what}: expected ${status}, got ${res.status}: ${res.body.toString("utf8", 0, 500)}`);
  }
  return res;
}

function location(res: HttpResponse, base: string): URL {
  const value = res.headers.location;
  if (typeof value !== "string") throw new Error("upload response without Location");
  return new URL(value, base);
}

async function startUpload(t: Target, repo: string, auth: Record<string, string>): Promise<URL> {
  const res = await httpRequest(`${t.url}/v2/${repo}/blobs/uploads/`, "POST", auth);
  return location(expect(res, 202, `${t.label} start upload`), t.url);
}

/** Monolithic upload as clients do it: POST for a session, then one PUT with the whole blob. */
export async function pushMonolithic(t: Target, repo: string, blob: Blob): Promise<void> {
  const auth = await t.auth(repo);
  const upload = await startUpload(t, repo, auth);
  upload.searchParams.set("digest", blob.digest);
  const res = await httpRequest(upload, "PUT", { ...auth, "content-type": "application/octet-stream" }, blob.data);
  expect(res, 201, `${t.label} monolithic PUT`);
}

/** Chunked upload: POST, PATCH per chunk with Content-Range (following each Location), PUT ?digest. */
export async function pushChunked(t: Target, repo: string, blob: Blob, chunkSize = 5 * MiB): Promise<void> {
  const auth = await t.auth(repo);
  let upload = await startUpload(t, repo, auth);
  for (let offset = 0; offset < blob.data.length; offset += chunkSize) {
    const chunk = blob.data.subarray(offset, Math.min(offset + chunkSize, blob.data.length));
    const res = await httpRequest(
      upload,
      "PATCH",
      { ...auth, "content-type": "application/octet-stream", "content-range": `${offset}-${offset + chunk.length - 1}` },
      chunk,
    );
    upload = location(expect(res, 202, `${t.label} PATCH at ${offset}`), t.url);
  }
  upload.searchParams.set("digest", blob.digest);
  expect(await httpRequest(upload, "PUT", auth), 201, `${t.label} chunked final PUT`);
}

export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
export const OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
export const OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip";

export async function putManifest(t: Target, repo: string, reference: string, manifest: Buffer): Promise<void> {
  const auth = await t.auth(repo);
  const res = await httpRequest(`${t.url}/v2/${repo}/manifests/${reference}`, "PUT", {
    ...auth,
    "content-type": OCI_MANIFEST,
  }, manifest);
  expect(res, 201, `${t.label} manifest PUT ${repo}:${reference}`);
}

/** An OCI image manifest for a config and layers (annotations make otherwise equal manifests distinct). */
export function imageManifest(config: Blob, layers: Blob[], annotations?: Record<string, string>): Buffer {
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: OCI_CONFIG, digest: config.digest, size: config.data.length },
      layers: layers.map((l) => ({ mediaType: OCI_LAYER, digest: l.digest, size: l.data.length })),
      ...(annotations ? { annotations } : {}),
    }),
  );
}

/** A small config blob in the shape of an image config. */
export function configBlob(layers: number): Blob {
  const data = Buffer.from(
    JSON.stringify({
      architecture: "amd64",
      os: "linux",
      config: { Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], Cmd: ["/bin/sh"] },
      rootfs: { type: "layers", diff_ids: Array.from({ length: layers }, () => sha256(randomBytes(32))) },
      history: Array.from({ length: layers }, (_, i) => ({ created_by: `bench layer ${i}` })),
    }),
  );
  return { data, digest: sha256(data) };
}

/** GETs a list following `Link: <…>; rel="next"` to the end; returns the items and the request count. */
export async function getAllPages(
  t: Target,
  path: string,
  headers: Record<string, string>,
  key: "tags" | "repositories",
  maxPages = Number.POSITIVE_INFINITY,
): Promise<{ items: number; requests: number }> {
  let next: string | undefined = path;
  let items = 0;
  let requests = 0;
  while (next && requests < maxPages) {
    const res = expect(await httpRequest(`${t.url}${next}`, "GET", headers), 200, `${t.label} GET ${next}`);
    requests++;
    items += ((JSON.parse(res.body.toString("utf8")) as Record<string, string[] | null>)[key] ?? []).length;
    const link = res.headers.link;
    const m = typeof link === "string" ? /<([^>]+)>;\s*rel="next"/.exec(link) : null;
    next = m ? new URL(m[1]!, t.url).pathname + new URL(m[1]!, t.url).search : undefined;
  }
  return { items, requests };
}

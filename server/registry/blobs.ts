// GET/HEAD/DELETE /v2/<name>/blobs/<digest>, with single byte-range reads (206).
import { findBlobForPush, findBlobInRepo, unlinkBlob } from "../domain/content/blobs.ts";
import { parseDigest } from "../domain/content/digests.ts";
import { DomainError } from "../domain/errors.ts";
import type { ByteRange } from "../storage/blob-store.ts";
import { requireAction } from "./auth.ts";
import { OciError } from "./errors.ts";
import { proxiedBlobResponse, proxyOf } from "./proxy.ts";
import { existingRepository } from "./repository.ts";
import { API_VERSION_HEADER, nodeResponse, type RegistryRequest, respond, respondWithStream } from "./request.ts";
import { sendFileRange } from "./send-file.ts";

/** Parses `bytes=start-end` / `bytes=start-` / `bytes=-suffix`; null when the header is absent. */
function parseRange(header: string | undefined, size: number): ByteRange | null {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  const unsatisfiable = () =>
    new OciError("RANGE_INVALID", "requested range not satisfiable", { range: header }, 416, {
      "Content-Range": `bytes */${size}`,
    });
  if (!m || (m[1] === "" && m[2] === "")) throw unsatisfiable();
  let start: number;
  let end: number;
  if (m[1] === "") {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start > end || start >= size) throw unsatisfiable();
  return { start, end };
}

/**
 * A HEAD is how clients decide to skip an upload: it refreshes a link older than half the
 * garbage-collection grace period, so the blob outlives the push that relies on it.
 */
function pushCheckTimes(deps: RegistryRequest["deps"]) {
  const now = deps.clock.now();
  return { now, staleBefore: new Date(now.getTime() - (deps.config.gc.graceSeconds * 1000) / 2) };
}

export async function getBlob(r: RegistryRequest): Promise<Response> {
  await requireAction(r.deps, r.c, r.caller, r.name, "pull");
  parseDigest(r.param);
  const proxy = await proxyOf(r);
  const proxied = proxy && (await proxiedBlobResponse(r, proxy));
  if (proxied) return proxied;
  const repositoryId = (await existingRepository(r.deps, r.name)).id;
  const blob = r.c.req.method === "HEAD"
    ? await findBlobForPush(r.deps.db, repositoryId, r.param, pushCheckTimes(r.deps))
    : await findBlobInRepo(r.deps.db, repositoryId, r.param);
  if (!blob) throw new DomainError("BLOB_UNKNOWN", "blob unknown to registry", { digest: r.param });
  const headers: Record<string, string> = {
    "Content-Type": "application/octet-stream",
    "Docker-Content-Digest": blob.digest,
    "Accept-Ranges": "bytes",
    ETag: `"${blob.digest}"`,
    "Cache-Control": "max-age=31536000",
  };
  const range = parseRange(r.c.req.header("range"), blob.size);
  const status = range ? 206 : 200;
  const length = range ? range.end - range.start + 1 : blob.size;
  headers["Content-Length"] = String(length);
  if (range) headers["Content-Range"] = `bytes ${range.start}-${range.end}/${blob.size}`;
  if (r.c.req.method === "HEAD") return respond(status, headers);
  // With S3 and redirects switched on, the client fetches the bytes from the bucket itself.
  const redirect = await r.deps.store.redirectUrl?.(blob.digest, r.deps.clock.now());
  if (redirect) return respond(307, { Location: redirect, "Docker-Content-Digest": blob.digest, "Content-Length": "0" });
  if (length === 0) return respond(status, headers, new Uint8Array());
  const localPath = r.deps.store.localPath?.(blob.digest);
  const outgoing = nodeResponse(r.c);
  if (localPath && outgoing) {
    return sendFileRange(outgoing, status, { ...API_VERSION_HEADER, ...headers }, localPath, range?.start ?? 0, length);
  }
  return respondWithStream(r.c, status, headers, await r.deps.store.read(blob.digest, range ?? undefined));
}

export async function deleteBlob(r: RegistryRequest): Promise<Response> {
  await requireAction(r.deps, r.c, r.caller, r.name, "delete");
  parseDigest(r.param);
  const repo = await existingRepository(r.deps, r.name);
  await unlinkBlob(r.deps.db, repo.id, r.param);
  return respond(202, { "Docker-Content-Digest": r.param, "Content-Length": "0" });
}

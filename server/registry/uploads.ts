// Blob uploads: POST (start, monolithic with ?digest=, or cross-repository mount), PATCH
// (chunks, Content-Range checked), PUT (finish), GET (status) and DELETE (cancel).
import { mountBlob } from "../domain/content/blobs.ts";
import { parseDigest } from "../domain/content/digests.ts";
import { DomainError } from "../domain/errors.ts";
import { parseRepoPath } from "../domain/names.ts";
import {
  appendChunk,
  cancelUpload,
  type ChunkRange,
  findUpload,
  finishUpload,
  startUpload,
  type Upload,
  uploadWhole,
} from "../domain/content/uploads.ts";
import { requireAction } from "./auth.ts";
import { hasBody, requestBody } from "./body.ts";
import { existingRepository, knownRepository, pushTarget } from "./repository.ts";
import { type RegistryRequest, respond } from "./request.ts";

const blobLocation = (name: string, digest: string) => `/v2/${name}/blobs/${digest}`;

function created(name: string, digest: string): Response {
  return respond(201, { Location: blobLocation(name, digest), "Docker-Content-Digest": digest, "Content-Length": "0" });
}

function progress(name: string, upload: Upload, status: number): Response {
  return respond(status, {
    Location: `/v2/${name}/blobs/uploads/${upload.id}`,
    Range: `0-${Math.max(upload.size - 1, 0)}`,
    "Docker-Upload-UUID": upload.id,
    "Content-Length": "0",
  });
}

/** `Content-Range: <start>-<end>` on a chunk (a `bytes ` prefix is tolerated). */
function parseContentRange(header: string | undefined): ChunkRange | undefined {
  if (header === undefined) return undefined;
  const m = /^(?:bytes[ =])?(\d+)-(\d+)(?:\/(?:\d+|\*))?$/.exec(header.trim());
  if (!m || Number(m[2]) < Number(m[1])) {
    throw new DomainError("RANGE_INVALID", "invalid Content-Range", { range: header });
  }
  return { start: Number(m[1]), end: Number(m[2]) };
}

async function tryMount(r: RegistryRequest, repositoryId: number, digest: string, from: string): Promise<boolean> {
  parseDigest(digest);
  try {
    parseRepoPath(from);
  } catch {
    return false; // not a repository name: a normal upload session instead
  }
  if (!(await r.caller.actionsOn(from)).has("pull")) return false;
  const source = await knownRepository(r.deps, from);
  return source !== undefined && (await mountBlob(r.deps.db, source.id, repositoryId, digest, r.deps.clock.now())) !== undefined;
}

export async function startBlobUpload(r: RegistryRequest): Promise<Response> {
  await requireAction(r.deps, r.c, r.caller, r.name, "push");
  const query = new URL(r.c.req.url).searchParams;
  const repo = await pushTarget(r.deps, r.actor, r.name);
  const mount = query.get("mount");
  const from = query.get("from");
  if (mount && from && (await tryMount(r, repo.id, mount, from))) return created(r.name, mount);
  const digest = query.get("digest");
  if (digest !== null && !mount) {
    const blob = await uploadWhole(r.deps, repo.id, digest, requestBody(r.c));
    return created(r.name, blob.digest);
  }
  return progress(r.name, await startUpload(r.deps, repo.id), 202);
}

async function sessionOf(r: RegistryRequest): Promise<Upload> {
  const repo = await existingRepository(r.deps, r.name).catch(() => {
    throw new DomainError("BLOB_UPLOAD_UNKNOWN", "blob upload unknown to registry", { uuid: r.param });
  });
  return findUpload(r.deps, repo.id, r.param);
}

export async function patchBlobUpload(r: RegistryRequest): Promise<Response> {
  await requireAction(r.deps, r.c, r.caller, r.name, "push");
  const upload = await sessionOf(r);
  const range = parseContentRange(r.c.req.header("content-range"));
  const length = r.c.req.header("content-length");
  if (range && length !== undefined && Number(length) !== range.end - range.start + 1) {
    throw new DomainError("RANGE_INVALID", "Content-Length does not match Content-Range");
  }
  const updated = await appendChunk(r.deps, upload, requestBody(r.c), range);
  return progress(r.name, updated, 202);
}

export async function putBlobUpload(r: RegistryRequest): Promise<Response> {
  await requireAction(r.deps, r.c, r.caller, r.name, "push");
  const upload = await sessionOf(r);
  const digest = new URL(r.c.req.url).searchParams.get("digest");
  if (!digest) throw new DomainError("DIGEST_INVALID", "digest parameter is required");
  parseDigest(digest);
  const range = parseContentRange(r.c.req.header("content-range"));
  let session = upload;
  if (range) session = await appendChunk(r.deps, upload, requestBody(r.c), range);
  const blob = await finishUpload(r.deps, session, digest, !range && hasBody(r.c) ? requestBody(r.c) : undefined);
  return created(r.name, blob.digest);
}

export async function getBlobUpload(r: RegistryRequest): Promise<Response> {
  await requireAction(r.deps, r.c, r.caller, r.name, "push");
  const upload = await sessionOf(r);
  return progress(r.name, upload, 204);
}

export async function deleteBlobUpload(r: RegistryRequest): Promise<Response> {
  await requireAction(r.deps, r.c, r.caller, r.name, "push");
  const upload = await sessionOf(r);
  await cancelUpload(r.deps, upload);
  return respond(204, {});
}

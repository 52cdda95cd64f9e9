// GET/HEAD/PUT/DELETE /v2/<name>/manifests/<reference>, reference being a tag or a digest.
import { MAX_MANIFEST_BYTES } from "../domain/content/manifest-formats.ts";
import { DomainError } from "../domain/errors.ts";
import { deleteManifest, getManifestCached, parseReference, pushManifest, type Reference } from "../domain/content/manifests.ts";
import { emitRepositoryEvent } from "../domain/notifications/delivery.ts";
import { queueManifestScan } from "../domain/scanning/indexing.ts";
import { repoPushData } from "../domain/notifications/events.ts";
import { requireAction } from "./auth.ts";
import { baseUrl } from "./deps.ts";
import { readLimited } from "./body.ts";
import type { ManifestBody } from "../domain/mirroring/proxy-pull.ts";
import type { Repository } from "../domain/repositories/repositories.ts";
import { proxiedManifestOf, proxyOf } from "./proxy.ts";
import { existingRepository, pushTarget } from "./repository.ts";
import { type RegistryRequest, respond } from "./request.ts";

/**
 * A reference that is neither a tag nor a digest names no manifest: reads and deletes answer
 * 404 MANIFEST_UNKNOWN, as the OCI spec and distribution do (clients probe with such names);
 * only a push rejects it as invalid.
 */
function storedReference(reference: string): Reference {
  try {
    return parseReference(reference);
  } catch (err) {
    if (err instanceof DomainError) throw new DomainError("MANIFEST_UNKNOWN", "manifest unknown to registry", { reference });
    throw err;
  }
}

export async function getManifestHandler(r: RegistryRequest): Promise<Response> {
  await requireAction(r.deps, r.c, r.caller, r.name, "pull");
  const proxy = await proxyOf(r);
  if (proxy) {
    const reference = storedReference(r.param);
    const proxied = await proxiedManifestOf(r, proxy, reference);
    return manifestResponse(r, proxied.repo, reference, proxied.manifest);
  }
  const repo = await existingRepository(r.deps, r.name);
  const reference = storedReference(r.param);
  return manifestResponse(r, repo, reference, await getManifestCached(r.deps, repo.id, reference));
}

function manifestResponse(r: RegistryRequest, repo: Repository, reference: Reference, manifest: ManifestBody): Response {
  r.deps.pulls.record(r.actor, { repo, tag: "tag" in reference ? reference.tag : undefined, digest: manifest.digest });
  const headers = {
    "Content-Type": manifest.mediaType,
    "Docker-Content-Digest": manifest.digest,
    "Content-Length": String(manifest.raw.byteLength),
    ETag: `"${manifest.digest}"`,
  };
  if (r.c.req.method === "HEAD") return respond(200, headers);
  return respond(200, headers, new Uint8Array(manifest.raw));
}

export async function putManifestHandler(r: RegistryRequest): Promise<Response> {
  await requireAction(r.deps, r.c, r.caller, r.name, "push");
  parseReference(r.param);
  const body = await readLimited(r.c, MAX_MANIFEST_BYTES);
  const repo = await pushTarget(r.deps, r.actor, r.name);
  const pushed = await pushManifest(r.deps, r.actor, repo, r.param, body, r.c.req.header("content-type"));
  const headers: Record<string, string> = {
    Location: `/v2/${r.name}/manifests/${pushed.digest}`,
    "Docker-Content-Digest": pushed.digest,
    "Content-Length": "0",
  };
  if (pushed.subjectDigest) headers["OCI-Subject"] = pushed.subjectDigest;
  // Like the event below: after the commit, not awaited, never failing the push.
  void queueManifestScan(r.deps, pushed.digest);
  if (pushed.tag !== undefined) {
    // After the push has committed, and not awaited: the answer never waits for notifications.
    const subject = { siteUrl: baseUrl(r.deps.config, r.c), namespace: repo.namespace, name: repo.name };
    void emitRepositoryEvent(r.deps, {
      repositoryId: repo.id,
      event: "repo_push",
      data: repoPushData(subject, { tags: [pushed.tag], digests: [pushed.digest] }),
      performer: r.actor.principal.kind === "user" ? r.actor.principal.username : undefined,
    });
  }
  return respond(201, headers);
}

export async function deleteManifestHandler(r: RegistryRequest): Promise<Response> {
  await requireAction(r.deps, r.c, r.caller, r.name, "delete");
  const repo = await existingRepository(r.deps, r.name);
  storedReference(r.param);
  await deleteManifest(r.deps, r.actor, repo, r.param);
  return respond(202, { "Content-Length": "0" });
}

// Pull-through for proxy organizations. A pull of `org/some/image:tag` that is not cached fetches
// the manifest upstream and answers it at once; its blobs are fetched when the client asks for
// them (streamed to the client while they are stored, digest-verified before they count) and,
// a moment later, whatever the client did not ask for, so the manifest can be stored (a manifest
// row needs its blobs and children) and later pulls are answered locally. A cached tag is asked
// about upstream (HEAD) only once its last check is older than the staleness window; an upstream
// that errors, is down or rate-limits is not needed while a cached copy exists.
import { PassThrough, type Readable } from "node:stream";
import { and, eq } from "drizzle-orm";
import { blobs, proxyTagChecks, repositories } from "../../../db/schema.ts";
import { writeAudit } from "../activity/audit.ts";
import type { Actor } from "../access/principal.ts";
import { findBlobInRepo, recordBlob } from "../content/blobs.ts";
import { hasher, parseDigest } from "../content/digests.ts";
import { findManifest, getManifestCached, pushManifest, type Reference } from "../content/manifests.ts";
import { setTagExpiration } from "../content/tags.ts";
import { uploadWhole } from "../content/uploads.ts";
import { DomainError } from "../errors.ts";
import { knownRepository } from "../repositories/cached-repositories.ts";
import type { Repository } from "../repositories/repositories.ts";
import type { Services } from "../services.ts";
import type { ProxyCacheConfig } from "./proxy-cache-configs.ts";
import { proxyClient, upstreamRepository } from "./proxy-upstreams.ts";
import { UpstreamError, type UpstreamManifest } from "./upstream-client.ts";

export interface ManifestBody {
  digest: string;
  mediaType: string;
  raw: Uint8Array;
}

/** The proxy's own writes: no person did them. */
const PROXY_ACTOR: Actor = { principal: { kind: "anonymous" } };
/** How long after answering a manifest the rest of its content is fetched (the client's own requests go first and stream). */
const COMPLETION_DELAY_MS = 1_000;

const nameInOrg = (repo: Pick<Repository, "name">) => repo.name;

/**
 * The cached repository `name` of a proxy organization, created on its first pull. Its record
 * comes from the content cache, as a local pull's does (every change to it drops it there).
 */
export async function proxyRepository(svc: Services, config: ProxyCacheConfig, actor: Actor, name: string): Promise<Repository> {
  const fullName = `${config.namespace}/${name}`;
  const existing = await knownRepository(svc, fullName);
  if (existing) return existing; // (a name that is no repository's name was refused by the lookup)
  await svc.db.transaction(async (tx) => {
    const created = await tx
      .insert(repositories)
      .values({ namespaceId: config.namespaceId, name, visibility: "private" })
      .onConflictDoNothing()
      .returning({ id: repositories.id });
    if (created[0]) {
      await writeAudit(tx, {
        kind: "create_repo",
        namespaceId: config.namespaceId,
        repositoryId: created[0].id,
        performerId: actor.principal.kind === "user" ? actor.principal.userId : null,
        ip: actor.ip ?? null,
        metadata: { repo: name, namespace: config.namespace, proxy_cache: config.upstreamRegistry },
      });
    }
  });
  return (await knownRepository(svc, fullName))!;
}

// ---- manifests ----------------------------------------------------------------------------

interface TagCheck {
  digest: string;
  checkedAt: number;
}

/** Last checks by repository and tag, per database (the table is read only on a miss). */
const checkMemo = new WeakMap<Services["db"], Map<string, TagCheck>>();
const MAX_MEMO = 10_000;

function memoOf(svc: Services): Map<string, TagCheck> {
  let memo = checkMemo.get(svc.db);
  if (!memo) checkMemo.set(svc.db, (memo = new Map()));
  return memo;
}

async function lastCheck(svc: Services, repositoryId: number, tag: string): Promise<TagCheck | undefined> {
  const memo = memoOf(svc);
  const key = `${repositoryId}:${tag}`;
  const known = memo.get(key);
  if (known) return known;
  const [row] = await svc.db
    .select()
    .from(proxyTagChecks)
    .where(and(eq(proxyTagChecks.repositoryId, repositoryId), eq(proxyTagChecks.tag, tag)));
  if (!row) return undefined;
  // Kept like this node's own checks: a newer one made meanwhile (here or elsewhere) only makes
  // this one look older than it is, so the tag is asked about upstream sooner, never later.
  const check = { digest: row.upstreamDigest, checkedAt: row.checkedAt.getTime() };
  if (!memo.has(key)) remember(memo, key, check);
  return check;
}

function remember(memo: Map<string, TagCheck>, key: string, check: TagCheck): void {
  if (memo.size >= MAX_MEMO) memo.clear();
  memo.set(key, check);
}

/** Records that the tag named `digest` upstream at `now`, and keeps the cached tag `expiration_s` longer. */
async function noteCheck(svc: Services, config: ProxyCacheConfig, repo: Repository, tag: string, digest: string): Promise<void> {
  const now = svc.clock.now();
  remember(memoOf(svc), `${repo.id}:${tag}`, { digest, checkedAt: now.getTime() });
  await svc.db
    .insert(proxyTagChecks)
    .values({ repositoryId: repo.id, tag, upstreamDigest: digest, checkedAt: now })
    .onConflictDoUpdate({ target: [proxyTagChecks.repositoryId, proxyTagChecks.tag], set: { upstreamDigest: digest, checkedAt: now } });
  await renewExpiry(svc, config, repo, tag);
}

async function renewExpiry(svc: Services, config: ProxyCacheConfig, repo: Repository, tag: string): Promise<void> {
  const now = svc.clock.now();
  if (await setTagExpiration(svc.db, repo.id, tag, new Date(now.getTime() + config.expirationS * 1000), now)) svc.cache.forgetContent(repo.id);
}

interface PendingManifest {
  manifest: UpstreamManifest;
  done: Promise<void>;
}

/**
 * Per database (each has its own blob store): manifests answered from upstream whose content is
 * still being stored, by repository and digest, and blobs being fetched, by digest (one fetch per
 * digest per process).
 */
const workOf = new WeakMap<Services["db"], { pending: Map<string, PendingManifest>; inFlight: Map<string, Promise<void>> }>();

function work(svc: Services) {
  let held = workOf.get(svc.db);
  if (!held) workOf.set(svc.db, (held = { pending: new Map(), inFlight: new Map() }));
  return held;
}

async function localManifest(svc: Services, repo: Repository, ref: Reference): Promise<ManifestBody | undefined> {
  try {
    return await getManifestCached(svc, repo.id, ref);
  } catch (err) {
    if (err instanceof DomainError && err.code === "MANIFEST_UNKNOWN") return undefined;
    throw err;
  }
}

const bodyOf = (m: UpstreamManifest): ManifestBody => ({ digest: m.digest, mediaType: m.mediaType, raw: m.bytes });

/**
 * The manifest `ref` names in proxy repository `repo`: cached, or fetched upstream. Upstream
 * failures (UpstreamError) reach the caller only when nothing cached can answer.
 */
export async function proxiedManifest(
  svc: Services,
  config: ProxyCacheConfig,
  repo: Repository,
  ref: Reference,
  /** Seconds a checked tag is served without asking upstream again. */
  stalenessS: number,
): Promise<ManifestBody> {
  // Asked for only when needed: a fresh cached tag is answered as a local pull is, from memory.
  const client = () => proxyClient(svc.db, config, svc.clock);
  const upstreamName = upstreamRepository(config, nameInOrg(repo));
  if ("digest" in ref) {
    const local = (await localManifest(svc, repo, ref)) ?? pendingBody(svc, repo, ref.digest);
    if (local) return local;
    const fetched = await (await client()).getManifest(upstreamName, ref.digest);
    void storeWhenComplete(svc, config, repo, fetched);
    return bodyOf(fetched);
  }
  const local = await localManifest(svc, repo, ref);
  const check = await lastCheck(svc, repo.id, ref.tag);
  const now = svc.clock.now().getTime();
  const fresh = check && now - check.checkedAt < stalenessS * 1000;
  if (local && fresh && check.digest === local.digest) return local;
  if (fresh) {
    const stillStoring = pendingBody(svc, repo, check.digest);
    if (stillStoring) return stillStoring;
  }
  let head;
  try {
    head = await (await client()).headManifest(upstreamName, ref.tag);
  } catch (err) {
    if (local && err instanceof UpstreamError) return local; // down, erroring or rate-limiting: the cached copy will do
    throw err;
  }
  if (!head) throw new UpstreamError("not_found", `${upstreamName}:${ref.tag}: not found upstream`, 404);
  if (local && head.digest === local.digest) {
    await noteCheck(svc, config, repo, ref.tag, head.digest);
    return local;
  }
  const stillPending = work(svc).pending.get(`${repo.id}:${head.digest}`);
  if (!stillPending) {
    const stored = await findManifest(svc.db, repo.id, { digest: head.digest }, svc.clock.now());
    if (stored) {
      // Retagged upstream to a manifest already stored here: only the tag moves.
      await pushManifest(svc, PROXY_ACTOR, repo, ref.tag, stored.raw, stored.mediaType);
      await noteCheck(svc, config, repo, ref.tag, head.digest);
      return stored;
    }
  }
  const fetched = stillPending?.manifest ?? (await (await client()).getManifest(upstreamName, head.digest));
  await noteCheck(svc, config, repo, ref.tag, fetched.digest);
  void storeWhenComplete(svc, config, repo, fetched, ref.tag);
  return bodyOf(fetched);
}

function pendingBody(svc: Services, repo: Repository, digest: string): ManifestBody | undefined {
  const entry = work(svc).pending.get(`${repo.id}:${digest}`);
  return entry && bodyOf(entry.manifest);
}

/**
 * Stores `manifest` (and points `tag` at it) at once if its blobs and children are here, else
 * once they are: after a short delay, every blob the client has not fetched meanwhile is fetched
 * (an index's children with theirs). A failure leaves it unstored; the next pull tries again.
 */
function storeWhenComplete(svc: Services, config: ProxyCacheConfig, repo: Repository, manifest: UpstreamManifest, tag?: string): Promise<void> {
  const key = `${repo.id}:${manifest.digest}`;
  const existing = work(svc).pending.get(key);
  if (existing) return existing.done.then(() => (tag ? storeManifest(svc, config, repo, manifest, tag).then(() => {}) : undefined));
  const done = (async () => {
    if (await storeManifest(svc, config, repo, manifest, tag)) return;
    await new Promise((resolve) => setTimeout(resolve, COMPLETION_DELAY_MS));
    await fetchContent(svc, config, repo, manifest);
    await storeManifest(svc, config, repo, manifest, tag);
  })()
    .catch(() => {})
    .finally(() => work(svc).pending.delete(key));
  work(svc).pending.set(key, { manifest, done });
  return done;
}

/** Pushes the manifest as the proxy; false when some of its content is not here yet. */
async function storeManifest(svc: Services, config: ProxyCacheConfig, repo: Repository, manifest: UpstreamManifest, tag?: string): Promise<boolean> {
  try {
    await pushManifest(svc, PROXY_ACTOR, repo, tag ?? manifest.digest, manifest.bytes, manifest.mediaType);
  } catch (err) {
    if (err instanceof DomainError && err.code === "MANIFEST_BLOB_UNKNOWN") return false;
    throw err;
  }
  if (tag) await renewExpiry(svc, config, repo, tag);
  return true;
}

interface ManifestReferences {
  blobs: string[];
  children: string[];
}

function referencesOf(manifest: UpstreamManifest): ManifestReferences {
  const doc = JSON.parse(new TextDecoder().decode(manifest.bytes)) as {
    config?: { digest?: string };
    layers?: { digest?: string; urls?: unknown }[];
    fsLayers?: { blobSum?: string }[];
    manifests?: { digest?: string }[];
  };
  const blobs = [
    doc.config?.digest,
    ...(doc.layers ?? []).filter((l) => !l.urls).map((l) => l.digest),
    ...(doc.fsLayers ?? []).map((l) => l.blobSum),
  ].filter((d): d is string => typeof d === "string");
  const children = (doc.manifests ?? []).map((m) => m.digest).filter((d): d is string => typeof d === "string");
  return { blobs: [...new Set(blobs)], children };
}

async function fetchContent(svc: Services, config: ProxyCacheConfig, repo: Repository, manifest: UpstreamManifest): Promise<void> {
  const { blobs: digests, children } = referencesOf(manifest);
  for (const digest of digests) await ensureBlob(svc, config, repo, digest);
  const client = await proxyClient(svc.db, config, svc.clock);
  for (const digest of children) {
    if (await findManifest(svc.db, repo.id, { digest }, svc.clock.now())) continue;
    const child = work(svc).pending.get(`${repo.id}:${digest}`)?.manifest ?? (await client.getManifest(upstreamRepository(config, nameInOrg(repo)), digest));
    await storeWhenComplete(svc, config, repo, child);
  }
}

// ---- blobs ----------------------------------------------------------------------------------

/** Links a blob whose bytes are already stored (for another repository) without fetching it. */
async function linkStored(svc: Services, repo: Repository, digest: string): Promise<boolean> {
  const [row] = await svc.db.select({ size: blobs.size }).from(blobs).where(eq(blobs.digest, digest));
  if (!row) return false;
  await recordBlob(svc.db, repo.id, { digest, size: Number(row.size) }, svc.clock.now());
  return true;
}

/** Makes `digest` a blob of `repo`, fetching it upstream unless it is stored already. */
export async function ensureBlob(svc: Services, config: ProxyCacheConfig, repo: Repository, digest: string): Promise<void> {
  if (await findBlobInRepo(svc.db, repo.id, digest)) return;
  const running = work(svc).inFlight.get(digest);
  if (running) await running.catch(() => {});
  if (await linkStored(svc, repo, digest)) return;
  const client = await proxyClient(svc.db, config, svc.clock);
  const upstream = await client.getBlob(upstreamRepository(config, nameInOrg(repo)), digest);
  await track(svc, digest, uploadWhole(svc, repo.id, digest, verified(upstream.stream, digest)).then(() => {}));
}

function track(svc: Services, digest: string, storing: Promise<void>): Promise<void> {
  const done = storing.finally(() => work(svc).inFlight.delete(digest));
  work(svc).inFlight.set(digest, done);
  return done;
}

/** The bytes as they come, failing at the end unless they hash to `digest`. */
async function* verified(stream: ReadableStream<Uint8Array>, digest: string, onChunk?: (chunk: Uint8Array, last: boolean) => Promise<void>): AsyncGenerator<Uint8Array> {
  const hash = hasher(parseDigest(digest).algorithm);
  let held: Uint8Array | undefined;
  const reader = stream.getReader();
  try {
    for (let next = await reader.read(); !next.done; next = await reader.read()) {
      hash.update(next.value);
      // One chunk is held back, so the client's last bytes wait for the digest check.
      if (held) {
        await onChunk?.(held, false);
        yield held;
      }
      held = next.value;
    }
  } finally {
    await reader.cancel().catch(() => {}); // a no-op once the stream has ended
  }
  const actual = `${parseDigest(digest).algorithm}:${hash.digest("hex")}`;
  if (actual !== digest) throw new UpstreamError("invalid", `the upstream blob's digest is ${actual}, not ${digest}`);
  if (held) {
    await onChunk?.(held, true);
    yield held;
  }
}

export type ProxiedBlob = { stored: true } | { stored: false; size: number | null; body: Readable };

/**
 * A blob of proxy repository `repo`: already here (or fetched by someone else meanwhile), or
 * fetched now and answered as it streams in while it is stored. A client that goes away does not
 * stop the storing.
 */
export async function proxiedBlob(
  svc: Services,
  config: ProxyCacheConfig,
  repo: Repository,
  digest: string,
  /** False: wait until the blob is stored (a HEAD, a range). */
  streamToClient: boolean,
): Promise<ProxiedBlob> {
  if (await findBlobInRepo(svc.db, repo.id, digest)) return { stored: true };
  if (!streamToClient) {
    await ensureBlob(svc, config, repo, digest);
    return { stored: true };
  }
  const running = work(svc).inFlight.get(digest);
  if (running) {
    await running.catch(() => {});
    await ensureBlob(svc, config, repo, digest);
    return { stored: true };
  }
  if (await linkStored(svc, repo, digest)) return { stored: true };
  const client = await proxyClient(svc.db, config, svc.clock);
  const upstream = await client.getBlob(upstreamRepository(config, nameInOrg(repo)), digest);
  const toClient = new PassThrough();
  let clientGone = false;
  toClient.on("close", () => (clientGone = true));
  toClient.on("error", () => (clientGone = true));
  const send = async (chunk: Uint8Array, last: boolean) => {
    if (clientGone) return;
    if (!toClient.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          toClient.off("drain", done).off("close", done);
          resolve();
        };
        toClient.on("drain", done).on("close", done);
      });
    }
    if (last) toClient.end();
  };
  const storing = uploadWhole(svc, repo.id, digest, verified(upstream.stream, digest, send)).then(() => {});
  void track(svc, digest, storing).catch((err: unknown) => toClient.destroy(err instanceof Error ? err : new Error(String(err))));
  // A blob of zero bytes has no chunk to end the stream with.
  void storing.then(() => toClient.writableEnded || toClient.end(), () => {});
  return { stored: false, size: upstream.size, body: toClient };
}

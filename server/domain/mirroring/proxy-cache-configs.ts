// Proxy cache organizations (Quay's PROXY_CACHE): an organization set to proxy an upstream
// registry, with its credentials sealed at rest. The registry asks "is this namespace a proxy?"
// on every request, so the few configurations are held in memory per database, read again in the
// background every 30 s (another node's change is seen within that) and at once after a change
// made here: a namespace that is not a proxy costs one map lookup.
import { eq } from "drizzle-orm";
import type { Db } from "../../../db/client.ts";
import { namespaces, organizationMirrors, proxyCacheConfigs } from "../../../db/schema.ts";
import { decryptPassword, encryptPassword } from "../../auth/encrypted-passwords.ts";
import { callbackUrlProblem } from "../activity/log-export.ts";
import { writeAudit, performedBy } from "../activity/audit.ts";
import type { Actor } from "../access/principal.ts";
import { DomainError } from "../errors.ts";

export interface ProxyCacheConfig {
  namespaceId: number;
  namespace: string;
  /** `host[:port][/path]`, as Quay stores it. */
  upstreamRegistry: string;
  usernameSealed: string | null;
  passwordSealed: string | null;
  /** Seconds a cached tag lives after it was last fetched or checked upstream. */
  expirationS: number;
  /** Plain http to the upstream. */
  insecure: boolean;
}

export interface NewProxyCacheConfig {
  upstreamRegistry: string;
  username?: string | null;
  password?: string | null;
  expirationS?: number;
  insecure?: boolean;
}

/** Quay's default lifetime of a cached tag: a day. */
export const DEFAULT_EXPIRATION_S = 86_400;
const REFRESH_MS = 30_000;

interface Snapshot {
  byName: Map<string, ProxyCacheConfig>;
  readAt: number;
  refreshing?: Promise<void>;
}

const snapshots = new WeakMap<Db, Snapshot>();

async function readAll(db: Db): Promise<Map<string, ProxyCacheConfig>> {
  const rows = await db
    .select({ config: proxyCacheConfigs, namespace: namespaces.name })
    .from(proxyCacheConfigs)
    .innerJoin(namespaces, eq(namespaces.id, proxyCacheConfigs.namespaceId));
  return new Map(rows.map(({ config, namespace }) => [namespace, { ...config, namespace }]));
}

async function refresh(db: Db, snapshot: Snapshot): Promise<void> {
  snapshot.refreshing ??= readAll(db)
    .then((byName) => {
      snapshot.byName = byName;
      snapshot.readAt = Date.now();
    })
    .finally(() => (snapshot.refreshing = undefined));
  return snapshot.refreshing;
}

/** Loads the configurations once for `db` (start-up, tests); later reads refresh themselves. */
export async function loadProxyCacheConfigs(db: Db): Promise<void> {
  const snapshot = snapshots.get(db) ?? { byName: new Map(), readAt: 0 };
  snapshots.set(db, snapshot);
  await refresh(db, snapshot);
}

/**
 * The proxy configuration of `namespace`, if it is a proxy organization. Synchronous once loaded
 * (a stale snapshot is answered while a fresh one is read); the first call for a database waits
 * for the read.
 */
export function proxyConfigOf(db: Db, namespace: string): ProxyCacheConfig | undefined | Promise<ProxyCacheConfig | undefined> {
  const snapshot = snapshots.get(db);
  if (!snapshot) return loadProxyCacheConfigs(db).then(() => snapshots.get(db)!.byName.get(namespace));
  if (Date.now() - snapshot.readAt > REFRESH_MS) void refresh(db, snapshot).catch(() => {});
  return snapshot.byName.get(namespace);
}

/** The proxy configuration of the namespace of `namespace/name`. */
export function proxyConfigOfRepository(db: Db, name: string): ReturnType<typeof proxyConfigOf> {
  const slash = name.indexOf("/");
  return proxyConfigOf(db, slash < 0 ? name : name.slice(0, slash));
}

export async function findProxyCacheConfig(db: Db, namespaceId: number): Promise<ProxyCacheConfig | undefined> {
  const [row] = await db
    .select({ config: proxyCacheConfigs, namespace: namespaces.name })
    .from(proxyCacheConfigs)
    .innerJoin(namespaces, eq(namespaces.id, proxyCacheConfigs.namespaceId))
    .where(eq(proxyCacheConfigs.namespaceId, namespaceId));
  return row && { ...row.config, namespace: row.namespace };
}

/** `host[:port][/path]` without a scheme, as Quay's field takes it. */
const UPSTREAM = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d{1,5})?(\/[a-z0-9]+([._\/-][a-z0-9]+)*)?$/i;

/** The URL of the upstream's API root (`/v2/` lives under its host). */
export const upstreamBaseUrl = (config: Pick<ProxyCacheConfig, "upstreamRegistry" | "insecure">) =>
  `${config.insecure ? "http" : "https"}://${config.upstreamRegistry.split("/")[0]}`;

/** The field of a configuration a refusal is about (each door shows the message there). */
export type ProxyCacheField = "upstream_registry" | "expiration_s";

const refusal = (message: string, field?: ProxyCacheField) => new DomainError("INVALID_REQUEST", message, field && { field });

/** The field `err` (a refusal of this module's) is about; undefined: the whole configuration. */
export const proxyCacheFieldOf = (err: DomainError): ProxyCacheField | undefined => (err.detail as { field?: ProxyCacheField } | undefined)?.field;

/**
 * A configuration as typed in either door, checked: a scheme and trailing slashes dropped, the
 * lifetime at least a minute, the upstream well formed and passing the SSRF rule of every
 * outgoing request.
 */
export async function checkedProxyCacheInput(typed: NewProxyCacheConfig, allowedHosts: readonly string[]): Promise<NewProxyCacheConfig> {
  if (typed.expirationS !== undefined && typed.expirationS < 60) throw refusal("expiration_s must be at least 60 seconds", "expiration_s");
  const input = { ...typed, upstreamRegistry: typed.upstreamRegistry.trim().replace(/^https?:\/\//i, "").replace(/\/+$/, "") };
  if (!UPSTREAM.test(input.upstreamRegistry)) throw refusal("Invalid upstream registry", "upstream_registry");
  if ((await callbackUrlProblem(upstreamBaseUrl({ upstreamRegistry: input.upstreamRegistry, insecure: input.insecure ?? false }), allowedHosts)) !== null) {
    throw refusal("The provided registry URL is not allowed", "upstream_registry");
  }
  return input;
}

export async function createProxyCacheConfig(
  db: Db,
  actor: Actor,
  namespaceId: number,
  typed: NewProxyCacheConfig,
  allowedHosts: readonly string[],
): Promise<void> {
  if (await findProxyCacheConfig(db, namespaceId)) throw new DomainError("INVALID_REQUEST", "Proxy Cache Configuration already exists");
  const input = await checkedProxyCacheInput(typed, allowedHosts);
  const [mirrored] = await db.select({ id: organizationMirrors.namespaceId }).from(organizationMirrors).where(eq(organizationMirrors.namespaceId, namespaceId));
  if (mirrored) throw new DomainError("INVALID_REQUEST", "Cannot create a proxy cache configuration for a mirrored organization");
  const usernameSealed = input.username ? await encryptPassword(db, input.username) : null;
  const passwordSealed = input.password ? await encryptPassword(db, input.password) : null;
  await db.transaction(async (tx) => {
    const inserted = await tx
      .insert(proxyCacheConfigs)
      .values({
        namespaceId,
        upstreamRegistry: input.upstreamRegistry,
        usernameSealed,
        passwordSealed,
        expirationS: input.expirationS ?? DEFAULT_EXPIRATION_S,
        insecure: input.insecure ?? false,
      })
      .onConflictDoNothing()
      .returning({ id: proxyCacheConfigs.namespaceId });
    if (inserted.length === 0) throw new DomainError("INVALID_REQUEST", "Proxy Cache Configuration already exists");
    await writeAudit(tx, {
      kind: "create_proxy_cache_config",
      namespaceId,
      ...performedBy(actor),
      metadata: { upstream_registry: input.upstreamRegistry, expiration_s: input.expirationS ?? DEFAULT_EXPIRATION_S },
    });
  });
  await loadProxyCacheConfigs(db);
}

export async function deleteProxyCacheConfig(db: Db, actor: Actor, namespaceId: number): Promise<void> {
  await db.transaction(async (tx) => {
    const deleted = await tx
      .delete(proxyCacheConfigs)
      .where(eq(proxyCacheConfigs.namespaceId, namespaceId))
      .returning({ upstream: proxyCacheConfigs.upstreamRegistry });
    if (deleted.length === 0) throw new DomainError("NOT_FOUND", "Proxy Cache Configuration not found");
    await writeAudit(tx, {
      kind: "delete_proxy_cache_config",
      namespaceId,
      ...performedBy(actor),
      metadata: { upstream_registry: deleted[0]!.upstream },
    });
  });
  await loadProxyCacheConfigs(db);
}

/** The upstream credentials in the clear, or undefined for anonymous access. */
export async function proxyCredentials(
  db: Db,
  config: Pick<ProxyCacheConfig, "usernameSealed" | "passwordSealed">,
): Promise<{ username: string; password: string } | undefined> {
  if (!config.usernameSealed || !config.passwordSealed) return undefined;
  const [username, password] = await Promise.all([decryptPassword(db, config.usernameSealed), decryptPassword(db, config.passwordSealed)]);
  return username !== null && password !== null ? { username, password } : undefined;
}

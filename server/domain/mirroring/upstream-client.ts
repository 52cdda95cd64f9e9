// A client of another registry's OCI distribution API (the upstream of a mirror or a proxy cache):
// ping, Basic and Bearer token auth, tag lists with Link paging, manifests, blob streams.
// Every failure is an UpstreamError whose `kind` says what to do about it (retry later, give up,
// serve the cached copy).
import type { Dispatcher } from "undici";
import { digestOf, looksLikeDigest, parseDigest } from "../content/digests.ts";
import { MANIFEST_MEDIA_TYPES, MAX_MANIFEST_BYTES } from "../content/manifest-formats.ts";
import { systemClock, type Clock } from "../clock.ts";

export type UpstreamErrorKind =
  /** Credentials missing or refused. */
  | "unauthorized"
  /** Credentials accepted but this repository or action is not theirs. */
  | "denied"
  | "not_found"
  /** 429: `retryAfterS` when the upstream said. */
  | "rate_limited"
  /** A 5xx (or any other status we cannot use). */
  | "server"
  /** No answer: refused connection, DNS, TLS. */
  | "network"
  | "timeout"
  /** An answer that breaks the protocol: wrong digest, unreadable JSON, oversized manifest. */
  | "invalid";

export class UpstreamError extends Error {
  constructor(
    readonly kind: UpstreamErrorKind,
    message: string,
    readonly status?: number,
    readonly retryAfterS?: number,
  ) {
    super(message);
    this.name = "UpstreamError";
  }
}

export interface UpstreamProxy {
  httpProxy?: string | null;
  httpsProxy?: string | null;
  noProxy?: string | null;
}

export interface UpstreamOptions {
  /** `host[:port]`, optionally with `http://` or `https://` (Docker Hub's `docker.io` is understood). */
  registry: string;
  username?: string | null;
  password?: string | null;
  /** false: certificates are not checked, and a registry that does not speak TLS is reached over http. */
  verifyTls?: boolean;
  proxy?: UpstreamProxy | null;
  /** Until an answer's headers arrive, and between two chunks of a body (default 30 s). */
  timeoutMs?: number;
  clock?: Clock;
}

export interface UpstreamManifest {
  digest: string;
  mediaType: string;
  bytes: Uint8Array;
}

export interface UpstreamManifestHead {
  digest: string;
  mediaType: string;
  size: number;
}

export interface UpstreamBlob {
  /** The bytes as they come (not yet verified: the reader hashes them as it stores them). */
  stream: ReadableStream<Uint8Array>;
  size: number | null;
}

/** Every manifest media type we store, so the upstream never down-converts to schema 1. */
const MANIFEST_ACCEPT = [...MANIFEST_MEDIA_TYPES].join(", ");
const DEFAULT_TIMEOUT_MS = 30_000;
/** A token is dropped this long before its stated expiry (a request takes time to arrive). */
const TOKEN_MARGIN_MS = 5_000;
/** Registries that give no `expires_in` mean 60 s (the token spec's default). */
const DEFAULT_TOKEN_S = 60;

interface Challenge {
  scheme: "basic" | "bearer";
  params: Record<string, string>;
}

/** Parses `Bearer realm="…",service="…",scope="…"` (or Basic …) from a WWW-Authenticate header. */
export function parseChallenge(header: string | null): Challenge | null {
  if (!header) return null;
  const match = /^\s*(\w+)\s*(.*)$/s.exec(header);
  if (!match) return null;
  const scheme = match[1]!.toLowerCase();
  if (scheme !== "basic" && scheme !== "bearer") return null;
  const params: Record<string, string> = {};
  for (const p of match[2]!.matchAll(/([\w-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g)) {
    params[p[1]!.toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, "$1") : p[3]!;
  }
  return { scheme, params };
}

/** The next page's URL from a `Link: <…>; rel="next"` header, resolved against the request's. */
export function nextLink(header: string | null, base: string): string | null {
  if (!header) return null;
  for (const part of header.split(/,(?=\s*<)/)) {
    const m = /<([^>]*)>\s*;(.*)$/s.exec(part.trim());
    if (m && /rel\s*=\s*"?next"?/i.test(m[2]!)) return new URL(m[1]!, base).toString();
  }
  return null;
}

const isLoopback = (host: string) => /^(127\.|localhost$|\[?::1\]?$)/i.test(host);

/** Docker Hub's name for people is docker.io; its API lives elsewhere. */
const apiHost = (host: string) => (host === "docker.io" || host === "index.docker.io" ? "registry-1.docker.io" : host);

const basicHeader = (username: string, password: string) =>
  `Basic ${btoa(String.fromCharCode(...new TextEncoder().encode(`${username}:${password}`)))}`;

function retryAfterSeconds(header: string | null, now: Date): number | undefined {
  if (!header) return undefined;
  const s = Number(header);
  if (Number.isFinite(s)) return Math.max(0, s);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now.getTime()) / 1000));
}

function statusError(res: Response, what: string, now: Date): UpstreamError {
  const s = res.status;
  if (s === 401) return new UpstreamError("unauthorized", `${what}: the upstream registry refused the credentials`, s);
  if (s === 403) return new UpstreamError("denied", `${what}: access denied by the upstream registry`, s);
  if (s === 404) return new UpstreamError("not_found", `${what}: not found upstream`, s);
  if (s === 429) {
    return new UpstreamError("rate_limited", `${what}: rate limited by the upstream registry`, s, retryAfterSeconds(res.headers.get("retry-after"), now));
  }
  return new UpstreamError("server", `${what}: the upstream registry answered ${s}`, s);
}

/** A connection that ignores certificates and/or goes through a proxy; undici's fetch only takes those as a Dispatcher. */
async function makeDispatcher(verifyTls: boolean, proxy: UpstreamProxy | null | undefined): Promise<Dispatcher | undefined> {
  const httpProxy = proxy?.httpProxy || undefined;
  const httpsProxy = proxy?.httpsProxy || undefined;
  if (verifyTls && !httpProxy && !httpsProxy) return undefined;
  const undici = await import("undici");
  const tls = { rejectUnauthorized: verifyTls };
  if (!httpProxy && !httpsProxy) return new undici.Agent({ connect: tls });
  // EnvHttpProxyAgent picks the proxy by the target's scheme and honours no_proxy; the options
  // given here take the place of the environment's.
  return new undici.EnvHttpProxyAgent({
    httpProxy: httpProxy ?? "",
    httpsProxy: httpsProxy ?? "",
    noProxy: proxy?.noProxy ?? "",
    connect: tls,
    requestTls: tls,
  });
}

/**
 * Wraps a body so that a stall of `timeoutMs` between chunks errors it (a timeout for the whole
 * transfer would cut large layers on slow links).
 */
function idleTimeout(body: ReadableStream<Uint8Array>, timeoutMs: number, abort: () => void): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const stalled = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          abort();
          reject(new UpstreamError("timeout", `no data from the upstream registry for ${timeoutMs / 1000} s`));
        }, timeoutMs);
      });
      try {
        const { done, value } = await Promise.race([reader.read(), stalled]);
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (err) {
        controller.error(err instanceof UpstreamError ? err : new UpstreamError("network", `reading from the upstream registry failed: ${(err as Error).message}`));
      } finally {
        clearTimeout(timer);
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}

export class UpstreamClient {
  private readonly host: string;
  private readonly scheme: "https" | "http" | null;
  private readonly verifyTls: boolean;
  private readonly timeoutMs: number;
  private readonly clock: Clock;
  private readonly dispatcher: Promise<Dispatcher | undefined>;
  private base: Promise<string> | null = null;
  /** Learnt from the first challenge, so later requests carry credentials at once. */
  private challenge: Challenge | null = null;
  private readonly tokens = new Map<string, { token: string; until: number }>();
  /** Requests made (for tests and the bench: how many went upstream). */
  requests = 0;

  constructor(private readonly options: UpstreamOptions) {
    const m = /^(https?):\/\/(.*)$/i.exec(options.registry.trim());
    this.scheme = m ? (m[1]!.toLowerCase() as "http" | "https") : null;
    this.host = apiHost((m ? m[2]! : options.registry.trim()).replace(/\/+$/, "").toLowerCase());
    this.verifyTls = options.verifyTls ?? true;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.clock = options.clock ?? systemClock;
    this.dispatcher = makeDispatcher(this.verifyTls, options.proxy);
  }

  /** Checks the registry answers and accepts the credentials (for Bearer: that a token is granted). */
  async ping(): Promise<void> {
    const res = await this.request("/v2/", { method: "GET" }, null, "ping");
    await res.body?.cancel();
  }

  /** Every tag of `repository`, following the Link header's pages. */
  listTags(repository: string): Promise<string[]> {
    return this.pagedList(`/v2/${repository}/tags/list?n=1000`, "tags", repository, `tags of ${repository}`);
  }

  /** Every repository name in the registry's catalog (`/v2/_catalog`, Link paging). */
  listCatalog(): Promise<string[]> {
    return this.pagedList("/v2/_catalog?n=1000", "repositories", null, "the catalog", "registry:catalog:*");
  }

  /** JSON from the registry's own API (Harbor's, Quay's), with Basic credentials when held. */
  async apiJson(path: string, what: string): Promise<unknown> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (this.hasCredentials()) headers.authorization = basicHeader(this.options.username!, this.options.password ?? "");
    const res = await this.send((await this.baseUrl()) + path, { method: "GET", headers });
    if (!res.ok) {
      await res.body?.cancel();
      throw statusError(res, what, this.clock.now());
    }
    return this.readJson(res);
  }

  /** The strings of `key` in every page of a list, following the Link header. */
  private async pagedList(first: string, key: string, repository: string | null, what: string, scope?: string): Promise<string[]> {
    const items: string[] = [];
    let path: string | null = first;
    while (path) {
      const res = await this.request(path, { method: "GET" }, repository, what, scope);
      const list = ((await this.readJson(res)) as Record<string, unknown>)[key];
      if (list !== null && list !== undefined && !Array.isArray(list)) throw new UpstreamError("invalid", `the upstream's ${what} is not a list`);
      for (const item of (list as unknown[] | null | undefined) ?? []) if (typeof item === "string") items.push(item);
      const next = nextLink(res.headers.get("link"), res.url || (await this.baseUrl()));
      path = next ? this.pathOf(next, await this.baseUrl()) : null;
    }
    return items;
  }

  /** The manifest `reference` (tag or digest) names; its digest checked against the bytes. */
  async getManifest(repository: string, reference: string): Promise<UpstreamManifest> {
    const res = await this.request(`/v2/${repository}/manifests/${reference}`, { method: "GET", headers: { accept: MANIFEST_ACCEPT } }, repository, `manifest ${repository}:${reference}`);
    const declared = Number(res.headers.get("content-length") ?? "0");
    if (declared > MAX_MANIFEST_BYTES) {
      await res.body?.cancel();
      throw new UpstreamError("invalid", `the upstream manifest is larger than ${MAX_MANIFEST_BYTES} bytes`);
    }
    const bytes = new Uint8Array(await this.readBody(res));
    if (bytes.byteLength > MAX_MANIFEST_BYTES) throw new UpstreamError("invalid", `the upstream manifest is larger than ${MAX_MANIFEST_BYTES} bytes`);
    const expected = looksLikeDigest(reference) ? reference : res.headers.get("docker-content-digest");
    const algorithm = expected && looksLikeDigest(expected) ? parseDigest(expected).algorithm : "sha256";
    const digest = digestOf(bytes, algorithm);
    if (expected && looksLikeDigest(expected) && expected !== digest) {
      throw new UpstreamError("invalid", `the upstream manifest's digest is ${digest}, not ${expected}`);
    }
    const mediaType = (res.headers.get("content-type") ?? "").split(";")[0]!.trim() || this.mediaTypeOf(bytes);
    return { digest, mediaType, bytes };
  }

  /** The digest, type and size of `reference` without its body; null when it is not there. */
  async headManifest(repository: string, reference: string): Promise<UpstreamManifestHead | null> {
    try {
      const res = await this.request(`/v2/${repository}/manifests/${reference}`, { method: "HEAD", headers: { accept: MANIFEST_ACCEPT } }, repository, `manifest ${repository}:${reference}`);
      const digest = res.headers.get("docker-content-digest") ?? (looksLikeDigest(reference) ? reference : null);
      // A registry that gives no digest on HEAD leaves GET as the only way to know it.
      if (!digest) return this.getManifest(repository, reference).then((m) => ({ digest: m.digest, mediaType: m.mediaType, size: m.bytes.byteLength }));
      return {
        digest,
        mediaType: (res.headers.get("content-type") ?? "").split(";")[0]!.trim(),
        size: Number(res.headers.get("content-length") ?? "0"),
      };
    } catch (err) {
      if (err instanceof UpstreamError && err.kind === "not_found") return null;
      throw err;
    }
  }

  /** The blob's bytes as a stream (redirects to storage followed); the caller verifies the digest. */
  async getBlob(repository: string, digest: string): Promise<UpstreamBlob> {
    const res = await this.request(`/v2/${repository}/blobs/${digest}`, { method: "GET" }, repository, `blob ${digest}`);
    const length = res.headers.get("content-length");
    return { stream: res.body!, size: length === null ? null : Number(length) };
  }

  private mediaTypeOf(bytes: Uint8Array): string {
    try {
      const parsed = JSON.parse(new TextDecoder().decode(bytes)) as { mediaType?: unknown };
      return typeof parsed.mediaType === "string" ? parsed.mediaType : "application/vnd.oci.image.manifest.v1+json";
    } catch {
      throw new UpstreamError("invalid", "the upstream manifest is not JSON");
    }
  }

  private pathOf(url: string, base: string): string {
    if (!url.startsWith(base)) throw new UpstreamError("invalid", "the upstream's next page points to another host");
    return url.slice(base.length);
  }

  private async readBody(res: Response): Promise<ArrayBuffer> {
    try {
      return await res.arrayBuffer();
    } catch (err) {
      throw err instanceof UpstreamError ? err : new UpstreamError("network", `reading from the upstream registry failed: ${(err as Error).message}`);
    }
  }

  private async readJson(res: Response): Promise<unknown> {
    const text = new TextDecoder().decode(await this.readBody(res));
    try {
      return JSON.parse(text);
    } catch {
      throw new UpstreamError("invalid", "the upstream registry's answer is not JSON");
    }
  }

  /** https, unless the registry says http, or does not speak TLS and may be reached without it. */
  private baseUrl(): Promise<string> {
    this.base ??= (async () => {
      if (this.scheme) return `${this.scheme}://${this.host}`;
      const https = `https://${this.host}`;
      if (this.verifyTls && !isLoopback(this.host)) return https;
      try {
        const res = await this.send(`${https}/v2/`, { method: "GET" });
        await res.body?.cancel();
        return https;
      } catch (err) {
        if (err instanceof UpstreamError && err.kind === "network") return `http://${this.host}`;
        throw err;
      }
    })();
    const pending = this.base;
    pending.catch(() => {
      if (this.base === pending) this.base = null;
    });
    return pending;
  }

  /** One fetch with the header timeout, its body with the idle timeout. */
  private async send(url: string, init: RequestInit): Promise<Response> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    const dispatcher = await this.dispatcher;
    this.requests++;
    let res: Response;
    try {
      res = dispatcher
        ? ((await (await import("undici")).fetch(url, { ...(init as object), dispatcher, signal: controller.signal })) as unknown as Response)
        : await fetch(url, { ...init, signal: controller.signal });
    } catch (err) {
      if (controller.signal.aborted) throw new UpstreamError("timeout", `the upstream registry did not answer within ${this.timeoutMs / 1000} s`);
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new UpstreamError("network", `cannot reach the upstream registry: ${cause?.code ?? cause?.message ?? (err as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
    if (!res.body) return res;
    const body = idleTimeout(res.body, this.timeoutMs, () => controller.abort());
    return Object.defineProperties(new Response(body, { status: res.status, headers: res.headers }), {
      url: { value: res.url },
    });
  }

  /** A request with whatever auth the registry asks for; anything but 2xx becomes an UpstreamError. */
  private async request(path: string, init: RequestInit, repository: string | null, what: string, scope = repository ? `repository:${repository}:pull` : ""): Promise<Response> {
    const base = await this.baseUrl();
    for (let attempt = 0; ; attempt++) {
      const headers = new Headers(init.headers);
      const auth = await this.authorization(scope);
      if (auth) headers.set("authorization", auth);
      const res = await this.send(base + path, { ...init, headers });
      if (res.ok) return res;
      await res.body?.cancel();
      const challenge = res.status === 401 ? parseChallenge(res.headers.get("www-authenticate")) : null;
      // One retry after learning (or renewing) how to authenticate; a second 401 is a refusal.
      if (challenge && attempt === 0) {
        this.challenge = challenge;
        this.tokens.delete(this.tokenKey(challenge, scope));
        if (challenge.scheme === "basic" && !this.hasCredentials()) throw statusError(res, what, this.clock.now());
        continue;
      }
      throw statusError(res, what, this.clock.now());
    }
  }

  private hasCredentials(): boolean {
    return Boolean(this.options.username);
  }

  private tokenKey(challenge: Challenge, scope: string): string {
    return `${challenge.params.realm ?? ""} ${challenge.params.service ?? ""} ${scope || challenge.params.scope || ""}`;
  }

  private async authorization(scope: string): Promise<string | null> {
    const c = this.challenge;
    if (!c) return null;
    if (c.scheme === "basic") return this.hasCredentials() ? basicHeader(this.options.username!, this.options.password ?? "") : null;
    const key = this.tokenKey(c, scope);
    const held = this.tokens.get(key);
    if (held && held.until > this.clock.now().getTime()) return `Bearer ${held.token}`;
    const token = await this.fetchToken(c, scope || c.params.scope || "");
    this.tokens.set(key, token);
    return `Bearer ${token.token}`;
  }

  /** The token flow of the distribution spec: GET realm?service&scope, with Basic credentials when we hold some. */
  private async fetchToken(c: Challenge, scope: string): Promise<{ token: string; until: number }> {
    if (!c.params.realm) throw new UpstreamError("invalid", "the upstream's Bearer challenge names no realm");
    let realm: URL;
    try {
      realm = new URL(c.params.realm);
    } catch {
      throw new UpstreamError("invalid", "the upstream's token realm is not a URL");
    }
    if (c.params.service) realm.searchParams.set("service", c.params.service);
    if (scope) realm.searchParams.set("scope", scope);
    const headers: Record<string, string> = {};
    if (this.hasCredentials()) headers.authorization = basicHeader(this.options.username!, this.options.password ?? "");
    const res = await this.send(realm.toString(), { method: "GET", headers });
    if (!res.ok) {
      await res.body?.cancel();
      throw statusError(res, "token", this.clock.now());
    }
    const body = (await this.readJson(res)) as { token?: unknown; access_token?: unknown; expires_in?: unknown; issued_at?: unknown };
    const token = typeof body.token === "string" ? body.token : typeof body.access_token === "string" ? body.access_token : null;
    if (!token) throw new UpstreamError("invalid", "the upstream's token answer holds no token");
    const lifetimeS = typeof body.expires_in === "number" && body.expires_in > 0 ? body.expires_in : DEFAULT_TOKEN_S;
    const issued = typeof body.issued_at === "string" && !Number.isNaN(Date.parse(body.issued_at)) ? Date.parse(body.issued_at) : this.clock.now().getTime();
    return { token, until: Math.min(issued, this.clock.now().getTime()) + lifetimeS * 1000 - TOKEN_MARGIN_MS };
  }
}

/** `host[:port]/path/to/repo` of Quay's external_reference, split; null when it names no repository. */
export function splitReference(reference: string): { registry: string; repository: string } | null {
  const text = reference.trim().replace(/^https?:\/\//i, "");
  const slash = text.indexOf("/");
  if (slash <= 0 || slash === text.length - 1) return null;
  const registry = text.slice(0, slash);
  const repository = text.slice(slash + 1).replace(/\/+$/, "");
  if (!/^[a-z0-9._-]+(:\d+)?$/i.test(registry) || !/^[a-z0-9]+([._-]+[a-z0-9]+)*(\/[a-z0-9]+([._-]+[a-z0-9]+)*)*$/.test(repository)) return null;
  return { registry, repository };
}

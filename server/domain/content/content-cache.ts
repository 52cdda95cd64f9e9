// Hot registry reads served from memory: repositories by name, manifests by tag or digest, each
// repository's tag names, and each principal's catalog, each kind within a budget of bytes or
// entries.
// Database triggers NOTIFY every node of each change to a repository, its tags or manifests
// (after commit); this process also drops its own entries at once when it writes, so a client
// reads its own pushes. Entries also age out, in case a notification is ever lost.
import type postgres from "postgres";
import { ManifestCache } from "./manifest-cache.ts";
import type { StoredManifest } from "./manifests.ts";
import type { Repository } from "../repositories/repositories.ts";

const CHANNEL = "quayside_content";
const TTL_MS = 30_000;
const MAX_REPOSITORIES = 5_000;
/** Bytes of tag names kept across all repositories (a short name costs ~40: about 400 000). */
const TAG_NAMES_BUDGET = 16 * 1024 * 1024;
/** Bytes of repository names kept in catalogs across all principals. */
const CATALOG_NAMES_BUDGET = 8 * 1024 * 1024;
/** Rough bytes a listed name costs beyond its characters (string header, array slot). */
const NAME_OVERHEAD = 32;

interface Entry<T> {
  value: T;
  until: number;
}

/** Sorted name lists (null: too long to keep) within a budget of bytes held in all. */
class NameLists<K> {
  private readonly lists = new Map<K, Entry<string[] | null> & { bytes: number }>();
  private held = 0;

  constructor(private readonly budget: number) {}

  get(key: K): string[] | null | undefined {
    const entry = this.lists.get(key);
    if (!entry) return undefined;
    if (entry.until > Date.now()) return entry.value;
    this.drop(key);
    return undefined;
  }

  set(key: K, names: string[] | null): void {
    this.drop(key);
    let bytes = 0;
    for (const name of names ?? []) bytes += name.length + NAME_OVERHEAD;
    if (bytes > this.budget) [names, bytes] = [null, 0]; // served from the database, page by page
    if (this.lists.size >= MAX_REPOSITORIES || this.held + bytes > this.budget) this.clear();
    this.lists.set(key, { value: names, until: Date.now() + TTL_MS, bytes });
    this.held += bytes;
  }

  drop(key: K): void {
    this.held -= this.lists.get(key)?.bytes ?? 0;
    this.lists.delete(key);
  }

  clear(): void {
    this.lists.clear();
    this.held = 0;
  }
}

export class ContentCache {
  /**
   * Bumped by every invalidation. A reader notes it before going to the database and only
   * stores what it read if nothing changed meanwhile, so a slow read cannot re-cache old data.
   */
  private generation = 0;
  private readonly repositories = new Map<string, Entry<Repository>>();
  private readonly manifests: ManifestCache;
  /** Each repository's live tag names, sorted. */
  private readonly tagNameLists = new NameLists<number>(TAG_NAMES_BUDGET);
  /** Catalogs: the repository names a principal may see, sorted, by principal. */
  private readonly catalogs = new NameLists<string>(CATALOG_NAMES_BUDGET);
  /**
   * The earliest expiry (ms) of a live tag behind what is held of each repository: once the
   * clock passes it, that repository's tags and manifests are dropped, so no expired tag is
   * served (expiry changes no row, so no notification tells of it).
   */
  private readonly expiries = new Map<number, number>();

  /** @param manifestBudget bytes of manifests held at most */
  constructor(manifestBudget: number) {
    this.manifests = new ManifestCache(manifestBudget, TTL_MS);
  }

  /** Subscribes to change notifications; resolves once listening. */
  async listen(sql: postgres.Sql): Promise<void> {
    await sql.listen(CHANNEL, (payload) => this.onNotification(payload), () => this.clear());
  }

  /**
   * `repository:<id>` (the repository row or its grants changed), `content:<id>` (its tags or
   * manifests) or `namespace:<id>` (the namespace's teams or their members changed).
   */
  private onNotification(payload: string): void {
    const [kind, id] = payload.split(":");
    if (kind === "content") this.forgetContent(Number(id));
    else if (kind === "repository") this.forget(Number(id));
    else if (kind === "namespace") this.forgetNamespace(Number(id));
    else this.clear(); // a node of another version: play safe
  }

  get version(): number {
    return this.generation;
  }

  repository(fullName: string): Repository | undefined {
    return this.fresh(this.repositories, fullName);
  }

  rememberRepository(fullName: string, repository: Repository, readAt: number): void {
    if (readAt !== this.generation) return;
    if (this.repositories.size >= MAX_REPOSITORIES) this.repositories.clear();
    this.repositories.set(fullName, { value: repository, until: Date.now() + TTL_MS });
  }

  manifest(repositoryId: number, reference: string): StoredManifest | undefined {
    return this.manifests.get(repositoryId, reference);
  }

  /**
   * Remembers a manifest under `reference` (`tag:<name>` or its digest) and under its digest;
   * `expiresAt` is when the tag that led to it expires.
   */
  rememberManifest(repositoryId: number, reference: string, manifest: StoredManifest, readAt: number, expiresAt: Date | null = null): void {
    if (readAt !== this.generation) return;
    this.noteExpiry(repositoryId, expiresAt);
    this.manifests.set(repositoryId, reference, manifest);
  }

  /** Bytes of manifests held (within the budget given at construction). */
  get manifestBytes(): number {
    return this.manifests.bytes;
  }

  tagNames(repositoryId: number): string[] | null | undefined {
    return this.tagNameLists.get(repositoryId);
  }

  /** `firstExpiry`: when the first of these tags expires. */
  rememberTagNames(repositoryId: number, names: string[] | null, readAt: number, firstExpiry: Date | null = null): void {
    if (readAt !== this.generation) return;
    this.noteExpiry(repositoryId, firstExpiry);
    this.tagNameLists.set(repositoryId, names);
  }

  /** Drops what is held of a repository's content once a tag behind it has expired at `now`. */
  dropExpired(repositoryId: number, now: Date): void {
    const due = this.expiries.get(repositoryId);
    if (due !== undefined && due <= now.getTime()) this.forgetContent(repositoryId);
  }

  private noteExpiry(repositoryId: number, at: Date | null): void {
    if (at === null) return;
    const due = this.expiries.get(repositoryId);
    if (due !== undefined && due <= at.getTime()) return;
    if (due === undefined && this.expiries.size >= MAX_REPOSITORIES) this.clear(); // keeps the map bounded
    this.expiries.set(repositoryId, at.getTime());
  }

  catalog(principalKey: string): string[] | null | undefined {
    return this.catalogs.get(principalKey);
  }

  rememberCatalog(principalKey: string, names: string[] | null, readAt: number): void {
    if (readAt === this.generation) this.catalogs.set(principalKey, names);
  }

  /** Drops what is cached of a repository's tags and manifests (after a push or delete). */
  forgetContent(repositoryId: number): void {
    this.generation++;
    this.manifests.forgetRepository(repositoryId);
    this.tagNameLists.drop(repositoryId);
    this.expiries.delete(repositoryId);
  }

  /** Drops everything known about one repository, its record included. */
  forget(repositoryId: number): void {
    this.forgetContent(repositoryId);
    this.catalogs.clear(); // a repository appeared, went, or changed who may see it
    for (const [name, entry] of this.repositories) if (entry.value.id === repositoryId) this.repositories.delete(name);
  }

  /**
   * Drops the records of a namespace's repositories (and the roles memoised on them) and every
   * catalog: who may see what there has changed (a team's members or role).
   */
  forgetNamespace(namespaceId: number): void {
    this.generation++;
    this.catalogs.clear();
    for (const [name, entry] of this.repositories) if (entry.value.namespaceId === namespaceId) this.repositories.delete(name);
  }

  clear(): void {
    this.generation++;
    this.repositories.clear();
    this.manifests.clear();
    this.tagNameLists.clear();
    this.catalogs.clear();
    this.expiries.clear();
  }

  private fresh<T>(map: Map<string, Entry<T>>, key: string): T | undefined {
    const entry = map.get(key);
    if (!entry) return undefined;
    if (entry.until > Date.now()) return entry.value;
    map.delete(key);
    return undefined;
  }
}

// Hot registry reads served from memory: repository name → id, and manifests by tag or digest.
// Database triggers NOTIFY every node of each change to a repository, its tags or manifests
// (after commit); this process also drops its own entries at once when it writes, so a client
// reads its own pushes. Entries also age out, in case a notification is ever lost.
import type postgres from "postgres";
import type { StoredManifest } from "./manifests.ts";

const CHANNEL = "quayside_content";
const TTL_MS = 30_000;
const MAX_REPOSITORIES = 5_000;
const MAX_MANIFESTS_PER_REPOSITORY = 2_000;

interface Entry<T> {
  value: T;
  until: number;
}

export class ContentCache {
  /**
   * Bumped by every invalidation. A reader notes it before going to the database and only
   * stores what it read if nothing changed meanwhile, so a slow read cannot re-cache old data.
   */
  private generation = 0;
  private readonly repositoryIds = new Map<string, Entry<number>>();
  private readonly manifests = new Map<number, Map<string, Entry<StoredManifest>>>();

  /** Subscribes to change notifications; resolves once listening. */
  async listen(sql: postgres.Sql): Promise<void> {
    await sql.listen(CHANNEL, (payload) => this.forget(Number(payload)), () => this.clear());
  }

  get version(): number {
    return this.generation;
  }

  repositoryId(fullName: string): number | undefined {
    return this.fresh(this.repositoryIds, fullName);
  }

  rememberRepositoryId(fullName: string, id: number, readAt: number): void {
    if (readAt !== this.generation) return;
    if (this.repositoryIds.size >= MAX_REPOSITORIES) this.repositoryIds.clear();
    this.repositoryIds.set(fullName, { value: id, until: Date.now() + TTL_MS });
  }

  manifest(repositoryId: number, reference: string): StoredManifest | undefined {
    const forRepo = this.manifests.get(repositoryId);
    return forRepo && this.fresh(forRepo, reference);
  }

  rememberManifest(repositoryId: number, reference: string, manifest: StoredManifest, readAt: number): void {
    if (readAt !== this.generation) return;
    let forRepo = this.manifests.get(repositoryId);
    if (!forRepo) {
      if (this.manifests.size >= MAX_REPOSITORIES) this.manifests.clear();
      this.manifests.set(repositoryId, (forRepo = new Map()));
    }
    if (forRepo.size >= MAX_MANIFESTS_PER_REPOSITORY) forRepo.clear();
    forRepo.set(reference, { value: manifest, until: Date.now() + TTL_MS });
  }

  /** Drops everything known about one repository (its name mapping included). */
  forget(repositoryId: number): void {
    this.generation++;
    this.manifests.delete(repositoryId);
    for (const [name, entry] of this.repositoryIds) if (entry.value === repositoryId) this.repositoryIds.delete(name);
  }

  clear(): void {
    this.generation++;
    this.repositoryIds.clear();
    this.manifests.clear();
  }

  private fresh<T>(map: Map<string, Entry<T>>, key: string): T | undefined {
    const entry = map.get(key);
    if (!entry) return undefined;
    if (entry.until > Date.now()) return entry.value;
    map.delete(key);
    return undefined;
  }
}

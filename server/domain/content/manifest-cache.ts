// Manifests held in memory within a byte budget, least recently used first out. A manifest's
// bytes are held once however many references (its digest, tags) lead to it, and counted once.
import type { StoredManifest } from "./manifests.ts";

/** A manifest larger than this share of the budget is never held: it would push out too many. */
const LARGEST_SHARE = 8;
/** Rough bytes a held manifest costs beyond its body (objects, strings, list links). */
const HELD_OVERHEAD = 256;
/** Rough bytes a reference costs beyond its characters (map slot, key string header). */
const REFERENCE_OVERHEAD = 64;

interface Held {
  readonly manifest: StoredManifest;
  readonly repositoryId: number;
  /** The keys leading here in the repository's map (the digest first). */
  readonly references: string[];
  bytes: number;
  readonly until: number;
  /** Recency list: `newer` toward the most recently used. */
  newer: Held | null;
  older: Held | null;
}

export class ManifestCache {
  private readonly byRepository = new Map<number, Map<string, Held>>();
  private newest: Held | null = null;
  private oldest: Held | null = null;
  private held = 0;

  constructor(
    readonly budget: number,
    private readonly ttlMs: number,
  ) {}

  /** Bytes accounted to what is held now (never above the budget). */
  get bytes(): number {
    return this.held;
  }

  /** O(1), allocating nothing: a map lookup and a move to the front of the recency list. */
  get(repositoryId: number, reference: string): StoredManifest | undefined {
    const entry = this.byRepository.get(repositoryId)?.get(reference);
    if (!entry) return undefined;
    if (entry.until <= Date.now()) {
      this.drop(entry);
      return undefined;
    }
    this.touch(entry);
    return entry.manifest;
  }

  set(repositoryId: number, reference: string, manifest: StoredManifest): void {
    if (manifest.raw.byteLength > this.budget / LARGEST_SHARE) return;
    let references = this.byRepository.get(repositoryId);
    if (!references) this.byRepository.set(repositoryId, (references = new Map()));
    const current = references.get(reference);
    if (current && current.manifest.digest !== manifest.digest) this.unlinkReference(current, reference);
    let entry = references.get(manifest.digest);
    if (!entry) {
      entry = {
        manifest,
        repositoryId,
        references: [manifest.digest],
        bytes: manifest.raw.byteLength + manifest.digest.length + manifest.mediaType.length + HELD_OVERHEAD + referenceCost(manifest.digest),
        until: Date.now() + this.ttlMs,
        newer: null,
        older: null,
      };
      references.set(manifest.digest, entry);
      this.held += entry.bytes;
    }
    if (!references.has(reference)) {
      references.set(reference, entry);
      entry.references.push(reference);
      entry.bytes += referenceCost(reference);
      this.held += referenceCost(reference);
    }
    this.touch(entry);
    while (this.held > this.budget && this.oldest) this.drop(this.oldest);
  }

  forgetRepository(repositoryId: number): void {
    const references = this.byRepository.get(repositoryId);
    if (references) for (const entry of references.values()) this.drop(entry);
  }

  clear(): void {
    this.byRepository.clear();
    this.newest = this.oldest = null;
    this.held = 0;
  }

  /** Lets go of a manifest and every reference to it. */
  private drop(entry: Held): void {
    const references = this.byRepository.get(entry.repositoryId)!;
    for (const reference of entry.references) references.delete(reference);
    if (references.size === 0) this.byRepository.delete(entry.repositoryId);
    this.unlink(entry);
    this.held -= entry.bytes;
  }

  /** A tag that now leads elsewhere (read after the old answer was held). */
  private unlinkReference(entry: Held, reference: string): void {
    this.byRepository.get(entry.repositoryId)!.delete(reference);
    entry.references.splice(entry.references.indexOf(reference), 1);
    entry.bytes -= referenceCost(reference);
    this.held -= referenceCost(reference);
  }

  private touch(entry: Held): void {
    if (this.newest === entry) return;
    this.unlink(entry);
    entry.older = this.newest;
    if (this.newest) this.newest.newer = entry;
    this.newest = entry;
    this.oldest ??= entry;
  }

  private unlink(entry: Held): void {
    if (entry.newer) entry.newer.older = entry.older;
    else if (this.newest === entry) this.newest = entry.older;
    if (entry.older) entry.older.newer = entry.newer;
    else if (this.oldest === entry) this.oldest = entry.newer;
    entry.newer = entry.older = null;
  }
}

function referenceCost(reference: string): number {
  return reference.length + REFERENCE_OVERHEAD;
}

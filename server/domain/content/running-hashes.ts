// The running sha256 of each upload session this process appended to, so that the next chunk or
// the final check does not re-read the session's bytes. Bounded on every node, worker or not:
// storing an entry drops those idle longer than a session may live, and past `maxEntries` the
// least recently used. Dropping one only costs re-reading that session's bytes once; sweeping
// on store needs no timer, and nothing grows while nothing is stored.
import type { Hash } from "node:crypto";

interface Entry {
  hash: Hash;
  /** How many bytes of the session the hash has consumed. */
  offset: number;
  /** When it was last stored or used (ms, from the injectable clock). */
  usedAt: number;
}

export class RunningHashes {
  /** In least-recently-used order: using an entry moves it to the end. */
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly limits: { maxEntries: number; maxIdleMs: number }) {}

  get size(): number {
    return this.entries.size;
  }

  /** A copy (free to extend) of the hash of session `id`'s first `offset` bytes, if kept here. */
  copyAt(id: string, offset: number, now: number): Hash | undefined {
    const entry = this.entries.get(id);
    if (!entry || entry.offset !== offset) return undefined;
    this.entries.delete(id);
    this.entries.set(id, { ...entry, usedAt: now });
    return entry.hash.copy();
  }

  /** Keeps `hash` as the hash of session `id`'s first `offset` bytes. */
  store(id: string, hash: Hash, offset: number, now: number): void {
    this.entries.delete(id);
    this.entries.set(id, { hash, offset, usedAt: now });
    for (const [oldest, entry] of this.entries) {
      if (this.entries.size <= this.limits.maxEntries && now - entry.usedAt <= this.limits.maxIdleMs) break;
      this.entries.delete(oldest);
    }
  }

  delete(id: string): void {
    this.entries.delete(id);
  }
}

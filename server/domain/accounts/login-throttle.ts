// Limits on failed password sign-ins, so passwords cannot be guessed at the speed of the network
// and a flood of wrong passwords cannot keep the hashing queue full. Every door that takes a
// password goes through `authenticate` (users.ts), which asks this before hashing anything.
//
// The rule:
// - Per client address: 10 failures in a row are allowed, then one more every 6 s.
// - Per account: 10 failures, then one more every 30 s — except from an address that signed into
//   that account successfully in the last 30 days, which only its own address limit applies to.
//   A flood against an account from elsewhere therefore slows strangers, never its owner's usual
//   machines; and the count drains by itself, so once the flood stops the account opens again
//   within minutes (a slowdown, never a lockout that needs an administrator).
// - An attempt counts as a failure from the moment it is admitted (so 32 concurrent guesses do
//   not all pass before the first one fails) until it succeeds.
// - A refused attempt is not counted and costs no hashing; the refusal says when to retry.
// - A success forgets its address's failures (not the account's: else an attacker would get a
//   fresh burst each time the owner signs in).
// Counters live in each process's memory (bounded): a cluster of n web nodes allows n times
// the rate, and a restart forgets them.
import type { Clock } from "../clock.ts";

export interface LoginLimits {
  burst: number;
  /** One more failure is allowed per this many ms once the burst is spent. */
  drainMs: number;
}

export const ADDRESS_LIMITS: LoginLimits = { burst: 10, drainMs: 6_000 };
export const ACCOUNT_LIMITS: LoginLimits = { burst: 10, drainMs: 30_000 };
const KNOWN_ADDRESS_MS = 30 * 24 * 3600 * 1000;
/** Entries kept per map; the least recently touched go first. */
const MAX_ENTRIES = 100_000;

/** A leaky bucket per key: each failure adds one, time drains them. */
class FailureBuckets {
  private readonly buckets = new Map<string, { level: number; at: number }>();

  constructor(private readonly limits: LoginLimits) {}

  private level(key: string, now: number): number {
    const bucket = this.buckets.get(key);
    return bucket ? Math.max(0, bucket.level - (now - bucket.at) / this.limits.drainMs) : 0;
  }

  /** Ms until `key` may fail once more (0: now). */
  waitMs(key: string, now: number): number {
    const over = this.level(key, now) - (this.limits.burst - 1);
    return over > 0 ? over * this.limits.drainMs : 0;
  }

  add(key: string, now: number, amount = 1): void {
    const level = Math.max(0, this.level(key, now) + amount);
    this.buckets.delete(key); // re-inserted last: the map's order is least recently touched first
    this.buckets.set(key, { level, at: now });
    evictOldest(this.buckets);
  }

  clear(key: string): void {
    this.buckets.delete(key);
  }
}

function evictOldest(map: Map<string, unknown>): void {
  if (map.size > MAX_ENTRIES) map.delete(map.keys().next().value!);
}

export class LoginThrottle {
  private readonly addresses = new FailureBuckets(ADDRESS_LIMITS);
  private readonly accounts = new FailureBuckets(ACCOUNT_LIMITS);
  /** `username \0 address` → until when that address counts as the account owner's. */
  private readonly known = new Map<string, number>();

  constructor(private readonly clock: Clock) {}

  private now(): number {
    return this.clock.now().getTime();
  }

  private isKnown(username: string, ip: string, now: number): boolean {
    return (this.known.get(`${username}\u0000${ip}`) ?? 0) > now;
  }

  /**
   * Admits an attempt on `username` from `ip`, counting it as a failure until `succeeded` says
   * otherwise, and returns 0; or returns the seconds to wait (and counts nothing).
   */
  admit(username: string, ip: string | null): number {
    const now = this.now();
    const address = ip ?? "unknown";
    const known = this.isKnown(username, address, now);
    const wait = Math.max(this.addresses.waitMs(address, now), known ? 0 : this.accounts.waitMs(username, now));
    if (wait > 0) return wait / 1000;
    this.addresses.add(address, now);
    if (!known) this.accounts.add(username, now);
    return 0;
  }

  /** The admitted attempt was right: forget the address's failures and remember the address. */
  succeeded(username: string, ip: string | null): void {
    const now = this.now();
    const address = ip ?? "unknown";
    this.addresses.clear(address);
    if (!this.isKnown(username, address, now)) this.accounts.add(username, now, -1);
    const key = `${username}\u0000${address}`;
    this.known.delete(key);
    this.known.set(key, now + KNOWN_ADDRESS_MS);
    evictOldest(this.known);
  }
}

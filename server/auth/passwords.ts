// Password hashing with scrypt (memory-hard, built into node:crypto on Node and Deno).
// Stored as `scrypt$N$r$p$salt$hash`, so the cost can be raised without breaking old hashes: an
// older hash still verifies, and `needsRehash` tells sign-in to store it again at today's cost.
//
// Cost: N=2^15, r=8, p=3 — one of OWASP's equivalent scrypt settings (N=2^17, r=8, p=1 does the
// same work in 128 MiB; this takes 32 MiB), about 200 ms of one core here, against 44 ms for the
// N=2^14, r=8, p=1 used before.
//
// A login flood must not slow everything else: scrypt runs on low-priority worker threads of its
// own (hash-workers.ts), never on libuv's pool that blob file I/O needs; at most
// HASHING_CONCURRENCY hashes run at once (1 on a 2-core machine, 2 above), up to MAX_WAITING wait
// their turn, and beyond that hashing is refused with TOO_MANY_REQUESTS (each door's 429) rather
// than queued without end.
import { randomBytes, timingSafeEqual } from "node:crypto";
import { availableParallelism } from "node:os";
import { tooManyRequests } from "../domain/errors.ts";
import { HashWorkers } from "./hash-workers.ts";
import { WorkQueue } from "./work-queue.ts";

interface Cost {
  n: number;
  r: number;
  p: number;
}

const COST: Cost = { n: 2 ** 15, r: 8, p: 3 };
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;
const HASHING_CONCURRENCY = Math.max(1, Math.min(2, availableParallelism() - 1));
const MAX_WAITING = 32;

const workers = new HashWorkers(HASHING_CONCURRENCY);
const queue = new WorkQueue(HASHING_CONCURRENCY, MAX_WAITING, () =>
  tooManyRequests("Too many sign-ins at once; try again in a moment", 1),
);

function derive(password: string, salt: Buffer, cost: Cost): Promise<Buffer> {
  return queue.run(() => workers.derive({ password, salt, ...cost, keyLength: KEY_LENGTH }));
}

function format(cost: Cost, salt: Buffer, key: Buffer): string {
  return `scrypt$${cost.n}$${cost.r}$${cost.p}$${salt.toString("base64")}$${key.toString("base64")}`;
}

function parse(stored: string): { cost: Cost; salt: Buffer; hash: Buffer } | null {
  const [scheme, n, r, p, salt, hash, ...rest] = stored.split("$");
  const cost = { n: Number(n), r: Number(r), p: Number(p) };
  if (scheme !== "scrypt" || !salt || !hash || rest.length > 0) return null;
  if (![cost.n, cost.r, cost.p].every(Number.isSafeInteger)) return null;
  return { cost, salt: Buffer.from(salt, "base64"), hash: Buffer.from(hash, "base64") };
}

/** What an account without a usable hash is checked against, at today's cost. */
const DUMMY = parse(format(COST, Buffer.alloc(SALT_LENGTH), Buffer.alloc(KEY_LENGTH)))!;

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  return format(COST, salt, await derive(password, salt, COST));
}

/**
 * True when `password` matches `stored`. Without a usable hash (unknown user, no password set)
 * it hashes against a dummy at today's cost and says false: every failure costs the same work,
 * so response times do not tell which accounts exist.
 */
export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  const parsed = (stored && parse(stored)) || null;
  const { cost, salt, hash } = parsed ?? DUMMY;
  const actual = await derive(password, salt, cost);
  return parsed !== null && actual.length === hash.length && timingSafeEqual(actual, hash);
}

/** True when `stored` was not made with today's parameters (sign-in then stores a new hash). */
export function needsRehash(stored: string): boolean {
  const cost = parse(stored)?.cost;
  return !cost || cost.n !== COST.n || cost.r !== COST.r || cost.p !== COST.p;
}

// The failed-login rule: per address and per account, slowing (never locking out) the owner.
import { describe, expect, it } from "vitest";
import { ACCOUNT_LIMITS, ADDRESS_LIMITS, LoginThrottle } from "./login-throttle.ts";

function fakeClock() {
  let now = Date.parse("2026-01-01T00:00:00Z");
  return { now: () => new Date(now), advance: (ms: number) => void (now += ms) };
}

/** `n` wrong guesses (each admitted, never succeeding). */
function fail(throttle: LoginThrottle, n: number, username: string, ip: (i: number) => string | null) {
  for (let i = 0; i < n; i++) expect(throttle.admit(username, ip(i))).toBe(0);
}

describe("LoginThrottle", () => {
  it("admits a burst of failures from an address, then asks it to wait, and drains with time", () => {
    const clock = fakeClock();
    const throttle = new LoginThrottle(clock);
    for (let i = 0; i < ADDRESS_LIMITS.burst; i++) expect(throttle.admit(`user${i}`, "10.0.0.1")).toBe(0);
    expect(throttle.admit("someone-else", "10.0.0.1")).toBe(ADDRESS_LIMITS.drainMs / 1000);
    expect(throttle.admit("someone-else", "10.0.0.2")).toBe(0); // other addresses are not touched
    clock.advance(ADDRESS_LIMITS.drainMs);
    expect(throttle.admit("someone-else", "10.0.0.1")).toBe(0);
    expect(throttle.admit("someone-else", "10.0.0.1")).toBeGreaterThan(0);
  });

  it("counts concurrent attempts as they are admitted, not when they fail", () => {
    const throttle = new LoginThrottle(fakeClock());
    const admitted = Array.from({ length: 32 }, () => throttle.admit("alice", "10.0.0.1")).filter((w) => w === 0);
    expect(admitted).toHaveLength(ADDRESS_LIMITS.burst);
  });

  it("slows strangers on an account under attack, but not the owner's known address", () => {
    const clock = fakeClock();
    const throttle = new LoginThrottle(clock);
    expect(throttle.admit("alice", "192.0.2.7")).toBe(0);
    throttle.succeeded("alice", "192.0.2.7"); // alice's usual machine
    fail(throttle, ACCOUNT_LIMITS.burst, "alice", (i) => `10.0.1.${i}`);
    expect(throttle.admit("alice", "10.0.2.1")).toBe(ACCOUNT_LIMITS.drainMs / 1000);
    expect(throttle.admit("bob", "10.0.2.1")).toBe(0);
    expect(throttle.admit("alice", "192.0.2.7")).toBe(0);
    throttle.succeeded("alice", "192.0.2.7");
    // The flood goes on: the account stays slow for strangers, never for the owner's machine.
    clock.advance(ACCOUNT_LIMITS.drainMs);
    fail(throttle, 1, "alice", () => "10.0.3.1");
    expect(throttle.admit("alice", "10.0.2.1")).toBeGreaterThan(0);
    expect(throttle.admit("alice", "192.0.2.7")).toBe(0);
    // Once it stops, the account opens for everyone again by itself.
    clock.advance(ACCOUNT_LIMITS.drainMs);
    expect(throttle.admit("alice", "10.0.2.1")).toBe(0);
  });

  it("forgets an address's failures when it signs in, but not the account's", () => {
    const throttle = new LoginThrottle(fakeClock());
    fail(throttle, ADDRESS_LIMITS.burst - 1, "carol", () => "10.0.0.9");
    throttle.succeeded("carol", "10.0.0.9");
    fail(throttle, ADDRESS_LIMITS.burst, "dave", () => "10.0.0.9");
    fail(throttle, ACCOUNT_LIMITS.burst - 1, "erin", (i) => `10.0.4.${i}`);
    expect(throttle.admit("erin", "10.0.5.1")).toBe(0);
    throttle.succeeded("erin", "10.0.5.1");
    fail(throttle, 1, "erin", () => "10.0.6.1");
    expect(throttle.admit("erin", "10.0.6.2")).toBeGreaterThan(0);
  });

  it("counts callers without a known address together", () => {
    const throttle = new LoginThrottle(fakeClock());
    fail(throttle, ADDRESS_LIMITS.burst, "x", () => null);
    expect(throttle.admit("y", null)).toBeGreaterThan(0);
  });
});

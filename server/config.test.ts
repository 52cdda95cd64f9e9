import { describe, expect, it } from "vitest";
import { ConfigError, type FsStorage, loadConfig } from "./config.ts";

describe("loadConfig", () => {
  it("has working defaults", () => {
    const config = loadConfig({});
    expect(config.port).toBe(8080);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.dataDir).toMatch(/\/data$/);
    expect((config.storage as FsStorage).root).toMatch(/\/data\/blobs$/);
    expect(config.features.openSignup).toBe(true);
    expect(config.role).toBe("all");
  });

  it("reads env vars and lets flags win", () => {
    const config = loadConfig({ PORT: "9000", QUAYSIDE_DATA_DIR: "/srv/q" }, ["--port=9100", "--open-signup", "false"]);
    expect(config.port).toBe(9100);
    expect(config.dataDir).toBe("/srv/q");
    expect(config.features.openSignup).toBe(false);
  });

  it("reads trusted proxies as addresses and CIDR ranges (none by default)", () => {
    expect(loadConfig({}).trustedProxies).toEqual([]);
    expect(loadConfig({ QUAYSIDE_TRUSTED_PROXIES: "10.0.0.0/8, ::1,192.0.2.7" }).trustedProxies).toEqual(["10.0.0.0/8", "::1", "192.0.2.7"]);
    expect(() => loadConfig({ QUAYSIDE_TRUSTED_PROXIES: "proxy.local" })).toThrow(/QUAYSIDE_TRUSTED_PROXIES/);
    expect(() => loadConfig({ QUAYSIDE_TRUSTED_PROXIES: "10.0.0.0/33" })).toThrow(/QUAYSIDE_TRUSTED_PROXIES/);
  });

  it("reads superusers as a name list and app token lifetimes as Quay's durations", () => {
    const none = loadConfig({});
    expect(none.superUsers).toEqual([]);
    expect(none.appTokenLifetime).toBeUndefined();
    const set = loadConfig({ QUAYSIDE_SUPER_USERS: "alice, bob,", QUAYSIDE_APP_TOKEN_EXPIRATION: "90d" });
    expect(set.superUsers).toEqual(["alice", "bob"]);
    expect(set.appTokenLifetime).toBe(90 * 86_400);
    expect(loadConfig({}, ["--app-token-expiration=3600"]).appTokenLifetime).toBe(3600);
    expect(() => loadConfig({ QUAYSIDE_APP_TOKEN_EXPIRATION: "soon" })).toThrow(/QUAYSIDE_APP_TOKEN_EXPIRATION/);
  });

  it("stops on bad values with a message naming the setting", () => {
    expect(() => loadConfig({ PORT: "eighty" })).toThrow(/PORT \/ --port/);
    expect(() => loadConfig({ DATABASE_URL: "mysql://x" })).toThrow(/DATABASE_URL/);
    expect(() => loadConfig({ QUAYSIDE_ROLE: "boss" })).toThrow(/QUAYSIDE_ROLE/);
    expect(() => loadConfig({}, ["--bogus=1"])).toThrow(ConfigError);
    expect(() => loadConfig({ QUAYSIDE_ADMIN_USER: "root" })).toThrow(/set together/);
  });
});

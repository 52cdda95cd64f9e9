import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stampBuild, versionText } from "./build-info.ts";
import { commandLineRequest, ConfigError, type FsStorage, helpText, loadConfig } from "./config.ts";

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

  it("has the security scanner on unless switched off (Quay's FEATURE_SECURITY_SCANNER)", () => {
    expect(loadConfig({}).features.securityScanner).toBe(true);
    expect(loadConfig({ QUAYSIDE_SECURITY_SCANNER: "false" }).features.securityScanner).toBe(false);
    expect(loadConfig({}, ["--security-scanner=off"]).features.securityScanner).toBe(false);
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

describe("the --config YAML file", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "quayside-config-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  async function yamlFile(text: string): Promise<string> {
    const path = join(dir, `${Math.random().toString(36).slice(2)}.yaml`);
    await writeFile(path, text);
    return path;
  }

  it("reads settings keyed by flag name, below env vars and flags", async () => {
    const file = await yamlFile("port: 9000\ndata-dir: /srv/file\nopen-signup: false\nsuper-users: [alice, bob]\nlog-requests: true\n");
    const fromFile = loadConfig({}, ["--config", file]);
    expect(fromFile.port).toBe(9000);
    expect(fromFile.dataDir).toBe("/srv/file");
    expect(fromFile.features.openSignup).toBe(false);
    expect(fromFile.superUsers).toEqual(["alice", "bob"]);
    expect(loadConfig({ QUAYSIDE_CONFIG: file }).port).toBe(9000);

    const envWins = loadConfig({ PORT: "9100", QUAYSIDE_CONFIG: file });
    expect(envWins.port).toBe(9100);
    expect(envWins.dataDir).toBe("/srv/file");
    expect(loadConfig({ PORT: "9100" }, [`--config=${file}`, "--port=9200"]).port).toBe(9200);
  });

  it("names the key, and the file, of a bad value", async () => {
    const file = await yamlFile("port: eighty\n");
    expect(() => loadConfig({}, ["--config", file])).toThrow(new RegExp(`PORT / --port \\(port in ${file}\\)`));
    // The same bad value is not blamed on the file once an env var overrides it.
    expect(() => loadConfig({ PORT: "x" }, ["--config", file])).toThrow(/PORT \/ --port: /);
  });

  it("refuses unknown keys, nested values, other documents and missing files", async () => {
    expect(() => loadConfig({}, ["--config", join(dir, "absent.yaml")])).toThrow(/cannot read the config file .*absent\.yaml/);
    expect(() => loadConfig({}, ["--config", "/dev/null"])).not.toThrow();
    const cases: [string, RegExp][] = [
      ["prot: 8080\n", /prot: unknown setting/],
      ["storage:\n  root: /x\n", /storage: must be a single value or a list/],
      ["- port\n", /must be a mapping of settings/],
      ["port: [8080\n", /cannot read the config file/],
    ];
    for (const [text, error] of cases) {
      const file = await yamlFile(text);
      expect(() => loadConfig({}, ["--config", file])).toThrow(ConfigError);
      expect(() => loadConfig({}, ["--config", file])).toThrow(error);
    }
  });
});

describe("--help and --version", () => {
  it("are recognised anywhere on the command line", () => {
    expect(commandLineRequest(["--port=1", "--help"])).toBe("help");
    expect(commandLineRequest(["-h"])).toBe("help");
    expect(commandLineRequest(["--version"])).toBe("version");
    expect(commandLineRequest(["--port", "8080"])).toBeUndefined();
  });

  it("help lists every flag loadConfig accepts, with its env var and default", () => {
    const help = helpText();
    const flags = [...help.matchAll(/^ {2}--([a-z0-9-]+)/gm)].map((m) => m[1]!);
    expect(flags).toContain("config");
    expect(flags).toContain("gc-grace");
    for (const flag of flags.filter((f) => f !== "help" && f !== "version" && f !== "config")) {
      expect(() => loadConfig({}, [`--${flag}=`]), flag).not.toThrow(/unknown flag/);
    }
    expect(help).toMatch(/--port, PORT\n\s+Port to listen on \(default: 8080\)/);
    expect(help).toMatch(/--data-dir, QUAYSIDE_DATA_DIR\n.*\(default: \.\/data\)/);
  });

  it("version names the package version; the commit is stamped by the compiled build", () => {
    expect(versionText()).toMatch(/^quayside \d+\.\d+\.\d+ \(commit unknown, run from source\)$/);
    stampBuild("9.8.7", "abc123def456");
    expect(versionText()).toBe("quayside 9.8.7 (commit abc123def456)");
  });

  it("takes the shutdown grace as a duration, 30 s unless set", () => {
    expect(loadConfig({}).shutdownGraceSeconds).toBe(30);
    expect(loadConfig({ QUAYSIDE_SHUTDOWN_GRACE: "2m" }).shutdownGraceSeconds).toBe(120);
    expect(() => loadConfig({ QUAYSIDE_SHUTDOWN_GRACE: "soon" })).toThrow(/QUAYSIDE_SHUTDOWN_GRACE/);
  });
});

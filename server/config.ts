// The one typed configuration object. Every setting comes from a command-line flag
// (`--port=8080`), an environment variable (`PORT=8080`) or a YAML file named by `--config`
// (`port: 8080`), in that order of precedence. Nothing else in the code reads process.env: it
// asks for a Config.
import { readFileSync } from "node:fs";
import { isIP } from "node:net";
import { resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";

export type Role = "all" | "web" | "worker";

export interface Config {
  port: number;
  host: string;
  /** scheme://host[:port] clients use to reach us (token realm, links); unset: taken from each request's Host. */
  publicUrl?: string;
  dataDir: string;
  /** Unset means: boot embedded Postgres under `<dataDir>/postgres`. */
  databaseUrl?: string;
  /**
   * Blob storage: a filesystem directory (`fsync`: each blob's bytes and directory reach the disk
   * before its row commits, on unless the filesystem already guarantees it, e.g. to measure), or
   * an S3 bucket (`s3://bucket/prefix`).
   */
  storage: FsStorage | S3Storage;
  /** HMAC key for registry tokens; generated and stored in the database on first start when unset. */
  tokenSigningKey?: string;
  role: Role;
  /**
   * `securityScanner` (Quay's FEATURE_SECURITY_SCANNER): every pushed image is indexed and its
   * packages matched against imported advisories. Built in, so on unless switched off.
   */
  features: { openSignup: boolean; userInitialize: boolean; securityScanner: boolean };
  admin?: { username: string; password: string; email: string };
  /** User names that are superusers (Quay's SUPER_USERS), besides the admin and the first user. */
  superUsers: string[];
  /** Hosts outgoing callbacks may reach although they resolve to internal addresses (Quay's SSRF_ALLOWED_HOSTS). */
  ssrfAllowedHosts: string[];
  /**
   * Outgoing mail (Quay's MAILING): an SMTP URL (`smtp://user:pass@host:587`, `smtps://…`) and the
   * From address. Unset: no mail, so team members are added at once instead of invited.
   */
  mail?: { smtpUrl: string; from: string };
  /** Seconds an application-specific token lives (Quay's APP_SPECIFIC_TOKEN_EXPIRATION); unset: forever. */
  appTokenLifetime?: number;
  /** Seconds a registry bearer token stays valid. */
  registryTokenTtl: number;
  /** Bytes of manifests each process keeps in memory at most. */
  manifestCacheBytes: number;
  /**
   * Addresses (or CIDR ranges) of reverse proxies whose X-Forwarded-For and X-Forwarded-Proto
   * are believed; from anyone else those headers are ignored (a client could forge them).
   */
  trustedProxies: string[];
  logRequests: boolean;
  /**
   * Garbage collection: untagged pushes and blobs pushed or mounted less than `graceSeconds` ago
   * are kept (Quay's PUSH_TEMP_TAG_EXPIRATION_SEC, an hour).
   */
  gc: { graceSeconds: number };
  /**
   * Seconds requests in flight (a layer push) may still take after SIGTERM; past them the rest
   * are cut off and shutdown goes on.
   */
  shutdownGraceSeconds: number;
  /**
   * The usage log: whether each manifest pull is logged (`pull_repo`, and counted in the pull
   * statistics), and how long rows are kept (whole months go once past it; Quay's
   * ACTION_LOG_ARCHIVE / rotation, 90 days).
   */
  usageLog: { logPulls: boolean; retentionSeconds: number };
  /** Events in a row a repository notification may fail to deliver before it is disabled (Quay's 3). */
  notificationFailureLimit: number;
  /**
   * Delivering notifications: seconds before a failed delivery's first retry (each later one
   * waits twice as long), and the client certificate (PEM files) webhooks present over https
   * (Quay presents its own TLS certificate).
   */
  notificationDelivery: { retryDelaySeconds: number; clientCertificate?: { certFile: string; keyFile: string } };
  /**
   * Vulnerability data the refresh job imports every few hours (file paths or http(s) URLs, each
   * with its format or none to tell it from the content); `quayside vulndb import` takes others.
   */
  vulnerabilitySources: VulnerabilitySourceSetting[];
  /**
   * Proxy cache organizations: seconds a cached tag is served before it is checked upstream
   * again, and the prefix-less registry-mirror mode, which maps the host name a client reaches us
   * under (`Host`, lowercased) to the proxy organization its requests go to. Clients sent to a
   * mirror send no trace of the upstream they mirror (see docs/architecture.md), so each upstream
   * gets a name of its own for Quayside.
   */
  proxyCache: { stalenessSeconds: number; mirrorHosts: ReadonlyMap<string, string> };
  /**
   * Repository mirroring: seconds a worker's claim on a mirror lasts without being renewed (it
   * renews it while it syncs), after which another worker resumes a sync whose worker died.
   */
  mirror: { claimSeconds: number };
}

export interface FsStorage {
  kind: "fs";
  root: string;
  fsync: boolean;
}

export interface S3Storage {
  kind: "s3";
  bucket: string;
  /** Key prefix inside the bucket: "" or ending with "/". */
  prefix: string;
  /** scheme://host[:port] of an S3-compatible server; unset: AWS. */
  endpoint?: string;
  region: string;
  /** Unset: the AWS SDK's usual sources (its environment variables, shared files, instance roles). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Bucket in the path rather than the host name (most S3-compatible servers want this). */
  pathStyle: boolean;
  /** Blob GETs answered with a redirect to a presigned bucket URL instead of the bytes. */
  presignedRedirects: boolean;
}

export class ConfigError extends Error {}

export const VULNERABILITY_FORMATS = ["osv", "alpine-secdb", "debian-tracker"] as const;
export type VulnerabilityFormat = (typeof VULNERABILITY_FORMATS)[number];
export interface VulnerabilitySourceSetting {
  location: string;
  format?: VulnerabilityFormat;
}

/** `[format=]location`, e.g. `alpine-secdb=https://secdb.alpinelinux.org/v3.18/main.json`. */
export function parseVulnerabilitySource(text: string): VulnerabilitySourceSetting | undefined {
  const prefixed = /^([a-z-]+)=(.+)$/.exec(text);
  if (!prefixed) return text ? { location: text } : undefined;
  const format = VULNERABILITY_FORMATS.find((name) => name === prefixed[1]);
  return format ? { location: prefixed[2]!, format } : undefined;
}

interface Setting {
  flag: string;
  env: string;
  /** One line for `--help`; the default is added from the schema. */
  help: string;
}

/** The YAML file of settings: its keys are the flag names. */
const configFile = { flag: "config", env: "QUAYSIDE_CONFIG" } as const;

const settings = {
  port: { flag: "port", env: "PORT", help: "Port to listen on" },
  host: { flag: "host", env: "HOST", help: "Address to listen on" },
  publicUrl: { flag: "public-url", env: "QUAYSIDE_PUBLIC_URL", help: "scheme://host[:port] clients use to reach Quayside (default: each request's Host)" },
  dataDir: { flag: "data-dir", env: "QUAYSIDE_DATA_DIR", help: "Directory for the embedded Postgres, blobs and unpacked files" },
  databaseUrl: { flag: "database-url", env: "DATABASE_URL", help: "postgres:// URL of an external Postgres (default: embedded Postgres in the data dir)" },
  storage: { flag: "storage", env: "STORAGE", help: "Blob storage: a directory (fs:/path, /path or ./path) or s3://bucket/prefix (default: <data dir>/blobs)" },
  s3Endpoint: { flag: "s3-endpoint", env: "QUAYSIDE_S3_ENDPOINT", help: "http(s)://host[:port] of an S3-compatible server (default: AWS)" },
  s3Region: { flag: "s3-region", env: "QUAYSIDE_S3_REGION", help: "S3 region" },
  s3AccessKeyId: { flag: "s3-access-key-id", env: "QUAYSIDE_S3_ACCESS_KEY_ID", help: "S3 access key (default: the AWS SDK's own sources)" },
  s3SecretAccessKey: { flag: "s3-secret-access-key", env: "QUAYSIDE_S3_SECRET_ACCESS_KEY", help: "S3 secret key (with --s3-access-key-id)" },
  s3PathStyle: { flag: "s3-path-style", env: "QUAYSIDE_S3_PATH_STYLE", help: "Address the bucket in the URL path (host/bucket/key), as most S3-compatible servers want" },
  s3PresignedRedirects: { flag: "s3-presigned-redirects", env: "QUAYSIDE_S3_PRESIGNED_REDIRECTS", help: "Redirect blob downloads to presigned S3 URLs instead of sending the bytes" },
  fsync: { flag: "fsync", env: "QUAYSIDE_FSYNC", help: "Flush each blob to disk before it is recorded" },
  tokenSigningKey: { flag: "token-signing-key", env: "QUAYSIDE_TOKEN_SIGNING_KEY", help: "Key (32+ characters) signing registry tokens (default: generated and kept in the database)" },
  role: { flag: "role", env: "QUAYSIDE_ROLE", help: "all, web (HTTP only) or worker (background jobs only)" },
  openSignup: { flag: "open-signup", env: "QUAYSIDE_OPEN_SIGNUP", help: "Anyone may create an account" },
  userInitialize: { flag: "user-initialize", env: "QUAYSIDE_USER_INITIALIZE", help: "Allow creating the first user through the API while none exists" },
  securityScanner: { flag: "security-scanner", env: "QUAYSIDE_SECURITY_SCANNER", help: "Scan pushed images for packages and known vulnerabilities" },
  adminUser: { flag: "admin-user", env: "QUAYSIDE_ADMIN_USER", help: "Superuser created at start if missing (with --admin-password)" },
  adminPassword: { flag: "admin-password", env: "QUAYSIDE_ADMIN_PASSWORD", help: "Password of --admin-user (8+ characters)" },
  adminEmail: { flag: "admin-email", env: "QUAYSIDE_ADMIN_EMAIL", help: "E-mail of --admin-user (default: <admin user>@localhost)" },
  superUsers: { flag: "super-users", env: "QUAYSIDE_SUPER_USERS", help: "Comma-separated user names that are superusers" },
  ssrfAllowedHosts: { flag: "ssrf-allowed-hosts", env: "QUAYSIDE_SSRF_ALLOWED_HOSTS", help: "Comma-separated hosts (host or host:port) callbacks may reach on internal addresses" },
  appTokenExpiration: { flag: "app-token-expiration", env: "QUAYSIDE_APP_TOKEN_EXPIRATION", help: "Lifetime of application tokens: 90d, 12h, seconds (default: forever)" },
  smtpUrl: { flag: "smtp-url", env: "QUAYSIDE_SMTP_URL", help: "smtp:// or smtps:// URL for outgoing mail (default: no mail)" },
  mailFrom: { flag: "mail-from", env: "QUAYSIDE_MAIL_FROM", help: "From address of outgoing mail (default: quayside@localhost)" },
  registryTokenTtl: { flag: "registry-token-ttl", env: "QUAYSIDE_REGISTRY_TOKEN_TTL", help: "Seconds a registry token stays valid" },
  manifestCacheMb: { flag: "manifest-cache-mb", env: "QUAYSIDE_MANIFEST_CACHE_MB", help: "Megabytes of manifests cached in memory" },
  trustedProxies: { flag: "trusted-proxies", env: "QUAYSIDE_TRUSTED_PROXIES", help: "Comma-separated proxy addresses or CIDR ranges whose X-Forwarded-* headers are believed" },
  logRequests: { flag: "log-requests", env: "QUAYSIDE_LOG_REQUESTS", help: "Log every request" },
  gcGrace: { flag: "gc-grace", env: "QUAYSIDE_GC_GRACE", help: "Grace before garbage collection removes untagged pushes (1h, 30m, seconds)" },
  logPulls: { flag: "log-pulls", env: "QUAYSIDE_LOG_PULLS", help: "Write a usage-log row and pull statistics for every manifest pull" },
  logRetention: { flag: "log-retention", env: "QUAYSIDE_LOG_RETENTION", help: "Age at which usage logs are dropped, a month at a time (90d, 26w, seconds)" },
  notificationRetryDelay: { flag: "notification-retry-delay", env: "QUAYSIDE_NOTIFICATION_RETRY_DELAY", help: "Wait before a failed notification delivery is tried again, doubled for each later try (30s, 2m, seconds)" },
  webhookClientCert: { flag: "webhook-client-cert", env: "QUAYSIDE_WEBHOOK_CLIENT_CERT", help: "PEM certificate file webhooks present to https endpoints (with --webhook-client-key)" },
  webhookClientKey: { flag: "webhook-client-key", env: "QUAYSIDE_WEBHOOK_CLIENT_KEY", help: "PEM private key file of --webhook-client-cert" },
  notificationFailureLimit: { flag: "notification-failure-limit", env: "QUAYSIDE_NOTIFICATION_FAILURE_LIMIT", help: "Failed events in a row after which a repository notification is disabled until reset" },
  vulnerabilitySources: { flag: "vulnerability-sources", env: "QUAYSIDE_VULNERABILITY_SOURCES", help: "Comma-separated vulnerability data the scanner refreshes every 6 hours: [osv=|alpine-secdb=|debian-tracker=]path-or-URL" },
  proxyCacheStaleness: { flag: "proxy-cache-staleness", env: "QUAYSIDE_PROXY_CACHE_STALENESS", help: "How long a proxy organization serves a cached tag before checking it upstream again (5m, 1h, seconds)" },
  proxyMirrorHosts: { flag: "proxy-mirror-hosts", env: "QUAYSIDE_PROXY_MIRROR_HOSTS", help: "Registry-mirror mode without a path prefix: comma-separated host[:port]=organization, the host clients reach Quayside under for one upstream (each host listed as that upstream's mirror in registries.conf)" },
  mirrorClaim: { flag: "mirror-claim", env: "QUAYSIDE_MIRROR_CLAIM", help: "How long a mirror sync's claim lasts unrenewed before another worker resumes it (5m, 30s, seconds)" },
  shutdownGrace: { flag: "shutdown-grace", env: "QUAYSIDE_SHUTDOWN_GRACE", help: "On SIGTERM, time requests in flight (uploads) get to finish before they are cut off (30s, 2m, seconds)" },
} satisfies Record<string, Setting>;

/** Every environment variable Quayside reads (deployment files are checked against it). */
export const configEnvironmentVariables: readonly string[] = [configFile.env, ...Object.values(settings).map((s) => s.env)];

type Raw = Partial<Record<keyof typeof settings, string>>;

const booleanText = z
  .enum(["true", "false", "1", "0", "yes", "no", "on", "off"])
  .transform((v) => ["true", "1", "yes", "on"].includes(v));

/** A setting written as one of Quay's durations, in seconds. */
const duration = (examples: string) =>
  z.string().regex(/^\d+[smhdw]?$/, `must be a duration such as ${examples}`).transform(durationSeconds);

const schema = z.object({
  port: z.coerce.number().int().min(0).max(65535).default(8080),
  host: z.string().min(1).default("0.0.0.0"),
  publicUrl: z.url({ protocol: /^https?$/ }).optional(),
  dataDir: z.string().min(1).default("./data"),
  databaseUrl: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must start with postgres:// or postgresql://")
    .optional(),
  storage: z
    .string()
    .regex(/^(fs:|\/|\.|s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/|$))/, "must be a directory path (fs:/path, /path or ./path) or s3://bucket/prefix")
    .optional(),
  s3Endpoint: z.url({ protocol: /^https?$/ }).optional(),
  s3Region: z.string().min(1).default("us-east-1"),
  s3AccessKeyId: z.string().min(1).optional(),
  s3SecretAccessKey: z.string().min(1).optional(),
  s3PathStyle: booleanText.default(false),
  s3PresignedRedirects: booleanText.default(false),
  fsync: booleanText.default(true),
  tokenSigningKey: z.string().min(32, "must be at least 32 characters").optional(),
  role: z.enum(["all", "web", "worker"]).default("all"),
  openSignup: booleanText.default(true),
  userInitialize: booleanText.default(true),
  securityScanner: booleanText.default(true),
  adminUser: z.string().optional(),
  adminPassword: z.string().min(8, "must be at least 8 characters").optional(),
  adminEmail: z.email().optional(),
  superUsers: z
    .string()
    .transform((v) => v.split(",").map((s) => s.trim()).filter(Boolean))
    .default([]),
  ssrfAllowedHosts: z
    .string()
    .transform((v) => v.split(",").map((s) => s.trim()).filter(Boolean))
    .default([]),
  appTokenExpiration: duration("90d, 12h or 3600 (seconds)")
    .pipe(z.number().int().min(60, "must be at least a minute"))
    .optional(),
  smtpUrl: z
    .string()
    .regex(/^smtps?:\/\/[^/]+/, "must be an smtp:// or smtps:// URL")
    .optional(),
  mailFrom: z.email().optional(),
  registryTokenTtl: z.coerce.number().int().min(60).max(86400).default(3600),
  manifestCacheMb: z.coerce.number().int().min(0).max(1_048_576).default(64),
  trustedProxies: z
    .string()
    .transform((v) => v.split(",").map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(z.string().refine(isAddressOrRange, "must list IP addresses or CIDR ranges, comma-separated")))
    .default([]),
  logRequests: booleanText.default(false),
  gcGrace: duration("1h, 30m or 3600 (seconds)")
    .pipe(z.number().int().min(60, "must be at least a minute"))
    .default(3600),
  mirrorClaim: duration("5m, 30s or 300 (seconds)")
    .pipe(z.number().int().min(3, "must be at least 3 seconds").max(86_400, "must be at most a day"))
    .default(300),
  shutdownGrace: duration("30s, 2m or 30 (seconds)")
    .pipe(z.number().int().max(3600, "must be at most an hour"))
    .default(30),
  logPulls: booleanText.default(true),
  logRetention: duration("90d, 26w or seconds")
    .pipe(z.number().int().min(86_400, "must be at least a day"))
    .default(90 * 86_400),
  notificationFailureLimit: z.coerce.number().int().min(1).max(1000).default(3),
  notificationRetryDelay: duration("30s, 2m or 30 (seconds)")
    .pipe(z.number().int().min(1, "must be at least a second").max(86_400, "must be at most a day"))
    .default(30),
  webhookClientCert: z.string().min(1).optional(),
  vulnerabilitySources: z
    .string()
    .transform((v) => v.split(",").map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(z.string().refine((s) => parseVulnerabilitySource(s) !== undefined, "must list [format=]path-or-URL entries, comma-separated")))
    .default([]),
  webhookClientKey: z.string().min(1).optional(),
  proxyCacheStaleness: duration("5m, 1h or 300 (seconds)").default(300),
  proxyMirrorHosts: z
    .string()
    .transform((v) => v.split(",").map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^[a-z0-9.-]+(:\d+)?=[a-z0-9]+(?:[._-][a-z0-9]+)*$/i, "must list host[:port]=organization entries, comma-separated")))
    .default([]),
});

const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/** Quay's durations (`30d`, `12h`; bare numbers are seconds). */
function durationSeconds(text: string): number {
  const unit = /[smhdw]$/.test(text) ? text.slice(-1) : "s";
  return Number.parseInt(text, 10) * DURATION_UNITS[unit]!;
}

/** `10.0.0.1`, `::1`, `10.0.0.0/8` or `fd00::/8`. */
function isAddressOrRange(value: string): boolean {
  const [address, prefix, ...rest] = value.split("/");
  const family = isIP(address ?? "");
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/** Reads `--name=value` / `--name value` flags. */
function parseFlags(argv: readonly string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith("--")) throw new ConfigError(`unexpected argument "${arg}"`);
    const eq = arg.indexOf("=");
    if (eq > 0) flags.set(arg.slice(2, eq), arg.slice(eq + 1));
    else if (i + 1 < argv.length && !argv[i + 1]!.startsWith("--")) flags.set(arg.slice(2), argv[++i]!);
    else flags.set(arg.slice(2), "true");
  }
  return flags;
}

const settingFlags = new Set(Object.values(settings).map((s) => s.flag));

/** The YAML file's settings as flag name → text, as if given on the command line. */
function readConfigFile(path: string): Map<string, string> {
  let document: unknown;
  try {
    document = parseYaml(readFileSync(path, "utf8"));
  } catch (err) {
    throw new ConfigError(`cannot read the config file ${path}: ${err instanceof Error ? err.message.split("\n")[0] : err}`);
  }
  if (document === null || document === undefined) return new Map();
  if (typeof document !== "object" || Array.isArray(document)) {
    throw new ConfigError(`invalid config file ${path}: it must be a mapping of settings (port: 8080)`);
  }
  const values = new Map<string, string>();
  const scalar = (v: unknown) => typeof v === "string" || typeof v === "number" || typeof v === "boolean";
  for (const [key, value] of Object.entries(document)) {
    if (!settingFlags.has(key)) throw new ConfigError(`invalid config file ${path}:\n  ${key}: unknown setting`);
    if (value === null) continue;
    if (scalar(value)) values.set(key, String(value));
    else if (Array.isArray(value) && value.every(scalar)) values.set(key, value.join(","));
    else throw new ConfigError(`invalid config file ${path}:\n  ${key}: must be a single value or a list`);
  }
  return values;
}

/** What the command line asks for besides running: `--help` (or -h) or `--version`. */
export function commandLineRequest(argv: readonly string[]): "help" | "version" | undefined {
  if (argv.includes("--help") || argv.includes("-h")) return "help";
  if (argv.includes("--version")) return "version";
  return undefined;
}

/** A setting's default, as `--help` shows it (none for settings without one). */
function defaultText(key: keyof typeof settings): string | undefined {
  const field = schema.shape[key];
  if (!(field instanceof z.ZodDefault)) return undefined;
  const value: unknown = field.def.defaultValue;
  return Array.isArray(value) && value.length === 0 ? undefined : String(value);
}

/** `quayside --help`: every setting of the table above, with its flag, variable and default. */
export function helpText(): string {
  const rows: [string, string, string][] = [
    [`--${configFile.flag} FILE`, configFile.env, "YAML file of settings, keyed by flag name (port: 8080)"],
    ...(Object.entries(settings) as [keyof typeof settings, Setting][]).map(([key, s]): [string, string, string] => {
      const fallback = defaultText(key);
      return [`--${s.flag}`, s.env, fallback === undefined ? s.help : `${s.help} (default: ${fallback})`];
    }),
    ["--help", "", "Show this help"],
    ["--version", "", "Print the version and commit"],
  ];
  return [
    "Usage: quayside [--flag value]...",
    "       quayside vulndb import <path-or-URL> [--format FORMAT] [--flag value]...  (quayside vulndb --help)",
    "",
    "Each setting is a flag, an environment variable or a key in the --config file;",
    "flags win over environment variables, which win over the file.",
    "",
    ...rows.map(([flag, env, help]) => `  ${flag}${env ? `, ${env}` : ""}\n      ${help}`),
  ].join("\n");
}

export function loadConfig(
  env: Record<string, string | undefined>,
  argv: readonly string[] = [],
): Config {
  const flags = parseFlags(argv);
  for (const name of flags.keys()) {
    if (!settingFlags.has(name) && name !== configFile.flag) throw new ConfigError(`unknown flag --${name}`);
  }
  const filePath = flags.get(configFile.flag) || env[configFile.env] || undefined;
  const fromFile = filePath ? readConfigFile(filePath) : new Map<string, string>();
  const raw: Raw = {};
  const inFile = new Set<string>();
  for (const [key, setting] of Object.entries(settings) as [keyof typeof settings, Setting][]) {
    const value = [flags.get(setting.flag), env[setting.env]].find((v) => v !== undefined && v !== "");
    if (value !== undefined) raw[key] = value;
    else if (fromFile.has(setting.flag)) {
      raw[key] = fromFile.get(setting.flag);
      inFile.add(key);
    }
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const key = issue.path[0] as keyof typeof settings;
      const s = settings[key];
      const where = inFile.has(key) ? ` (${s.flag} in ${filePath})` : "";
      return `  ${s ? `${s.env} / --${s.flag}${where}` : String(key)}: ${issue.message}`;
    });
    throw new ConfigError(`invalid configuration:\n${lines.join("\n")}`);
  }
  const v = parsed.data;
  if ((v.adminUser === undefined) !== (v.adminPassword === undefined)) {
    throw new ConfigError(
      "invalid configuration:\n  QUAYSIDE_ADMIN_USER and QUAYSIDE_ADMIN_PASSWORD must be set together",
    );
  }
  const dataDir = resolve(v.dataDir);
  if ((v.s3AccessKeyId === undefined) !== (v.s3SecretAccessKey === undefined)) {
    throw new ConfigError(
      "invalid configuration:\n  QUAYSIDE_S3_ACCESS_KEY_ID and QUAYSIDE_S3_SECRET_ACCESS_KEY must be set together",
    );
  }
  if ((v.webhookClientCert === undefined) !== (v.webhookClientKey === undefined)) {
    throw new ConfigError(
      "invalid configuration:\n  QUAYSIDE_WEBHOOK_CLIENT_CERT and QUAYSIDE_WEBHOOK_CLIENT_KEY must be set together",
    );
  }
  const publicUrl = v.publicUrl?.replace(/\/+$/, "");
  return {
    port: v.port,
    host: v.host,
    publicUrl,
    dataDir,
    databaseUrl: v.databaseUrl,
    storage: v.storage?.startsWith("s3://")
      ? s3Storage(v.storage, v)
      : { kind: "fs", root: v.storage ? resolve(v.storage.replace(/^fs:/, "")) : resolve(dataDir, "blobs"), fsync: v.fsync },
    tokenSigningKey: v.tokenSigningKey,
    role: v.role,
    features: { openSignup: v.openSignup, userInitialize: v.userInitialize, securityScanner: v.securityScanner },
    admin: v.adminUser && v.adminPassword
      ? { username: v.adminUser, password: v.adminPassword, email: v.adminEmail ?? `${v.adminUser}@localhost` }
      : undefined,
    superUsers: v.superUsers,
    ssrfAllowedHosts: v.ssrfAllowedHosts,
    appTokenLifetime: v.appTokenExpiration,
    mail: v.smtpUrl ? { smtpUrl: v.smtpUrl, from: v.mailFrom ?? "quayside@localhost" } : undefined,
    registryTokenTtl: v.registryTokenTtl,
    manifestCacheBytes: v.manifestCacheMb * 1024 * 1024,
    trustedProxies: v.trustedProxies,
    logRequests: v.logRequests,
    gc: { graceSeconds: v.gcGrace },
    shutdownGraceSeconds: v.shutdownGrace,
    usageLog: { logPulls: v.logPulls, retentionSeconds: v.logRetention },
    notificationFailureLimit: v.notificationFailureLimit,
    notificationDelivery: {
      retryDelaySeconds: v.notificationRetryDelay,
      clientCertificate: v.webhookClientCert && v.webhookClientKey
        ? { certFile: resolve(v.webhookClientCert), keyFile: resolve(v.webhookClientKey) }
        : undefined,
    },
    vulnerabilitySources: v.vulnerabilitySources.map((entry) => parseVulnerabilitySource(entry)!),
    mirror: { claimSeconds: v.mirrorClaim },
    proxyCache: {
      stalenessSeconds: v.proxyCacheStaleness,
      mirrorHosts: new Map(v.proxyMirrorHosts.map((entry) => entry.toLowerCase().split("=") as [string, string])),
    },
  };
}

/** `s3://bucket/some/prefix` with the S3 settings. */
function s3Storage(
  url: string,
  v: Pick<z.infer<typeof schema>, "s3Endpoint" | "s3Region" | "s3AccessKeyId" | "s3SecretAccessKey" | "s3PathStyle" | "s3PresignedRedirects">,
): S3Storage {
  const [bucket, ...path] = url.slice("s3://".length).split("/");
  const prefix = path.filter(Boolean).join("/");
  return {
    kind: "s3",
    bucket: bucket!,
    prefix: prefix ? `${prefix}/` : "",
    endpoint: v.s3Endpoint?.replace(/\/+$/, ""),
    region: v.s3Region,
    credentials: v.s3AccessKeyId && v.s3SecretAccessKey
      ? { accessKeyId: v.s3AccessKeyId, secretAccessKey: v.s3SecretAccessKey }
      : undefined,
    pathStyle: v.s3PathStyle,
    presignedRedirects: v.s3PresignedRedirects,
  };
}

/** Where blobs live, for the start-up line. */
export const storageLabel = (storage: FsStorage | S3Storage) =>
  storage.kind === "fs" ? storage.root : `s3://${storage.bucket}/${storage.prefix}${storage.endpoint ? ` at ${storage.endpoint}` : ""}`;

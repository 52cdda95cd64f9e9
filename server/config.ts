// The one typed configuration object. Every setting comes from a command-line flag
// (`--port=8080`) or an environment variable (`PORT=8080`), flag first. Nothing else in
// the code reads process.env: it asks for a Config.
import { isIP } from "node:net";
import { resolve } from "node:path";
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
  features: { openSignup: boolean; userInitialize: boolean };
  admin?: { username: string; password: string; email: string };
  /** User names that are superusers (Quay's SUPER_USERS), besides the admin and the first user. */
  superUsers: string[];
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

interface Setting {
  flag: string;
  env: string;
}

const settings = {
  port: { flag: "port", env: "PORT" },
  host: { flag: "host", env: "HOST" },
  publicUrl: { flag: "public-url", env: "QUAYSIDE_PUBLIC_URL" },
  dataDir: { flag: "data-dir", env: "QUAYSIDE_DATA_DIR" },
  databaseUrl: { flag: "database-url", env: "DATABASE_URL" },
  storage: { flag: "storage", env: "STORAGE" },
  s3Endpoint: { flag: "s3-endpoint", env: "QUAYSIDE_S3_ENDPOINT" },
  s3Region: { flag: "s3-region", env: "QUAYSIDE_S3_REGION" },
  s3AccessKeyId: { flag: "s3-access-key-id", env: "QUAYSIDE_S3_ACCESS_KEY_ID" },
  s3SecretAccessKey: { flag: "s3-secret-access-key", env: "QUAYSIDE_S3_SECRET_ACCESS_KEY" },
  s3PathStyle: { flag: "s3-path-style", env: "QUAYSIDE_S3_PATH_STYLE" },
  s3PresignedRedirects: { flag: "s3-presigned-redirects", env: "QUAYSIDE_S3_PRESIGNED_REDIRECTS" },
  fsync: { flag: "fsync", env: "QUAYSIDE_FSYNC" },
  tokenSigningKey: { flag: "token-signing-key", env: "QUAYSIDE_TOKEN_SIGNING_KEY" },
  role: { flag: "role", env: "QUAYSIDE_ROLE" },
  openSignup: { flag: "open-signup", env: "QUAYSIDE_OPEN_SIGNUP" },
  userInitialize: { flag: "user-initialize", env: "QUAYSIDE_USER_INITIALIZE" },
  adminUser: { flag: "admin-user", env: "QUAYSIDE_ADMIN_USER" },
  adminPassword: { flag: "admin-password", env: "QUAYSIDE_ADMIN_PASSWORD" },
  adminEmail: { flag: "admin-email", env: "QUAYSIDE_ADMIN_EMAIL" },
  superUsers: { flag: "super-users", env: "QUAYSIDE_SUPER_USERS" },
  appTokenExpiration: { flag: "app-token-expiration", env: "QUAYSIDE_APP_TOKEN_EXPIRATION" },
  smtpUrl: { flag: "smtp-url", env: "QUAYSIDE_SMTP_URL" },
  mailFrom: { flag: "mail-from", env: "QUAYSIDE_MAIL_FROM" },
  registryTokenTtl: { flag: "registry-token-ttl", env: "QUAYSIDE_REGISTRY_TOKEN_TTL" },
  manifestCacheMb: { flag: "manifest-cache-mb", env: "QUAYSIDE_MANIFEST_CACHE_MB" },
  trustedProxies: { flag: "trusted-proxies", env: "QUAYSIDE_TRUSTED_PROXIES" },
  logRequests: { flag: "log-requests", env: "QUAYSIDE_LOG_REQUESTS" },
  gcGrace: { flag: "gc-grace", env: "QUAYSIDE_GC_GRACE" },
} satisfies Record<string, Setting>;

type Raw = Partial<Record<keyof typeof settings, string>>;

const booleanText = z
  .enum(["true", "false", "1", "0", "yes", "no", "on", "off"])
  .transform((v) => ["true", "1", "yes", "on"].includes(v));

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
  adminUser: z.string().optional(),
  adminPassword: z.string().min(8, "must be at least 8 characters").optional(),
  adminEmail: z.email().optional(),
  superUsers: z
    .string()
    .transform((v) => v.split(",").map((s) => s.trim()).filter(Boolean))
    .default([]),
  appTokenExpiration: z
    .string()
    .regex(/^\d+[smhdw]?$/, "must be a duration such as 90d, 12h or 3600 (seconds)")
    .transform(durationSeconds)
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
  gcGrace: z
    .string()
    .regex(/^\d+[smhdw]?$/, "must be a duration such as 1h, 30m or 3600 (seconds)")
    .transform(durationSeconds)
    .pipe(z.number().int().min(60, "must be at least a minute"))
    .default(3600),
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

export function loadConfig(
  env: Record<string, string | undefined>,
  argv: readonly string[] = [],
): Config {
  const flags = parseFlags(argv);
  const known = new Set(Object.values(settings).map((s) => s.flag));
  for (const name of flags.keys()) {
    if (!known.has(name)) throw new ConfigError(`unknown flag --${name}`);
  }
  const raw: Raw = {};
  for (const [key, setting] of Object.entries(settings) as [keyof typeof settings, Setting][]) {
    const value = flags.get(setting.flag) ?? env[setting.env];
    if (value !== undefined && value !== "") raw[key] = value;
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const key = issue.path[0] as keyof typeof settings;
      const s = settings[key];
      return `  ${s ? `${s.env} / --${s.flag}` : String(key)}: ${issue.message}`;
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
    features: { openSignup: v.openSignup, userInitialize: v.userInitialize },
    admin: v.adminUser && v.adminPassword
      ? { username: v.adminUser, password: v.adminPassword, email: v.adminEmail ?? `${v.adminUser}@localhost` }
      : undefined,
    superUsers: v.superUsers,
    appTokenLifetime: v.appTokenExpiration,
    mail: v.smtpUrl ? { smtpUrl: v.smtpUrl, from: v.mailFrom ?? "quayside@localhost" } : undefined,
    registryTokenTtl: v.registryTokenTtl,
    manifestCacheBytes: v.manifestCacheMb * 1024 * 1024,
    trustedProxies: v.trustedProxies,
    logRequests: v.logRequests,
    gc: { graceSeconds: v.gcGrace },
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

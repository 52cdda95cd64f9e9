// The Postgres schema. `npm run db:generate` turns changes here into a new SQL migration
// under db/migrations, which is checked in and applied at start.
import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  boolean,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  serial,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => "bytea" });
const ts = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });
const size = (name: string) => bigint(name, { mode: "number" });

/** Key/value settings the instance generates once and every node shares (e.g. the token signing key). */
export const instanceSettings = pgTable("instance_settings", {
  key: text("key").primaryKey(),
  value: text("value").notNull(),
});

/** Users and organizations share one namespace of names. */
export const namespaces = pgTable("namespaces", {
  id: serial("id").primaryKey(),
  name: text("name").notNull().unique(),
  kind: text("kind", { enum: ["user", "org"] }).notNull(),
  createdAt: ts("created_at").notNull().defaultNow(),
});

export const users = pgTable("users", {
  id: serial("id").primaryKey(),
  namespaceId: integer("namespace_id").notNull().unique().references(() => namespaces.id, { onDelete: "cascade" }),
  username: text("username").notNull().unique(),
  email: text("email").notNull(),
  passwordHash: text("password_hash"),
  superuser: boolean("superuser").notNull().default(false),
  enabled: boolean("enabled").notNull().default(true),
  /**
   * Bumped (by a trigger) whenever the password, `enabled` or `superuser` changes: registry
   * tokens and remembered logins carry the value they were issued under and die with it.
   */
  authGeneration: integer("auth_generation").notNull().default(0),
  verified: boolean("verified").notNull().default(true),
  createdAt: ts("created_at").notNull().defaultNow(),
});

export const sessions = pgTable("sessions", {
  /** sha256 of the cookie value, so a database leak does not leak sessions. */
  idHash: text("id_hash").primaryKey(),
  userId: integer("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
  csrfToken: text("csrf_token").notNull(),
  createdAt: ts("created_at").notNull().defaultNow(),
  expiresAt: ts("expires_at").notNull(),
});

export const oauthApps = pgTable("oauth_apps", {
  id: serial("id").primaryKey(),
  namespaceId: integer("namespace_id").notNull().references(() => namespaces.id, { onDelete: "cascade" }),
  name: text("name").notNull(),
  clientId: text("client_id").notNull().unique(),
  clientSecret: text("client_secret").notNull(),
  redirectUri: text("redirect_uri").notNull().default(""),
  applicationUri: text("application_uri").notNull().default(""),
  description: text("description").notNull().default(""),
  createdAt: ts("created_at").notNull().defaultNow(),
});

export const oauthTokens = pgTable("oauth_tokens", {
  id: serial("id").primaryKey(),
  uuid: uuid("uuid").notNull().unique().defaultRandom(),
  appId: integer("app_id").references(() => oauthApps.id, { onDelete: "cascade" }),
  userId: integer("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
  tokenHash: text("token_hash").notNull().unique(),
  scopes: text("scopes").notNull(),
  createdAt: ts("created_at").notNull().defaultNow(),
  expiresAt: ts("expires_at"),
});

export const repositories = pgTable(
  "repositories",
  {
    id: serial("id").primaryKey(),
    namespaceId: integer("namespace_id").notNull().references(() => namespaces.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    visibility: text("visibility", { enum: ["public", "private"] }).notNull().default("private"),
    description: text("description").notNull().default(""),
    kind: text("kind", { enum: ["image"] }).notNull().default("image"),
    state: text("state", { enum: ["NORMAL", "READ_ONLY", "MIRROR", "MARKED_FOR_DELETION"] })
      .notNull()
      .default("NORMAL"),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  (t) => [uniqueIndex("repositories_namespace_name").on(t.namespaceId, t.name)],
);

export const repoPermissions = pgTable(
  "repo_permissions",
  {
    repositoryId: integer("repository_id").notNull().references(() => repositories.id, { onDelete: "cascade" }),
    userId: integer("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    role: text("role", { enum: ["read", "write", "admin"] }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.repositoryId, t.userId] })],
);

export const stars = pgTable(
  "stars",
  {
    userId: integer("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    repositoryId: integer("repository_id").notNull().references(() => repositories.id, { onDelete: "cascade" }),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.repositoryId] })],
);

/** Content-addressed blobs present in storage (one row per digest, shared by all repositories). */
export const blobs = pgTable("blobs", {
  digest: text("digest").primaryKey(),
  size: size("size").notNull(),
  createdAt: ts("created_at").notNull().defaultNow(),
});

/** Which repositories a blob has been pushed or mounted into: a blob is only visible through these. */
export const repoBlobs = pgTable(
  "repo_blobs",
  {
    repositoryId: integer("repository_id").notNull().references(() => repositories.id, { onDelete: "cascade" }),
    digest: text("digest").notNull().references(() => blobs.digest),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.repositoryId, t.digest] }), index("repo_blobs_digest").on(t.digest)],
);

export const uploads = pgTable("uploads", {
  id: uuid("id").primaryKey(),
  repositoryId: integer("repository_id").notNull().references(() => repositories.id, { onDelete: "cascade" }),
  /** Bytes received so far. */
  size: size("size").notNull().default(0),
  createdAt: ts("created_at").notNull().defaultNow(),
  updatedAt: ts("updated_at").notNull().defaultNow(),
});

export const manifests = pgTable(
  "manifests",
  {
    id: serial("id").primaryKey(),
    repositoryId: integer("repository_id").notNull().references(() => repositories.id, { onDelete: "cascade" }),
    digest: text("digest").notNull(),
    mediaType: text("media_type").notNull(),
    raw: bytea("raw").notNull(),
    configDigest: text("config_digest"),
    configMediaType: text("config_media_type"),
    subjectDigest: text("subject_digest"),
    artifactType: text("artifact_type"),
    /** Annotations, kept for the referrers API. */
    annotations: jsonb("annotations").$type<Record<string, string>>(),
    /** Sum of the layers' compressed sizes (0 for an index). */
    layersSize: size("layers_size").notNull().default(0),
    createdAt: ts("created_at").notNull().defaultNow(),
    /** Set by DELETE by digest: hidden from the registry, kept for tag history until garbage collection. */
    deletedAt: ts("deleted_at"),
  },
  (t) => [
    uniqueIndex("manifests_repository_digest").on(t.repositoryId, t.digest),
    index("manifests_subject").on(t.repositoryId, t.subjectDigest),
  ],
);

/** Blobs (config and layers) a manifest references, in order. */
export const manifestBlobs = pgTable(
  "manifest_blobs",
  {
    manifestId: integer("manifest_id").notNull().references(() => manifests.id, { onDelete: "cascade" }),
    position: integer("position").notNull(),
    digest: text("digest").notNull().references(() => blobs.digest),
    size: size("size").notNull(),
    mediaType: text("media_type"),
  },
  (t) => [primaryKey({ columns: [t.manifestId, t.position] }), index("manifest_blobs_digest").on(t.digest)],
);

/** Manifests an index or manifest list references. */
export const manifestChildren = pgTable(
  "manifest_children",
  {
    manifestId: integer("manifest_id").notNull().references(() => manifests.id, { onDelete: "cascade" }),
    childId: integer("child_id").notNull().references(() => manifests.id),
    position: integer("position").notNull(),
  },
  (t) => [primaryKey({ columns: [t.manifestId, t.position] }), index("manifest_children_child").on(t.childId)],
);

/**
 * A tag row is never updated in place except to end it: moving a tag ends one row and starts
 * another. Live tags have lifetime_end null.
 */
export const tags = pgTable(
  "tags",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    repositoryId: integer("repository_id").notNull().references(() => repositories.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    manifestId: integer("manifest_id").notNull().references(() => manifests.id),
    lifetimeStart: ts("lifetime_start").notNull(),
    lifetimeEnd: ts("lifetime_end"),
    expiresAt: ts("expires_at"),
    hidden: boolean("hidden").notNull().default(false),
    reversion: boolean("reversion").notNull().default(false),
  },
  (t) => [
    uniqueIndex("tags_live_name").on(t.repositoryId, t.name).where(sql`${t.lifetimeEnd} is null`),
    // The registry lists tags in byte order (`n`/`last` paging): walk this instead of sorting.
    index("tags_live_name_bytes")
      .on(t.repositoryId, sql`${t.name} collate "C"`)
      .where(sql`${t.lifetimeEnd} is null`),
    index("tags_manifest").on(t.manifestId),
  ],
);

export const auditLog = pgTable(
  "audit_log",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    kind: text("kind").notNull(),
    namespaceId: integer("namespace_id"),
    repositoryId: integer("repository_id"),
    performerId: integer("performer_id"),
    ip: text("ip"),
    metadata: jsonb("metadata").$type<Record<string, unknown>>().notNull().default({}),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  (t) => [
    index("audit_log_namespace_time").on(t.namespaceId, t.createdAt),
    index("audit_log_repository_time").on(t.repositoryId, t.createdAt),
  ],
);

// The Postgres schema. `npm run db:generate` turns changes here into a new SQL migration
// under db/migrations, which is checked in and applied at start.
import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  boolean,
  customType,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  serial,
  text,
  timestamp,
  unique,
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
  /** The time machine: how long deleted or moved-away tags stay restorable (Quay's default: 2 weeks). */
  tagExpirationS: integer("tag_expiration_s").notNull().default(1_209_600),
  createdAt: ts("created_at").notNull().defaultNow(),
});

/** An organization's own settings; its name and repositories hang off its namespace. */
export const organizations = pgTable("organizations", {
  namespaceId: integer("namespace_id").primaryKey().references(() => namespaces.id, { onDelete: "cascade" }),
  email: text("email").notNull().default(""),
  invoiceEmail: boolean("invoice_email").notNull().default(false),
  invoiceEmailAddress: text("invoice_email_address"),
});

/**
 * People and robot accounts (as in Quay, a robot is a user row: teams and repository permissions
 * treat both alike). A person owns the namespace of their name; a robot `owner+short` belongs to
 * its owner's namespace and has no namespace of its own, no password, and a token instead.
 */
export const users = pgTable("users", {
  id: serial("id").primaryKey(),
  /** The person's own namespace; null for robots. */
  namespaceId: integer("namespace_id").unique().references(() => namespaces.id, { onDelete: "cascade" }),
  kind: text("kind", { enum: ["user", "robot"] }).notNull().default("user"),
  /** For robots: the user or organization namespace the robot belongs to. */
  robotOwnerNamespaceId: integer("robot_owner_namespace_id").references(() => namespaces.id, { onDelete: "cascade" }),
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
  /** Robots: description and Quay's `unstructured_metadata`. */
  description: text("description").notNull().default(""),
  robotMetadata: jsonb("robot_metadata").$type<Record<string, unknown>>(),
  /** Robots: sha256 of the token (for login) and the token sealed with the instance key (to show it again). */
  robotTokenHash: text("robot_token_hash").unique(),
  robotTokenSealed: text("robot_token_sealed"),
  lastAccessedAt: ts("last_accessed_at"),
  createdAt: ts("created_at").notNull().defaultNow(),
});

/** Trusted OIDC issuer/subject pairs that may exchange their ID token for a short-lived robot token. */
export const robotFederations = pgTable(
  "robot_federations",
  {
    robotId: integer("robot_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    issuer: text("issuer").notNull(),
    subject: text("subject").notNull(),
  },
  (t) => [primaryKey({ columns: [t.robotId, t.issuer, t.subject] })],
);

/** Teams of an organization. Role: member (only its grants), creator (may create repositories), admin. */
export const teams = pgTable(
  "teams",
  {
    id: serial("id").primaryKey(),
    namespaceId: integer("namespace_id").notNull().references(() => namespaces.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    role: text("role", { enum: ["member", "creator", "admin"] }).notNull(),
    description: text("description").notNull().default(""),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  (t) => [uniqueIndex("teams_namespace_name").on(t.namespaceId, t.name)],
);

export const teamMembers = pgTable(
  "team_members",
  {
    teamId: integer("team_id").notNull().references(() => teams.id, { onDelete: "cascade" }),
    userId: integer("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
  },
  (t) => [primaryKey({ columns: [t.teamId, t.userId] }), index("team_members_user").on(t.userId)],
);

/** An invitation to join a team, by user or by email; accepted or declined through its code. */
export const teamInvitations = pgTable(
  "team_invitations",
  {
    id: serial("id").primaryKey(),
    teamId: integer("team_id").notNull().references(() => teams.id, { onDelete: "cascade" }),
    userId: integer("user_id").references(() => users.id, { onDelete: "cascade" }),
    email: text("email"),
    inviterId: integer("inviter_id").references(() => users.id, { onDelete: "set null" }),
    /** sha256 of the code sent in the accept/decline link. */
    codeHash: text("code_hash").notNull().unique(),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  (t) => [index("team_invitations_team").on(t.teamId), index("team_invitations_user").on(t.userId)],
);

export const sessions = pgTable("sessions", {
  /** sha256 of the cookie value, so a database leak does not leak sessions. */
  idHash: text("id_hash").primaryKey(),
  userId: integer("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
  csrfToken: text("csrf_token").notNull(),
  createdAt: ts("created_at").notNull().defaultNow(),
  expiresAt: ts("expires_at").notNull(),
});

/** Application-specific tokens: a user's password stand-ins for CLI logins, each revocable. */
export const appTokens = pgTable("app_tokens", {
  id: serial("id").primaryKey(),
  uuid: uuid("uuid").notNull().unique().defaultRandom(),
  userId: integer("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
  title: text("title").notNull(),
  tokenHash: text("token_hash").notNull().unique(),
  /** The token sealed with the instance key, so its owner can view it again as Quay allows. */
  tokenSealed: text("token_sealed").notNull(),
  createdAt: ts("created_at").notNull().defaultNow(),
  lastAccessedAt: ts("last_accessed_at"),
  expiresAt: ts("expires_at"),
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
  avatarEmail: text("avatar_email"),
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

/**
 * Quay's assigned authorizations: an organization admin asks (POST /oauth/authorize/assignuser)
 * that a user grant an application these scopes; the user sees it and approves or declines.
 */
export const oauthAssignedAuthorizations = pgTable(
  "oauth_assigned_authorizations",
  {
    id: serial("id").primaryKey(),
    uuid: uuid("uuid").notNull().unique().defaultRandom(),
    appId: integer("app_id").notNull().references(() => oauthApps.id, { onDelete: "cascade" }),
    userId: integer("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    redirectUri: text("redirect_uri").notNull(),
    scopes: text("scopes").notNull(),
    responseType: text("response_type").notNull().default("token"),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  (t) => [index("oauth_assigned_authorizations_user").on(t.userId)],
);

export const repositories = pgTable(
  "repositories",
  {
    id: serial("id").primaryKey(),
    namespaceId: integer("namespace_id").notNull().references(() => namespaces.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    visibility: text("visibility", { enum: ["public", "private"] }).notNull().default("private"),
    description: text("description").notNull().default(""),
    kind: text("kind", { enum: ["image"] }).notNull().default("image"),
    state: text("state", { enum: ["NORMAL", "READ_ONLY", "MIRROR", "ORG_MIRROR", "MARKED_FOR_DELETION"] })
      .notNull()
      .default("NORMAL"),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("repositories_namespace_name").on(t.namespaceId, t.name),
    // Search (`/api/v1/find/*`, the header box) matches `like '%text%'` on names and descriptions.
    index("repositories_name_trgm").using("gin", sql`${t.name} gin_trgm_ops`),
    index("repositories_description_trgm").using("gin", sql`lower(${t.description}) gin_trgm_ops`),
  ],
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

/** A team's role on a repository (users and robots have theirs in repo_permissions). */
export const teamRepoPermissions = pgTable(
  "team_repo_permissions",
  {
    repositoryId: integer("repository_id").notNull().references(() => repositories.id, { onDelete: "cascade" }),
    teamId: integer("team_id").notNull().references(() => teams.id, { onDelete: "cascade" }),
    role: text("role", { enum: ["read", "write", "admin"] }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.repositoryId, t.teamId] }), index("team_repo_permissions_team").on(t.teamId)],
);

/**
 * Quay's permission prototypes: when a repository is created in the organization (by
 * `activatingUserId`, or by anyone when null), grant the delegate user/robot or team `role`.
 */
export const defaultPermissions = pgTable(
  "default_permissions",
  {
    id: serial("id").primaryKey(),
    uuid: uuid("uuid").notNull().unique().defaultRandom(),
    namespaceId: integer("namespace_id").notNull().references(() => namespaces.id, { onDelete: "cascade" }),
    activatingUserId: integer("activating_user_id").references(() => users.id, { onDelete: "cascade" }),
    delegateUserId: integer("delegate_user_id").references(() => users.id, { onDelete: "cascade" }),
    delegateTeamId: integer("delegate_team_id").references(() => teams.id, { onDelete: "cascade" }),
    role: text("role", { enum: ["read", "write", "admin"] }).notNull(),
  },
  (t) => [index("default_permissions_namespace").on(t.namespaceId)],
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
    // Expiry: the job that ends expired tags and the time machine find them by time.
    // The Tags tab and `GET /tag/` list newest first and page; history walks all rows so.
    index("tags_live_start").on(t.repositoryId, t.lifetimeStart.desc(), t.name).where(sql`${t.lifetimeEnd} is null`),
    index("tags_history_start").on(t.repositoryId, t.lifetimeStart.desc()),
    index("tags_live_expiry").on(t.expiresAt).where(sql`${t.lifetimeEnd} is null and ${t.expiresAt} is not null`),
  ],
);

/**
 * Labels on a manifest (Quay's): from the image config at push (`source_type` manifest), added
 * through the API (`api`) or by Quayside itself (`internal`). Keys under reserved prefixes are
 * refused from the API.
 */
export const manifestLabels = pgTable(
  "manifest_labels",
  {
    id: serial("id").primaryKey(),
    uuid: uuid("uuid").notNull().unique().defaultRandom(),
    manifestId: integer("manifest_id").notNull().references(() => manifests.id, { onDelete: "cascade" }),
    key: text("key").notNull(),
    value: text("value").notNull(),
    mediaType: text("media_type", { enum: ["text/plain", "application/json"] }).notNull().default("text/plain"),
    sourceType: text("source_type", { enum: ["manifest", "api", "internal"] }).notNull(),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  (t) => [index("manifest_labels_manifest").on(t.manifestId)],
);

/**
 * One row per garbage-collection run. A run that stopped (process restart) is resumed from its
 * cursors; the superuser's status page reads the newest rows.
 */
export const gcRuns = pgTable("gc_runs", {
  id: serial("id").primaryKey(),
  startedAt: ts("started_at").notNull().defaultNow(),
  /** Last heartbeat of the process working on the run; a stale one means it may be resumed. */
  heartbeatAt: ts("heartbeat_at").notNull().defaultNow(),
  finishedAt: ts("finished_at"),
  /** Phase in progress: uploads, manifests, blobs, done. */
  phase: text("phase").notNull().default("uploads"),
  /** Highest manifest id examined so far (manifests phase walks ids upwards). */
  manifestCursor: integer("manifest_cursor").notNull().default(0),
  /** Highest blob digest examined so far (blobs phase walks digests upwards). */
  blobCursor: text("blob_cursor").notNull().default(""),
  manifestsExamined: integer("manifests_examined").notNull().default(0),
  manifestsDeleted: integer("manifests_deleted").notNull().default(0),
  blobsExamined: integer("blobs_examined").notNull().default(0),
  blobsDeleted: integer("blobs_deleted").notNull().default(0),
  uploadsDeleted: integer("uploads_deleted").notNull().default(0),
  bytesReclaimed: size("bytes_reclaimed").notNull().default(0),
  error: text("error"),
});

/**
 * The usage log. Partitioned by month on `created_at` (migration 0009; drizzle cannot say so):
 * retention drops a whole month, and a namespace's or repository's recent rows sit in the few
 * newest partitions. Hence the key (id, created_at): a partitioned table's keys hold its
 * partition column.
 */
export const auditLog = pgTable(
  "audit_log",
  {
    id: bigserial("id", { mode: "number" }).notNull(),
    kind: text("kind").notNull(),
    namespaceId: integer("namespace_id"),
    repositoryId: integer("repository_id"),
    performerId: integer("performer_id"),
    /** user, robot, oauth_app (a user acting through an OAuth token), anonymous; null: the system. */
    performerKind: text("performer_kind", { enum: ["user", "robot", "oauth_app", "anonymous"] }),
    ip: text("ip"),
    metadata: jsonb("metadata").$type<Record<string, unknown>>().notNull().default({}),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.id, t.createdAt] }),
    index("audit_log_namespace_time").on(t.namespaceId, t.createdAt),
    index("audit_log_repository_time").on(t.repositoryId, t.createdAt),
    index("audit_log_performer_time").on(t.performerId, t.createdAt),
    // The usage-log text filter's detail match (logs.ts): trigrams of the address and the metadata's
    // values (digests left out). Pulls are left out: they are most of the log, written in batches
    // that must stay cheap; they match by action and performer. The function is migration 0011's.
    index("audit_log_search_trgm")
      .using("gin", sql`audit_log_search_text(${t.ip}, ${t.metadata}) gin_trgm_ops`)
      .where(sql`${t.kind} <> 'pull_repo'`),
  ],
);

/**
 * How many usage-log rows each UTC day holds per namespace, repository, performer and kind, so the
 * charts and `aggregatelogs` read a few hundred rows instead of counting millions. Kept by
 * migration 0011's statement trigger on every insert into audit_log (whoever writes it: the
 * audit writers, the pull log's batches) and by retention when it drops rows. Rows with neither a
 * namespace nor a repository are in no one's log and not counted.
 */
export const auditLogDayCounts = pgTable(
  "audit_log_day_counts",
  {
    namespaceId: integer("namespace_id"),
    day: date("day", { mode: "string" }).notNull(),
    kind: text("kind").notNull(),
    repositoryId: integer("repository_id"),
    performerId: integer("performer_id"),
    count: bigint("count", { mode: "number" }).notNull(),
  },
  (t) => [
    unique("audit_log_day_counts_key").on(t.namespaceId, t.day, t.kind, t.repositoryId, t.performerId).nullsNotDistinct(),
    index("audit_log_day_counts_repository").on(t.repositoryId, t.day),
  ],
);

/**
 * Pull counts per tag (Quay's tag pull statistics), fed by the batched pull log: one row per tag
 * ever pulled by name, with the manifest it named at its last pull. Deleting the tag resets it.
 */
export const tagPullStats = pgTable(
  "tag_pull_stats",
  {
    repositoryId: integer("repository_id")
      .notNull()
      .references(() => repositories.id, { onDelete: "cascade" }),
    tag: text("tag").notNull(),
    pullCount: bigint("pull_count", { mode: "number" }).notNull(),
    lastPulledAt: ts("last_pulled_at").notNull(),
    manifestDigest: text("manifest_digest").notNull(),
  },
  (t) => [primaryKey({ columns: [t.repositoryId, t.tag] })],
);

/** Pull counts per manifest (by tag or by digest), fed like `tagPullStats`. */
export const manifestPullStats = pgTable(
  "manifest_pull_stats",
  {
    repositoryId: integer("repository_id")
      .notNull()
      .references(() => repositories.id, { onDelete: "cascade" }),
    manifestDigest: text("manifest_digest").notNull(),
    pullCount: bigint("pull_count", { mode: "number" }).notNull(),
    lastPulledAt: ts("last_pulled_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.repositoryId, t.manifestDigest] })],
);

/**
 * Quay's repository notifications: when `event` happens in the repository, deliver it by `method`
 * with `config` (webhook URL, e-mail address, in-app target…), if `eventConfig` (a minimum
 * severity, a ref regex, days before expiry) lets it through. `numberOfFailures` counts events
 * whose delivery failed in a row; at the limit the notification is disabled until reset.
 */
export const repositoryNotifications = pgTable(
  "repository_notifications",
  {
    id: serial("id").primaryKey(),
    uuid: uuid("uuid").notNull().unique().defaultRandom(),
    repositoryId: integer("repository_id")
      .notNull()
      .references(() => repositories.id, { onDelete: "cascade" }),
    title: text("title"),
    event: text("event").notNull(),
    method: text("method").notNull(),
    config: jsonb("config").$type<Record<string, unknown>>().notNull().default({}),
    eventConfig: jsonb("event_config").$type<Record<string, unknown>>().notNull().default({}),
    numberOfFailures: integer("number_of_failures").notNull().default(0),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  (t) => [index("repository_notifications_repository_event").on(t.repositoryId, t.event)],
);

/**
 * E-mail addresses allowed to receive a repository's notifications: an address is confirmed by
 * the link mailed to it (`code`) before an e-mail notification may use it.
 */
export const repositoryAuthorizedEmails = pgTable(
  "repository_authorized_emails",
  {
    id: serial("id").primaryKey(),
    repositoryId: integer("repository_id")
      .notNull()
      .references(() => repositories.id, { onDelete: "cascade" }),
    email: text("email").notNull(),
    code: text("code").notNull().unique(),
    confirmed: boolean("confirmed").notNull().default(false),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  (t) => [uniqueIndex("repository_authorized_emails_repository_email").on(t.repositoryId, t.email)],
);

/**
 * In-app notifications (Quay's bell): one row per target namespace — a user, or an organization
 * whose admins all see it. `kind` is the event name; `metadata` the event's data.
 */
export const userNotifications = pgTable(
  "user_notifications",
  {
    id: serial("id").primaryKey(),
    uuid: uuid("uuid").notNull().unique().defaultRandom(),
    targetNamespaceId: integer("target_namespace_id")
      .notNull()
      .references(() => namespaces.id, { onDelete: "cascade" }),
    kind: text("kind").notNull(),
    metadata: jsonb("metadata").$type<Record<string, unknown>>().notNull().default({}),
    dismissed: boolean("dismissed").notNull().default(false),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  (t) => [
    index("user_notifications_target_time").on(t.targetNamespaceId, t.createdAt),
    // The bell counts the undismissed: kept apart so a long dismissed history costs nothing.
    index("user_notifications_unread").on(t.targetNamespaceId).where(sql`not ${t.dismissed}`),
  ],
);

/**
 * `repo_image_expiry` told once per notification and tag (Quay's TagNotificationSuccess): a tag
 * row whose expiry enters a notification's window is noted here when its event is queued.
 */
export const tagExpiryNotices = pgTable(
  "tag_expiry_notices",
  {
    notificationId: integer("notification_id")
      .notNull()
      .references(() => repositoryNotifications.id, { onDelete: "cascade" }),
    tagId: bigint("tag_id", { mode: "number" })
      .notNull()
      .references(() => tags.id, { onDelete: "cascade" }),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.notificationId, t.tagId] })],
);

/**
 * The scanner's per-layer cache: what one layer holds (its wanted files' packages, release files,
 * whiteouts: `LayerContents`), read once per layer digest whatever image or repository it is in.
 * A newer `indexerVersion` (detectors changed) reads the layer again.
 */
export const layerIndexes = pgTable("layer_indexes", {
  digest: text("digest").primaryKey(),
  indexerVersion: integer("indexer_version").notNull(),
  contents: jsonb("contents").notNull(),
  indexedAt: ts("indexed_at").notNull().defaultNow(),
});

/**
 * A manifest's scan, by digest (the same content in two repositories is scanned once): queued,
 * scanning, scanned, unsupported (not an image the scanner reads: an index, an artifact, Docker
 * schema 1) or failed, with the distribution its os-release names.
 */
export const manifestScans = pgTable("manifest_scans", {
  digest: text("digest").primaryKey(),
  status: text("status", { enum: ["queued", "scanning", "scanned", "unsupported", "failed"] }).notNull(),
  indexerVersion: integer("indexer_version").notNull().default(0),
  distribution: jsonb("distribution").$type<{
    id: string;
    versionId: string;
    versionCodename?: string;
    prettyName?: string;
  } | null>(),
  error: text("error"),
  queuedAt: ts("queued_at").notNull().defaultNow(),
  scannedAt: ts("scanned_at"),
});

/**
 * Each distinct installed package the scanner has seen. Distribution packages carry the
 * distribution they were found on (the advisories that apply depend on it); language packages
 * have "" there. Matching is per package, so 10 000 images on one base share its rows.
 */
export const scannedPackages = pgTable(
  "scanned_packages",
  {
    id: serial("id").primaryKey(),
    ecosystem: text("ecosystem").notNull(),
    name: text("name").notNull(),
    version: text("version").notNull(),
    sourceName: text("source_name").notNull().default(""),
    sourceVersion: text("source_version").notNull().default(""),
    arch: text("arch").notNull().default(""),
    distroId: text("distro_id").notNull().default(""),
    distroVersionId: text("distro_version_id").notNull().default(""),
    distroCodename: text("distro_codename").notNull().default(""),
  },
  (t) => [
    uniqueIndex("scanned_packages_identity").on(
      t.ecosystem,
      t.distroId,
      t.distroVersionId,
      t.name,
      t.version,
      t.sourceName,
      t.sourceVersion,
      t.arch,
    ),
    index("scanned_packages_name").on(t.ecosystem, t.name),
    index("scanned_packages_source").on(t.ecosystem, t.sourceName),
  ],
);

/** Which packages a scanned manifest holds, where, and the layer that introduced each. */
export const manifestPackages = pgTable(
  "manifest_packages",
  {
    manifestDigest: text("manifest_digest")
      .notNull()
      .references(() => manifestScans.digest, { onDelete: "cascade" }),
    packageId: integer("package_id")
      .notNull()
      .references(() => scannedPackages.id, { onDelete: "cascade" }),
    path: text("path").notNull(),
    layerIndex: integer("layer_index").notNull(),
    layerDigest: text("layer_digest").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.manifestDigest, t.packageId, t.path] }),
    index("manifest_packages_package").on(t.packageId),
  ],
);

/**
 * Imported vulnerability advisories, one row per affected package (the `Advisory` record):
 * OSV-shaped ranges, normalized severity, the distribution release for distribution packages
 * ("" for language packages).
 */
export const advisories = pgTable(
  "advisories",
  {
    id: serial("id").primaryKey(),
    source: text("source").notNull(),
    advisoryId: text("advisory_id").notNull(),
    aliases: jsonb("aliases").$type<string[]>().notNull().default([]),
    summary: text("summary").notNull().default(""),
    description: text("description").notNull().default(""),
    link: text("link").notNull().default(""),
    severity: text("severity").notNull(),
    ecosystem: text("ecosystem").notNull(),
    packageName: text("package_name").notNull(),
    distroId: text("distro_id").notNull().default(""),
    distroRelease: text("distro_release").notNull().default(""),
    ranges: jsonb("ranges").notNull().default([]),
    versions: jsonb("versions").$type<string[]>().notNull().default([]),
    modified: text("modified"),
    importedAt: ts("imported_at").notNull().defaultNow(),
    /** The import location that last brought it (a re-import of that location drops what it no longer has). */
    sourceId: integer("source_id").references(() => vulnerabilitySources.id, { onDelete: "cascade" }),
  },
  (t) => [
    uniqueIndex("advisories_identity").on(t.source, t.advisoryId, t.ecosystem, t.distroId, t.distroRelease, t.packageName),
    index("advisories_package").on(t.ecosystem, t.packageName),
    index("advisories_source").on(t.sourceId),
  ],
);

/** The match of a package against an advisory: it is affected, and `fixedBy` is the fix ("" if none). */
export const packageVulnerabilities = pgTable(
  "package_vulnerabilities",
  {
    packageId: integer("package_id")
      .notNull()
      .references(() => scannedPackages.id, { onDelete: "cascade" }),
    advisoryId: integer("advisory_id")
      .notNull()
      .references(() => advisories.id, { onDelete: "cascade" }),
    fixedBy: text("fixed_by").notNull().default(""),
  },
  (t) => [primaryKey({ columns: [t.packageId, t.advisoryId] }), index("package_vulnerabilities_advisory").on(t.advisoryId)],
);

/** Where advisories come from (a file path or URL) and how its last import went, for the refresh job. */
export const vulnerabilitySources = pgTable("vulnerability_sources", {
  id: serial("id").primaryKey(),
  location: text("location").notNull().unique(),
  format: text("format", { enum: ["osv", "alpine-secdb", "debian-tracker"] }).notNull(),
  lastImportedAt: ts("last_imported_at"),
  lastError: text("last_error"),
  advisoryCount: integer("advisory_count").notNull().default(0),
  etag: text("etag"),
});

/** How a mirror's last or running sync stands (Quay's RepoMirrorStatus). */
const MIRROR_SYNC_STATUSES = ["NEVER_RUN", "SYNC_NOW", "SYNCING", "SUCCESS", "FAIL", "CANCEL"] as const;

/** How a mirror reaches its upstream: credentials (sealed), TLS checking, proxies. */
const upstreamAccessColumns = () => ({
  usernameSealed: text("username_sealed"),
  passwordSealed: text("password_sealed"),
  verifyTls: boolean("verify_tls").notNull().default(true),
  httpProxy: text("http_proxy"),
  httpsProxy: text("https_proxy"),
  noProxy: text("no_proxy"),
});

/** Who pushes a mirror's copies, when it syncs next and how its syncs stand. */
const mirrorScheduleColumns = () => ({
  robotUserId: integer("robot_user_id").references(() => users.id, { onDelete: "set null" }),
  syncIntervalS: integer("sync_interval_s").notNull().default(86_400),
  syncStartDate: ts("sync_start_date").notNull(),
  syncExpirationDate: ts("sync_expiration_date"),
  syncRetriesRemaining: integer("sync_retries_remaining").notNull().default(3),
  syncStatus: text("sync_status", { enum: MIRROR_SYNC_STATUSES }).notNull().default("NEVER_RUN"),
  skopeoTimeoutS: integer("skopeo_timeout_s").notNull().default(300),
});

/**
 * A repository kept as a copy of an upstream repository (state MIRROR): which tags (globs),
 * from where, with which credentials (sealed as app tokens are, `server/auth/encrypted-passwords.ts`),
 * pushed by which robot, how often. `syncStartDate` is when the next sync is due;
 * `syncExpirationDate` when a running sync's claim lapses (its worker died), so another may take it.
 */
export const repositoryMirrors = pgTable(
  "repository_mirrors",
  {
    repositoryId: integer("repository_id")
      .primaryKey()
      .references(() => repositories.id, { onDelete: "cascade" }),
    isEnabled: boolean("is_enabled").notNull().default(true),
    externalReference: text("external_reference").notNull(),
    ...upstreamAccessColumns(),
    unsignedImages: boolean("unsigned_images").notNull().default(false),
    tagGlobs: jsonb("tag_globs").$type<string[]>().notNull(),
    architectureFilter: jsonb("architecture_filter").$type<string[]>().notNull().default([]),
    /** Tags gone upstream are removed here too. */
    removeMissingTags: boolean("remove_missing_tags").notNull().default(true),
    ...mirrorScheduleColumns(),
    /** Changes with every claim of the mirror, so a stale worker's writes are refused. */
    syncTransactionId: uuid("sync_transaction_id").notNull().defaultRandom(),
    lastSyncAt: ts("last_sync_at"),
    lastError: text("last_error"),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  (t) => [index("repository_mirrors_due").on(t.syncStartDate).where(sql`${t.isEnabled}`)],
);

/**
 * An organization that mirrors a whole upstream namespace (Quay's organization mirroring): each
 * upstream repository matching `repositoryFilters` becomes a repository here (state ORG_MIRROR),
 * synced with the same robot, schedule and credentials.
 */
export const organizationMirrors = pgTable("organization_mirrors", {
  namespaceId: integer("namespace_id")
    .primaryKey()
    .references(() => namespaces.id, { onDelete: "cascade" }),
  isEnabled: boolean("is_enabled").notNull().default(true),
  externalRegistryType: text("external_registry_type").notNull(),
  externalRegistryUrl: text("external_registry_url").notNull(),
  externalNamespace: text("external_namespace").notNull(),
  ...upstreamAccessColumns(),
  repositoryFilters: jsonb("repository_filters").$type<string[]>().notNull().default([]),
  visibility: text("visibility", { enum: ["public", "private"] }).notNull().default("private"),
  ...mirrorScheduleColumns(),
  createdAt: ts("created_at").notNull().defaultNow(),
});

/** The upstream repositories an organization mirror has found, and how each one's sync went. */
export const organizationMirrorRepositories = pgTable(
  "organization_mirror_repositories",
  {
    namespaceId: integer("namespace_id")
      .notNull()
      .references(() => organizationMirrors.namespaceId, { onDelete: "cascade" }),
    name: text("name").notNull(),
    repositoryId: integer("repository_id").references(() => repositories.id, { onDelete: "set null" }),
    syncStatus: text("sync_status", { enum: MIRROR_SYNC_STATUSES }).notNull().default("NEVER_RUN"),
    statusMessage: text("status_message"),
    discoveryDate: ts("discovery_date").notNull().defaultNow(),
    lastSyncDate: ts("last_sync_date"),
  },
  (t) => [primaryKey({ columns: [t.namespaceId, t.name] })],
);

/**
 * An organization that is a pull-through cache of an upstream registry (Quay's proxy cache):
 * `upstreamRegistry` is host[/namespace]; cached tags expire after `expirationS`.
 */
export const proxyCacheConfigs = pgTable("proxy_cache_configs", {
  namespaceId: integer("namespace_id")
    .primaryKey()
    .references(() => namespaces.id, { onDelete: "cascade" }),
  upstreamRegistry: text("upstream_registry").notNull(),
  usernameSealed: text("username_sealed"),
  passwordSealed: text("password_sealed"),
  expirationS: integer("expiration_s").notNull().default(86_400),
  /** Plain http to the upstream. */
  insecure: boolean("insecure").notNull().default(false),
  createdAt: ts("created_at").notNull().defaultNow(),
});

/**
 * When a proxied tag was last checked against its upstream and what it named then: a pull within
 * the staleness window is answered from the cache without asking upstream.
 */
export const proxyTagChecks = pgTable(
  "proxy_tag_checks",
  {
    repositoryId: integer("repository_id")
      .notNull()
      .references(() => repositories.id, { onDelete: "cascade" }),
    tag: text("tag").notNull(),
    upstreamDigest: text("upstream_digest").notNull(),
    checkedAt: ts("checked_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.repositoryId, t.tag] })],
);

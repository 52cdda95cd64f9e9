// JSON shapes of /api/v1 answers, field for field as Quay renders them.
import type { ScopeCaps } from "../domain/access/scopes.ts";
import type { DailyCount } from "../domain/repositories/repository-activity.ts";
import type { Repository } from "../domain/repositories/repositories.ts";
import type { TagView } from "../domain/content/tags.ts";
import type { User } from "../domain/accounts/users.ts";
import type { UserOrganization } from "../domain/accounts/organizations.ts";
import { avatar } from "./avatar.ts";
import { isoDay, rfc2822, unixSeconds } from "./dates.ts";

type Json = Record<string, unknown>;

/**
 * The signed-in user's own view. Account details need user:admin (sessions hold it); user:read
 * shows the organizations; superuser status shows only with the super:user scope.
 */
export function userView(user: User, caps: ScopeCaps, tagExpirationSeconds: number, organizations: UserOrganization[]): Json {
  const view: Json = { anonymous: false, username: user.username, avatar: avatar(user.username, user.email, "user") };
  if (caps.user === "admin") {
    Object.assign(view, {
      can_create_repo: true,
      is_me: true,
      verified: user.verified,
      email: user.email,
      logins: [],
      invoice_email: false,
      invoice_email_address: null,
      preferred_namespace: false,
      tag_expiration_s: tagExpirationSeconds,
      prompts: [],
      company: null,
      family_name: null,
      given_name: null,
      location: null,
      is_free_account: true,
      has_password_set: user.passwordHash !== null,
    });
  }
  // Organizations (those whose teams the user is in) show to any caller allowed to read the user.
  if (caps.user !== null) {
    view.organizations = organizations.map((o) => ({
      name: o.name,
      avatar: avatar(o.name, o.email, "org"),
      can_create_repo: o.role !== "member",
      public: false,
      is_org_admin: o.role === "admin",
      preferred_namespace: false,
    }));
  }
  if (user.superuser && caps.superuser) view.super_user = true;
  return view;
}

export interface ListItemExtras {
  /** Present only when asked for (`last_modified=true`); null when no tag is live. */
  lastModified?: Date | null;
  /** Present only when asked for (`popularity=true`). */
  popularity?: number;
  /** Present only for signed-in callers. */
  isStarred?: boolean;
}

export function repositoryListItem(repo: Repository, extras: ListItemExtras): Json {
  const item: Json = {
    namespace: repo.namespace,
    name: repo.name,
    description: repo.description,
    is_public: repo.visibility === "public",
    kind: repo.kind,
    state: repo.state,
    // Quota management is off: Quay still sends the key.
    quota: null,
  };
  if (extras.lastModified !== undefined) item.last_modified = extras.lastModified && unixSeconds(extras.lastModified);
  if (extras.popularity !== undefined) item.popularity = extras.popularity;
  if (extras.isStarred !== undefined) item.is_starred = extras.isStarred;
  return item;
}

export interface RepositoryViewFacts {
  isOrganization: boolean;
  isStarred: boolean;
  tagExpirationSeconds: number;
  canWrite: boolean;
  canAdmin: boolean;
  /** Live tags when `includeTags`. */
  tags?: TagView[];
  /** `includeStats`: daily counts found, to be zero-filled. */
  stats?: { counts: DailyCount[]; today: Date };
  /** Unique blob bytes the repository's manifests reference (domain/content/storage-usage.ts). */
  storageBytes: number;
}

/** Quay's window for repository stats: the 91 days before today, zero-filled. */
const STATS_DAYS = 92;

export function repositoryView(repo: Repository, facts: RepositoryViewFacts): Json {
  const view: Json = {
    namespace: repo.namespace,
    name: repo.name,
    kind: repo.kind,
    description: repo.description,
    is_public: repo.visibility === "public",
    is_organization: facts.isOrganization,
    is_starred: facts.isStarred,
    // No badge tokens yet; Quay sends "" for public repositories too.
    status_token: "",
    trust_enabled: false,
    tag_expiration_s: facts.tagExpirationSeconds,
    is_free_account: true,
    state: repo.state,
  };
  if (facts.tags) view.tags = Object.fromEntries(facts.tags.map((t) => [t.name, repositoryTagEntry(t)]));
  view.can_write = facts.canWrite;
  view.can_admin = facts.canAdmin;
  if (facts.stats) view.stats = statsView(facts.stats.counts, facts.stats.today);
  // Quay's quota_report (its list items carry it under quota management); no quotas here.
  view.quota_report = { quota_bytes: facts.storageBytes, configured_quota: null };
  return view;
}

/** Days with activity first, then a zero for each other day of the window (Quay's order). */
function statsView(counts: DailyCount[], today: Date): { date: string; count: number }[] {
  const found = new Set(counts.map((c) => c.date));
  const stats = counts.map((c) => ({ date: c.date, count: c.count }));
  for (let day = 1; day < STATS_DAYS; day++) {
    const date = isoDay(new Date(today.getTime() - day * 86_400_000));
    if (!found.has(date)) stats.push({ date, count: 0 });
  }
  return stats;
}

/** A tag as the repository view lists it. */
function repositoryTagEntry(tag: TagView): Json {
  const entry: Json = { name: tag.name, size: tagSize(tag) };
  if (tag.lifetimeStart.getTime() > 0) entry.last_modified = rfc2822(tag.lifetimeStart);
  const end = tagEnd(tag);
  if (end) entry.expiration = rfc2822(end);
  entry.manifest_digest = tag.manifestDigest;
  return entry;
}

/** A row of the tag history (`GET .../tag/`). */
export function tagItem(tag: TagView): Json {
  const item: Json = { name: tag.name, reversion: tag.reversion };
  const start = unixSeconds(tag.lifetimeStart);
  const end = tagEnd(tag);
  if (start > 0) item.start_ts = start;
  if (end && unixSeconds(end) > 0) item.end_ts = unixSeconds(end);
  item.manifest_digest = tag.manifestDigest;
  item.is_manifest_list = tag.isIndex;
  item.size = tagSize(tag);
  if (start > 0) item.last_modified = rfc2822(tag.lifetimeStart);
  if (end) item.expiration = rfc2822(end);
  if (tag.isIndex) {
    // Quay's sparse-index fields: every child of an index is stored here before the index is.
    item.is_sparse = false;
    item.child_manifest_count = tag.childCount;
    item.present_child_count = tag.childCount;
  }
  return item;
}

/** When the tag ended, or is due to expire. */
const tagEnd = (tag: TagView) => tag.lifetimeEnd ?? tag.expiresAt;

/** Layers' compressed size; none for an index, whose children carry the layers. */
const tagSize = (tag: TagView) => (tag.isIndex ? null : tag.size);

// A repository's notifications (Quay's RepositoryNotification): listing, creating with Quay's
// checks of the event, its filter and the method's configuration, deleting, and re-enabling one
// whose failed deliveries disabled it. Each change writes Quay's usage-log row in its transaction.
import { and, asc, eq, lt } from "drizzle-orm";
import type { DbOrTx } from "../../../db/client.ts";
import { repositoryNotifications } from "../../../db/schema.ts";
import type { Actor } from "../access/principal.ts";
import { findOrganization } from "../accounts/organizations.ts";
import { findAccount, findTeam } from "../accounts/teams.ts";
import { performedBy, writeAudit } from "../activity/audit.ts";
import { DomainError } from "../errors.ts";
import type { Services } from "../services.ts";
import { isConfirmedEmail } from "./authorized-emails.ts";
import {
  isNotificationEvent,
  isNotificationMethod,
  type NotificationEvent,
  type NotificationMethod,
  type RepositoryNotification,
  SEVERITY_INDEX,
} from "./catalog.ts";
import { templateProblem } from "./json-template.ts";
import { isUuid } from "../uuids.ts";

/**
 * A notification is disabled once `failureLimit` events in a row could not be delivered
 * (`config.notificationFailureLimit`, Quay's 3), until someone resets it.
 */
export const isDisabled = (n: Pick<RepositoryNotification, "numberOfFailures">, failureLimit: number): boolean =>
  n.numberOfFailures >= failureLimit;

/** The repository a notification belongs to, as the checks and the log rows need it. */
export interface NotificationRepo {
  id: number;
  namespaceId: number;
  namespace: string;
  name: string;
}

/** What creating a notification is given (Quay's NotificationCreateRequest). */
export interface NewNotification {
  event: string;
  method: string;
  config: Record<string, unknown>;
  eventConfig: Record<string, unknown>;
  title?: string | null;
}

/**
 * Which part of the request a refusal is about, in `DomainError.detail`, so a form can show it
 * at its field: `event`, `method`, `title`, `eventConfig.<key>` or `config.<key>`.
 */
export interface NotificationProblemDetail {
  field: string;
}

const refuse = (field: string, message: string): never => {
  throw new DomainError("INVALID_REQUEST", message, { field } satisfies NotificationProblemDetail);
};

/** The field a notification refusal names, if any (for the forms). */
export const problemField = (err: DomainError): string | undefined =>
  typeof err.detail === "object" && err.detail !== null && "field" in err.detail ? String(err.detail.field) : undefined;

/** Hosts outgoing notification URLs may not name (Quay's HOSTNAME_BLACKLIST), unless explicitly allowed. */
const LOCAL_HOSTS = ["localhost", "127.0.0.1", "[::1]"];

/**
 * Whether `text` is an http(s) URL a notification may post to: Quay's rule (no localhost), where
 * hosts in `allowedHosts` (QUAYSIDE_SSRF_ALLOWED_HOSTS, host or host:port) are let through.
 */
export function isPostableUrl(text: string, allowedHosts: readonly string[]): boolean {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return false;
  const allowed = allowedHosts.some((h) => [url.hostname, url.host].includes(h.toLowerCase()));
  return allowed || !LOCAL_HOSTS.includes(url.hostname.toLowerCase());
}

const text = (config: Record<string, unknown>, key: string): string => {
  const value = config[key];
  return typeof value === "string" ? value.trim() : typeof value === "number" ? String(value) : "";
};

/** A whole number within bounds, given as a number or as its digits; undefined otherwise. */
function wholeNumber(value: unknown, min: number, max: number): number | undefined {
  const n = typeof value === "number" ? value : typeof value === "string" && /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  return Number.isInteger(n) && n >= min && n <= max ? n : undefined;
}

/** The event's filter, checked and normalised (numbers as numbers); Quay's keys. */
function checkedEventConfig(event: NotificationEvent, config: Record<string, unknown>): Record<string, unknown> {
  if (event === "vulnerability_found") {
    if (config.level === undefined || config.level === null || config.level === "") return {};
    const level = wholeNumber(config.level, 0, Object.keys(SEVERITY_INDEX).length - 1);
    return level === undefined ? refuse("eventConfig.level", "Invalid vulnerability level") : { level };
  }
  if (event.startsWith("build_")) {
    const regex = text(config, "ref-regex");
    if (!regex) return {};
    try {
      new RegExp(regex);
    } catch {
      refuse("eventConfig.ref-regex", "Invalid ref regex");
    }
    return { "ref-regex": regex };
  }
  if (event === "repo_image_expiry") {
    if (config.days === undefined || config.days === "") refuse("eventConfig.days", "Missing number of days");
    const days = wholeNumber(config.days, 1, 3650);
    return days === undefined ? refuse("eventConfig.days", "The number of days must be a whole number from 1 to 3650") : { days };
  }
  return {};
}

/** Quay's validation of each method's configuration (CannotValidateNotificationMethodException); the config to store. */
async function checkedMethodConfig(
  db: DbOrTx,
  repo: NotificationRepo,
  method: NotificationMethod,
  config: Record<string, unknown>,
  allowedHosts: readonly string[],
): Promise<Record<string, unknown>> {
  switch (method) {
    case "webhook": {
      const url = text(config, "url");
      if (!url) refuse("config.url", "Missing webhook URL");
      if (!isPostableUrl(url, allowedHosts)) refuse("config.url", "Invalid webhook URL");
      const template = text(config, "template");
      const problem = template ? templateProblem(template) : undefined;
      if (problem) refuse("config.template", problem);
      return { ...config, url, ...(template ? { template } : {}) };
    }
    case "slack": {
      const url = text(config, "url");
      if (!url) refuse("config.url", "Missing Slack Callback URL");
      if (!isPostableUrl(url, allowedHosts)) refuse("config.url", "Invalid Slack Callback URL");
      return { ...config, url };
    }
    case "flowdock":
      if (!text(config, "flow_api_token")) refuse("config.flow_api_token", "Missing Flowdock API Token");
      return config;
    case "hipchat":
      if (!text(config, "notification_token")) refuse("config.notification_token", "Missing Hipchat Room Notification Token");
      if (!text(config, "room_id")) refuse("config.room_id", "Missing Hipchat Room ID");
      return config;
    case "email": {
      const email = text(config, "email");
      if (!email) refuse("config.email", "Missing e-mail address");
      if (!(await isConfirmedEmail(db, repo.id, email))) {
        refuse("config.email", "The specified e-mail address is not authorized to receive notifications for this repository");
      }
      return { ...config, email };
    }
    case "quay_notification":
      return { ...config, target: await checkedTarget(db, repo, config.target) };
  }
}

/** Quay's in-app target: an existing person, the repository's own organization, or one of its teams. */
async function checkedTarget(db: DbOrTx, repo: NotificationRepo, target: unknown): Promise<{ kind: string; name: string }> {
  const t = typeof target === "object" && target !== null ? (target as Record<string, unknown>) : {};
  const kind = text(t, "kind");
  const name = text(t, "name");
  if (!kind || !["user", "org", "team"].includes(kind)) refuse("config.target", "Missing target");
  if (kind === "user") {
    const account = name ? await findAccount(db, name) : undefined;
    if (account?.kind !== "user") refuse("config.target", `Unknown user ${name}`);
  } else if (kind === "org") {
    if (!name || !(await findOrganization(db, name))) refuse("config.target", `Unknown organization ${name}`);
    // Only an organization's own repositories may notify it.
    if (name !== repo.namespace) refuse("config.target", "Organization name must match repository namespace");
  } else if (!name || !(await findTeam(db, repo.namespaceId, name))) {
    refuse("config.target", `Unknown team ${name}`);
  }
  return { kind, name };
}

/** The repository's notifications, oldest first. */
export async function listNotifications(db: DbOrTx, repositoryId: number): Promise<RepositoryNotification[]> {
  return db
    .select()
    .from(repositoryNotifications)
    .where(eq(repositoryNotifications.repositoryId, repositoryId))
    .orderBy(asc(repositoryNotifications.id));
}

/** The notifications of the repository that `event` should reach: those not disabled by failures. */
export async function enabledNotificationsFor(
  db: DbOrTx,
  repositoryId: number,
  event: NotificationEvent,
  failureLimit: number,
): Promise<RepositoryNotification[]> {
  return db
    .select()
    .from(repositoryNotifications)
    .where(
      and(
        eq(repositoryNotifications.repositoryId, repositoryId),
        eq(repositoryNotifications.event, event),
        lt(repositoryNotifications.numberOfFailures, failureLimit),
      ),
    )
    .orderBy(asc(repositoryNotifications.id));
}

/** One notification of the repository by its uuid (undefined for another repository's or a malformed uuid). */
export async function findNotification(db: DbOrTx, repositoryId: number, uuid: string): Promise<RepositoryNotification | undefined> {
  if (!isUuid(uuid)) return undefined;
  const [row] = await db
    .select()
    .from(repositoryNotifications)
    .where(and(eq(repositoryNotifications.repositoryId, repositoryId), eq(repositoryNotifications.uuid, uuid.toLowerCase())));
  return row;
}

/** Quay's log metadata for a notification's change. */
const logRow = (repo: NotificationRepo, n: RepositoryNotification, kind: string, actor: Actor) => ({
  kind,
  namespaceId: repo.namespaceId,
  repositoryId: repo.id,
  ...performedBy(actor),
  metadata: { repo: repo.name, namespace: repo.namespace, notification_id: n.uuid, event: n.event, method: n.method },
});

/**
 * Adds a notification after Quay's checks (refusals are INVALID_REQUEST naming the field), with
 * its `add_repo_notification` row. `allowedHosts` lets URLs name otherwise refused local hosts.
 */
export async function createNotification(
  svc: Pick<Services, "db">,
  repo: NotificationRepo,
  input: NewNotification,
  actor: Actor,
  allowedHosts: readonly string[] = [],
): Promise<RepositoryNotification> {
  const { event, method } = input;
  if (!isNotificationEvent(event)) refuse("event", `Unknown event ${event || "(none)"}`);
  if (!isNotificationMethod(method)) refuse("method", `Unknown notification method ${method || "(none)"}`);
  const title = input.title?.trim() || null;
  if (title && title.length > 255) refuse("title", "The title must be at most 255 characters");
  const eventConfig = checkedEventConfig(event as NotificationEvent, input.eventConfig);
  const config = await checkedMethodConfig(svc.db, repo, method as NotificationMethod, input.config, allowedHosts);
  return svc.db.transaction(async (tx) => {
    const [created] = await tx
      .insert(repositoryNotifications)
      .values({ repositoryId: repo.id, title, event, method, config, eventConfig })
      .returning();
    await writeAudit(tx, logRow(repo, created!, "add_repo_notification", actor));
    return created!;
  });
}

/** Quay's refusal for a uuid the repository has no notification of. */
const unknownNotification = (repo: NotificationRepo, uuid: string) =>
  new DomainError("INVALID_REQUEST", `No repository notification found for: ${repo.namespace}, ${repo.name}, ${uuid}`);

/** A notification of the repository, or Quay's refusal naming the uuid (delete, reset and test answer it as 400). */
export async function notificationOrRefusal(db: DbOrTx, repo: NotificationRepo, uuid: string): Promise<RepositoryNotification> {
  const found = await findNotification(db, repo.id, uuid);
  if (!found) throw unknownNotification(repo, uuid);
  return found;
}

/** Changes one notification of the repository and writes its log row of `kind`, in one transaction; the changed row. */
function changeNotification(
  svc: Pick<Services, "db">,
  repo: NotificationRepo,
  uuid: string,
  actor: Actor,
  kind: string,
  change: (tx: DbOrTx, found: RepositoryNotification) => Promise<RepositoryNotification>,
): Promise<RepositoryNotification> {
  return svc.db.transaction(async (tx) => {
    const found = await notificationOrRefusal(tx, repo, uuid);
    const changed = await change(tx, found);
    await writeAudit(tx, logRow(repo, found, kind, actor));
    return changed;
  });
}

/** Deletes a notification with its `delete_repo_notification` row; the deleted one. */
export const deleteNotification = (svc: Pick<Services, "db">, repo: NotificationRepo, uuid: string, actor: Actor) =>
  changeNotification(svc, repo, uuid, actor, "delete_repo_notification", async (tx, found) => {
    await tx.delete(repositoryNotifications).where(eq(repositoryNotifications.id, found.id));
    return found;
  });

/** Re-enables a notification (its failure counter back to 0), with its `reset_repo_notification` row. */
export const resetNotificationFailures = (svc: Pick<Services, "db">, repo: NotificationRepo, uuid: string, actor: Actor) =>
  changeNotification(svc, repo, uuid, actor, "reset_repo_notification", async (tx, found) => {
    const [reset] = await tx.update(repositoryNotifications).set({ numberOfFailures: 0 }).where(eq(repositoryNotifications.id, found.id)).returning();
    return reset!;
  });

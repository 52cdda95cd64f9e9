// Delivering repository events: an event finds the repository's enabled notifications for it
// whose filter it passes and queues one delivery job each (pg-boss, jobs/notification-delivery.ts),
// so the emitter (a push) never waits for, or fails because of, an endpoint. A delivery that fails
// is tried again after growing delays (retryDelay, twice that, four times…, MAX_ATTEMPTS in all);
// an event whose tries are exhausted adds one to the notification's failure counter, a delivered
// one sets it back to 0, and a notification at the limit is disabled (notifications.ts
// `isDisabled`) until reset.
import { eq, sql } from "drizzle-orm";
import type { Db } from "../../../db/client.ts";
import { namespaces, repositories, repositoryNotifications } from "../../../db/schema.ts";
import type { Config } from "../../config.ts";
import { log } from "../../observability/log.ts";
import type { Clock } from "../clock.ts";
import type { JobQueue } from "../job-queue.ts";
import { isNotificationMethod, type NotificationEvent, type RepositoryNotification } from "./catalog.ts";
import { type EventData, EVENTS, type EventSubject } from "./events.ts";
import { DeliveryError } from "./methods/delivery-error.ts";
import type { MethodServices } from "./methods/method.ts";
import { METHODS } from "./methods/senders.ts";
import { enabledNotificationsFor, isDisabled } from "./notifications.ts";

export const NOTIFICATION_DELIVERY_QUEUE = "notification-delivery";
/** Tries per event: the first and three retries. */
export const MAX_ATTEMPTS = 4;

/** One event for one notification, as the queue carries it. */
export interface DeliveryJob {
  notificationId: number;
  event: NotificationEvent;
  data: EventData;
  performer?: string;
  /** 1 for the first try. */
  attempt: number;
  /** A test notification (sample data), delivered even while the notification is disabled. */
  test?: boolean;
}

export interface EmitServices {
  db: Db;
  jobs?: JobQueue;
  config: Pick<Config, "notificationFailureLimit">;
}

export interface RepositoryEvent {
  repositoryId: number;
  event: NotificationEvent;
  data: EventData;
  /** Who caused it (a pusher's name). */
  performer?: string;
  /** Only this notification (an event addressed to one, as the expiry job's are). */
  notificationId?: number;
}

/**
 * Queues the event for every enabled notification of the repository that wants it; how many.
 * Never throws: a problem is logged, and the caller goes on.
 */
export async function emitRepositoryEvent(svc: EmitServices, event: RepositoryEvent): Promise<number> {
  try {
    if (!svc.jobs) return 0;
    const found = await enabledNotificationsFor(svc.db, event.repositoryId, event.event, svc.config.notificationFailureLimit);
    const wanted = found.filter(
      (n) => (event.notificationId === undefined || n.id === event.notificationId) && EVENTS[event.event].matches(event.data, n.eventConfig),
    );
    for (const n of wanted) {
      const job: DeliveryJob = { notificationId: n.id, event: event.event, data: event.data, performer: event.performer, attempt: 1 };
      await svc.jobs.send(NOTIFICATION_DELIVERY_QUEUE, job);
    }
    return wanted.length;
  } catch (err) {
    log.error({ err, repositoryId: event.repositoryId, event: event.event }, "notifications: event not queued");
    return 0;
  }
}

/** The site's address for events raised outside a request: the public URL, else where this server listens. */
export function configuredSiteUrl(config: Pick<Config, "publicUrl" | "host" | "port">): string {
  if (config.publicUrl) return config.publicUrl;
  const host = config.host === "0.0.0.0" || config.host === "::" ? "localhost" : config.host;
  return `http://${host.includes(":") ? `[${host}]` : host}:${config.port}`;
}

async function repositoryNames(db: Db, repositoryId: number): Promise<{ namespace: string; name: string } | undefined> {
  const [row] = await db
    .select({ namespace: namespaces.name, name: repositories.name })
    .from(repositories)
    .innerJoin(namespaces, eq(namespaces.id, repositories.namespaceId))
    .where(eq(repositories.id, repositoryId));
  return row;
}

/**
 * Queues a test of the notification: its event's sample data for this repository, sent by its
 * method (Quay's test endpoint). `siteUrl` is scheme://host of the links (default: configuredSiteUrl).
 */
export async function queueTestNotification(
  svc: EmitServices & { clock: Clock; config: Pick<Config, "publicUrl" | "host" | "port"> },
  notification: RepositoryNotification,
  siteUrl?: string,
): Promise<void> {
  const names = await repositoryNames(svc.db, notification.repositoryId);
  if (!names || !svc.jobs) return;
  const event = notification.event as NotificationEvent;
  const subject: EventSubject = { siteUrl: siteUrl ?? configuredSiteUrl(svc.config), ...names };
  const data = EVENTS[event].sample(subject, notification.eventConfig, svc.clock.now());
  const job: DeliveryJob = { notificationId: notification.id, event, data, attempt: 1, test: true };
  await svc.jobs.send(NOTIFICATION_DELIVERY_QUEUE, job);
}

export interface DeliveryServices extends MethodServices {
  jobs?: JobQueue;
  failureLimit: number;
  /** Seconds before the first retry; each later one waits twice as long as the one before. */
  retryDelaySeconds: number;
}

export type DeliveryOutcome = "delivered" | "retrying" | "failed" | "skipped";

/** Seconds before try `attempt + 1` after try `attempt` failed. */
export const retryDelay = (baseSeconds: number, attempt: number) => baseSeconds * 2 ** (attempt - 1);

/** Sends one queued delivery, then records the outcome (counter reset, retry queued, or failure counted). */
export async function runDelivery(svc: DeliveryServices, job: DeliveryJob): Promise<DeliveryOutcome> {
  const [notification] = await svc.db.select().from(repositoryNotifications).where(eq(repositoryNotifications.id, job.notificationId));
  if (!notification || (!job.test && isDisabled(notification, svc.failureLimit))) return "skipped";
  const counter = repositoryNotifications.numberOfFailures;
  try {
    if (!isNotificationMethod(notification.method)) throw new DeliveryError(`Unknown method ${notification.method}`, { permanent: true });
    await METHODS[notification.method](svc, { notification, event: job.event, data: job.data, performer: job.performer });
  } catch (err) {
    if (!(err instanceof DeliveryError)) throw err;
    log.warn({ notification: notification.uuid, attempt: job.attempt, reason: err.message }, "notifications: delivery failed");
    if (!err.permanent && job.attempt < MAX_ATTEMPTS && svc.jobs) {
      const next: DeliveryJob = { ...job, attempt: job.attempt + 1 };
      await svc.jobs.send(NOTIFICATION_DELIVERY_QUEUE, next, { startAfter: retryDelay(svc.retryDelaySeconds, job.attempt) });
      return "retrying";
    }
    await svc.db.update(repositoryNotifications).set({ numberOfFailures: sql`${counter} + 1` }).where(eq(repositoryNotifications.id, notification.id));
    return "failed";
  }
  if (notification.numberOfFailures > 0) {
    await svc.db.update(repositoryNotifications).set({ numberOfFailures: 0 }).where(eq(repositoryNotifications.id, notification.id));
  }
  return "delivered";
}

// The names Quay gives notification events and delivery methods (ExternalNotificationEvent /
// ExternalNotificationMethod), shared by the API, the UI, validation and delivery.
import type { repositoryNotifications } from "../../../db/schema.ts";

export const NOTIFICATION_EVENTS = [
  "repo_push",
  "build_queued",
  "build_start",
  "build_success",
  "build_failure",
  "build_cancelled",
  "vulnerability_found",
  "repo_mirror_sync_started",
  "repo_mirror_sync_success",
  "repo_mirror_sync_failed",
  "repo_image_expiry",
] as const;
export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];

export const NOTIFICATION_METHODS = ["quay_notification", "email", "webhook", "flowdock", "hipchat", "slack"] as const;
export type NotificationMethod = (typeof NOTIFICATION_METHODS)[number];

export const isNotificationEvent = (name: string): name is NotificationEvent =>
  (NOTIFICATION_EVENTS as readonly string[]).includes(name);
export const isNotificationMethod = (name: string): name is NotificationMethod =>
  (NOTIFICATION_METHODS as readonly string[]).includes(name);

/** A stored repository notification. */
export type RepositoryNotification = typeof repositoryNotifications.$inferSelect;

/** Quay's severity index, used by `vulnerability_found`'s `level` filter: lower is worse. */
export const SEVERITY_INDEX = { Critical: 0, High: 1, Medium: 2, Low: 3, Negligible: 4, Unknown: 5 } as const;
export type Severity = keyof typeof SEVERITY_INDEX;

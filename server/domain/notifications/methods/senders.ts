// The sender of each delivery method.
import type { NotificationMethod } from "../catalog.ts";
import { sendEmail } from "./email.ts";
import { sendFlowdock } from "./flowdock.ts";
import { sendHipchat } from "./hipchat.ts";
import type { Method } from "./method.ts";
import { sendInApp } from "./quay-notification.ts";
import { sendSlack } from "./slack.ts";
import { sendWebhook } from "./webhook.ts";

export const METHODS: Record<NotificationMethod, Method> = {
  quay_notification: sendInApp,
  email: sendEmail,
  webhook: sendWebhook,
  flowdock: sendFlowdock,
  hipchat: sendHipchat,
  slack: sendSlack,
};

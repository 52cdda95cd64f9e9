// What every delivery method receives: the notification, the event and its data, and the
// outside world it may reach (HTTP endpoints, mail, the database for the in-app bell).
import type { Db } from "../../../../db/client.ts";
import type { Clock } from "../../clock.ts";
import type { NotificationEvent, RepositoryNotification } from "../catalog.ts";
import type { EventData } from "../events.ts";
import type { HttpOptions } from "./http-post.ts";

export interface Delivery {
  notification: RepositoryNotification;
  event: NotificationEvent;
  data: EventData;
  /** Who caused the event (a pusher's name), for the messages that say so. */
  performer?: string;
}

export interface MethodServices {
  db: Db;
  clock: Clock;
  http: HttpOptions;
  /** Sends mail; undefined when this instance has none configured. */
  sendMail?: (mail: { to: string; subject: string; text: string; html?: string }) => Promise<void>;
  /** The From address Flowdock messages name. */
  mailFrom: string;
  /** Flowdock's and HipChat's API servers (tests point them at loopback receivers). */
  apiBases: { flowdock: string; hipchat: string };
}

export const PUBLIC_API_BASES = { flowdock: "https://api.flowdock.com", hipchat: "https://api.hipchat.com" } as const;

/** Sends one event by one method; a DeliveryError when it did not arrive. */
export type Method = (svc: MethodServices, delivery: Delivery) => Promise<void>;

/** A text setting of the method's config, "" when absent. */
export const configText = (delivery: Delivery, key: string) => {
  const value = delivery.notification.config[key];
  return typeof value === "string" ? value : "";
};

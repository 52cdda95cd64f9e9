// HipChat (API v2 room notification): the message in HTML, coloured by the event's level, and
// notifying the room only for errors.
import { eventMessage } from "../event-messages.ts";
import { EVENTS, type EventLevel } from "../events.ts";
import { DeliveryError } from "./delivery-error.ts";
import { postJson } from "./http-post.ts";
import { configText, type Method } from "./method.ts";

const COLOURS: Record<EventLevel, string> = { info: "gray", warning: "yellow", error: "red", success: "green", primary: "purple" };

export const sendHipchat: Method = async (svc, delivery) => {
  const token = configText(delivery, "notification_token");
  const room = configText(delivery, "room_id");
  if (!token) throw new DeliveryError("Missing Hipchat Room Notification Token", { permanent: true });
  if (!room) throw new DeliveryError("Missing Hipchat Room ID", { permanent: true });
  const level = EVENTS[delivery.event].level(delivery.data);
  const payload = {
    color: COLOURS[level],
    message: eventMessage(delivery.event, delivery.data, delivery.performer),
    notify: level === "error",
    message_format: "html",
  };
  const url = `${svc.apiBases.hipchat}/v2/room/${encodeURIComponent(room)}/notification?auth_token=${encodeURIComponent(token)}`;
  await postJson(url, payload, svc.http, "hipchat");
};

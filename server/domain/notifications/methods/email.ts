// E-mail: the event's summary as the subject, its message as the body (HTML, and plain text
// made from it), to the confirmed address in the notification's config.
import { eventMessage, unescapeHtml } from "../event-messages.ts";
import { EVENTS } from "../events.ts";
import { DeliveryError } from "./delivery-error.ts";
import { configText, type Method } from "./method.ts";

/** The message's text without markup: links keep their address after the text. */
const plainText = (html: string) =>
  unescapeHtml(
    html
      .replace(/<br\s*\/?>/g, "\n")
      .replace(/<a href="([^"]*)">([\s\S]*?)<\/a>/g, "$2 ($1)")
      .replace(/<[^>]+>/g, ""),
  );

export const sendEmail: Method = async (svc, delivery) => {
  const to = configText(delivery, "email");
  if (!to) throw new DeliveryError("Missing e-mail address", { permanent: true });
  if (!svc.sendMail) throw new DeliveryError("No mail server is configured (QUAYSIDE_SMTP_URL)", { permanent: true });
  const html = eventMessage(delivery.event, delivery.data, delivery.performer);
  try {
    await svc.sendMail({ to, subject: EVENTS[delivery.event].summary(delivery.data), text: plainText(html), html });
  } catch (err) {
    throw new DeliveryError(`Email was unable to be sent: ${err instanceof Error ? err.message : String(err)}`);
  }
};

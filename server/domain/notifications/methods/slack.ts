// Slack (incoming webhook): the summary as text and the message, in Slack's markup, as an
// attachment coloured by the event's level — the payload Quay sends.
import { eventMessage, unescapeHtml } from "../event-messages.ts";
import { EVENTS, type EventLevel } from "../events.ts";
import { DeliveryError } from "./delivery-error.ts";
import { postJson } from "./http-post.ts";
import { configText, type Method } from "./method.ts";

const COLOURS: Record<EventLevel, string> = { info: "#ffffff", warning: "warning", error: "danger", success: "good", primary: "good" };

/**
 * HTML to Slack's mrkdwn as Quay does it: line breaks and runs of spaces collapse, <br> becomes a
 * new line, links become <href|text>, <b>/<strong> *…*, <i> _…_; other tags are dropped.
 */
export function slackMarkup(html: string): string {
  const flat = html.replace(/\n/g, "").replace(/\s+/g, " ").replace(/<br>/g, "\n");
  return flat.replace(/<(\/?)([a-zA-Z]+)([^>]*)>|([^<]+)/g, (_, closing: string, tag: string | undefined, attrs: string, text: string | undefined) => {
    if (text !== undefined) return unescapeHtml(text);
    const name = tag!.toLowerCase();
    if (name === "a") return closing ? ">" : `<${unescapeHtml(/href="([^"]*)"/.exec(attrs)?.[1] ?? "")}|`;
    if (name === "b" || name === "strong") return "*";
    if (name === "i") return "_";
    return "";
  });
}

export const sendSlack: Method = async (svc, delivery) => {
  const url = configText(delivery, "url");
  if (!url) throw new DeliveryError("Missing Slack Callback URL", { permanent: true });
  const event = EVENTS[delivery.event];
  const summary = event.summary(delivery.data);
  const message = eventMessage(delivery.event, delivery.data, delivery.performer);
  const payload = {
    text: summary,
    username: "quayside",
    attachments: [{ fallback: summary, text: slackMarkup(message), color: COLOURS[event.level(delivery.data)], mrkdwn_in: ["text"] }],
  };
  await postJson(url, payload, svc.http, "Slack");
};

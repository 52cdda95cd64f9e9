// Webhook: POSTs the event data as JSON, or the notification's custom template filled with it,
// presenting the configured client certificate to https endpoints.
import { applyTemplate, TemplateError } from "../json-template.ts";
import { DeliveryError } from "./delivery-error.ts";
import { postJson } from "./http-post.ts";
import { configText, type Method } from "./method.ts";

/** The body a webhook receives for this delivery. */
export function webhookBody(template: string, data: unknown): unknown {
  if (!template) return data;
  try {
    return applyTemplate(template, data);
  } catch (err) {
    if (err instanceof TemplateError) throw new DeliveryError(err.message, { permanent: true });
    throw err;
  }
}

export const sendWebhook: Method = async (svc, delivery) => {
  const url = configText(delivery, "url");
  if (!url) throw new DeliveryError("Missing webhook URL", { permanent: true });
  await postJson(url, webhookBody(configText(delivery, "template"), delivery.data), svc.http, "webhook");
};

// Flowdock (Team Inbox API): a message to the flow whose API token the notification holds.
import { eventMessage } from "../event-messages.ts";
import { EVENTS } from "../events.ts";
import { DeliveryError } from "./delivery-error.ts";
import { postJson } from "./http-post.ts";
import { configText, type Method } from "./method.ts";

export const sendFlowdock: Method = async (svc, delivery) => {
  const token = configText(delivery, "flow_api_token");
  if (!token) throw new DeliveryError("Missing Flowdock API Token", { permanent: true });
  const { data, event } = delivery;
  const payload = {
    source: "Quayside",
    from_address: svc.mailFrom,
    subject: EVENTS[event].summary(data),
    content: eventMessage(event, data, delivery.performer),
    from_name: data.namespace,
    project: `${data.namespace} ${data.name}`,
    tags: [`#${event}`],
    link: data.homepage,
  };
  await postJson(`${svc.apiBases.flowdock}/v1/messages/team_inbox/${encodeURIComponent(token)}`, payload, svc.http, "flowdock");
};

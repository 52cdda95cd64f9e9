// One JSON POST to a notification's endpoint (webhook, Slack, Flowdock, HipChat). The URL must
// pass the SSRF rule callbacks obey (a public address, or a host in QUAYSIDE_SSRF_ALLOWED_HOSTS),
// checked at every delivery since a name may resolve elsewhere later. Node's http/https client
// (Deno provides it too) rather than fetch, because fetch cannot present a client certificate.
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { callbackUrlProblem } from "../../activity/log-export.ts";
import { DeliveryError } from "./delivery-error.ts";

/** Quay's NOTIFICATION_SEND_TIMEOUT. */
const SEND_TIMEOUT_MS = 10_000;

export interface HttpOptions {
  /** Hosts that may be reached although they resolve to internal addresses. */
  allowedHosts: readonly string[];
  /** PEM client certificate and key presented to https endpoints that ask for one (webhooks). */
  clientCertificate?: { cert: string; key: string };
}

/** POSTs `body` as JSON; a DeliveryError unless the endpoint answers 2xx. */
export async function postJson(url: string, body: unknown, options: HttpOptions, what: string): Promise<void> {
  const problem = await callbackUrlProblem(url, options.allowedHosts);
  if (problem) throw new DeliveryError(`${problem} for ${what}: ${url}`, { permanent: true });
  const payload = Buffer.from(JSON.stringify(body));
  const https = url.startsWith("https:");
  const status = await new Promise<number>((resolve, reject) => {
    const req = (https ? httpsRequest : httpRequest)(url, {
      method: "POST",
      headers: { "content-type": "application/json", "content-length": String(payload.byteLength) },
      timeout: SEND_TIMEOUT_MS,
      ...(https && options.clientCertificate ? options.clientCertificate : {}),
    });
    req.on("response", (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`no answer within ${SEND_TIMEOUT_MS / 1000} s`)));
    req.on("error", reject);
    req.end(payload);
  }).catch((err: unknown) => {
    throw new DeliveryError(`${what} to ${url} could not be sent: ${err instanceof Error ? err.message : String(err)}`);
  });
  if (Math.floor(status / 100) !== 2) throw new DeliveryError(`${status} response for ${what} to url: ${url}`);
}

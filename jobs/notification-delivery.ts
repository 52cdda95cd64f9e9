// Delivers queued repository notifications (server/domain/notifications/delivery.ts): one job is
// one try of one event for one notification; a failed try queues the next itself, held back
// for a growing delay, so pg-boss's own retry only covers a worker that died mid-job.
import { readFile } from "node:fs/promises";
import type { Config } from "../server/config.ts";
import { type DeliveryJob, type DeliveryServices, NOTIFICATION_DELIVERY_QUEUE, runDelivery } from "../server/domain/notifications/delivery.ts";
import { PUBLIC_API_BASES } from "../server/domain/notifications/methods/method.ts";
import type { AppDeps } from "../server/deps.ts";
import { mailer } from "../server/mail.ts";
import type { JobDefinition } from "./index.ts";

type CertificateFiles = NonNullable<Config["notificationDelivery"]["clientCertificate"]>;
const certificates = new WeakMap<CertificateFiles, Promise<{ cert: string; key: string }>>();

/** The webhook client certificate's PEM text, read once per configuration. */
function clientCertificate(files: CertificateFiles | undefined) {
  if (!files) return undefined;
  let pem = certificates.get(files);
  if (!pem) {
    pem = Promise.all([readFile(files.certFile, "utf8"), readFile(files.keyFile, "utf8")]).then(([cert, key]) => ({ cert, key }));
    certificates.set(files, pem);
  }
  return pem;
}

/** What a delivery needs from the process; `apiBases` lets tests point Flowdock and HipChat at loopback. */
export async function deliveryServices(deps: AppDeps, apiBases: DeliveryServices["apiBases"] = PUBLIC_API_BASES): Promise<DeliveryServices> {
  const { config } = deps;
  return {
    db: deps.db,
    clock: deps.clock,
    jobs: deps.jobs,
    http: { allowedHosts: config.ssrfAllowedHosts, clientCertificate: await clientCertificate(config.notificationDelivery.clientCertificate) },
    sendMail: mailer(config),
    mailFrom: config.mail?.from ?? "quayside@localhost",
    apiBases,
    failureLimit: config.notificationFailureLimit,
    retryDelaySeconds: config.notificationDelivery.retryDelaySeconds,
  };
}

export const notificationDelivery: JobDefinition = {
  queue: NOTIFICATION_DELIVERY_QUEUE,
  // One try: ten seconds for the endpoint at most (Quay's NOTIFICATION_SEND_TIMEOUT), with margin.
  expireInSeconds: 120,
  retryLimit: 2,
  // A slow or dead endpoint holds one worker for its ten seconds, not every other delivery.
  workers: 4,
  async handle(deps, data) {
    await runDelivery(await deliveryServices(deps), data as DeliveryJob);
  },
};

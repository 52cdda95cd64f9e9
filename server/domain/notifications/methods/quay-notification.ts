// In-app ("Quay Notification"): a notification in the bell of the configured user, each member
// of a team of the repository's organization, or the organization itself.
import { DomainError } from "../../errors.ts";
import { deliverInApp } from "../in-app.ts";
import { DeliveryError } from "./delivery-error.ts";
import type { Method } from "./method.ts";

const TARGET_KINDS = ["user", "team", "org"] as const;
type TargetKind = (typeof TARGET_KINDS)[number];

export const sendInApp: Method = async (svc, delivery) => {
  const target = delivery.notification.config.target as { kind?: unknown; name?: unknown } | undefined;
  const kind = target?.kind;
  if (typeof kind !== "string" || !(TARGET_KINDS as readonly string[]).includes(kind) || typeof target?.name !== "string") {
    throw new DeliveryError("Missing target", { permanent: true });
  }
  try {
    await deliverInApp(svc, {
      repositoryNamespace: delivery.data.namespace,
      target: { kind: kind as TargetKind, name: target.name },
      kind: delivery.event,
      metadata: delivery.data,
    });
  } catch (err) {
    // An organization target that is not the repository's namespace (the one refusal deliverInApp makes).
    if (err instanceof DomainError) throw new DeliveryError(err.message, { permanent: true });
    throw err;
  }
};

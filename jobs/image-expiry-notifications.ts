// Every ten minutes: tells `repo_image_expiry` notifications about tags that will expire within
// their days (server/domain/notifications/image-expiry.ts).
import { configuredSiteUrl } from "../server/domain/notifications/delivery.ts";
import { notifyExpiringTags } from "../server/domain/notifications/image-expiry.ts";
import type { JobDefinition } from "./index.ts";

export const imageExpiryNotifications: JobDefinition = {
  queue: "image-expiry-notifications",
  cron: "*/10 * * * *",
  expireInSeconds: 300,
  retryLimit: 1,
  async handle(deps) {
    await notifyExpiringTags({ ...deps, siteUrl: configuredSiteUrl(deps.config) });
  },
};

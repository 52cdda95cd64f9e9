// Removes upload sessions nobody has touched for a day, with their partial bytes.
import { expireStaleUploads, STALE_UPLOAD_MS } from "../server/domain/content/uploads.ts";
import type { JobDefinition } from "./index.ts";

export const uploadCleanup: JobDefinition = {
  queue: "upload-cleanup",
  cron: "17 * * * *",
  expireInSeconds: 15 * 60,
  retryLimit: 2,
  async handle(deps) {
    const removed = await expireStaleUploads(deps, STALE_UPLOAD_MS);
    if (removed > 0) console.log(`jobs: removed ${removed} abandoned upload(s)`);
  },
};

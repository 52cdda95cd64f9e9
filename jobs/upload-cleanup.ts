// Removes upload sessions nobody has touched for a day, with their partial bytes.
import { expireStaleUploads } from "../server/domain/uploads.ts";
import type { JobDefinition } from "./index.ts";

export const STALE_UPLOAD_MS = 24 * 3600 * 1000;

export const uploadCleanup: JobDefinition = {
  queue: "upload-cleanup",
  cron: "17 * * * *",
  async handle(deps) {
    const removed = await expireStaleUploads(deps, STALE_UPLOAD_MS);
    if (removed > 0) console.log(`jobs: removed ${removed} abandoned upload(s)`);
  },
};

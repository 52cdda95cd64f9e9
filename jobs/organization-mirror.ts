// Organization mirroring: every minute (and at once after sync-now or a change), claims due
// organization mirrors and syncs them one after another (server/domain/mirroring/organization-sync.ts).
// A worker that dies leaves its claim to lapse; the next run resumes, skipping what was stored.
import { ORGANIZATION_MIRROR_QUEUE, syncDueOrgMirrors } from "../server/domain/mirroring/organization-sync.ts";
import type { JobDefinition } from "./index.ts";

export const organizationMirror: JobDefinition = {
  queue: ORGANIZATION_MIRROR_QUEUE,
  cron: "* * * * *",
  // A namespace of many repositories syncs long; the renewed claim guards against two workers.
  expireInSeconds: 6 * 3600,
  retryLimit: 0,
  workers: 1,
  async handle(deps) {
    await syncDueOrgMirrors(deps);
  },
};

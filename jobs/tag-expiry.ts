// Ends tag rows whose expiry has passed, at their expiry, so they join the time machine as ended
// rows (and its window starts counting). Readers never wait for this: an expired row is already
// gone to them (liveTagCondition).
import { endExpiredTags } from "../server/domain/content/tags.ts";
import type { JobDefinition } from "./index.ts";

/** Rows ended per statement: short transactions however many tags expire at once. */
const BATCH = 1000;

export const tagExpiry: JobDefinition = {
  queue: "tag-expiry",
  cron: "* * * * *",
  // Quick, and the next minute's job does the same work: a lost one is not worth a retry.
  expireInSeconds: 120,
  retryLimit: 0,
  async handle(deps) {
    const now = deps.clock.now();
    while ((await endExpiredTags(deps.db, now, BATCH)) === BATCH);
  },
};

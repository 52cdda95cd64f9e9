// Usage-log upkeep, daily: makes the coming months' partitions of audit_log before their rows
// arrive, and drops the months past QUAYSIDE_LOG_RETENTION (90 days) whole.
import { dropExpiredLogs, ensureLogPartitions } from "../server/domain/activity/log-retention.ts";
import { log } from "../server/observability/log.ts";
import type { JobDefinition } from "./index.ts";

/** Months made ahead: a month's partition exists weeks before its first row. */
const MONTHS_AHEAD = 2;

export const logRetention: JobDefinition = {
  queue: "log-retention",
  cron: "17 3 * * *",
  // Catalogue changes only (no rows are copied but the default partition's few): quick, and
  // tomorrow's run does the same.
  expireInSeconds: 600,
  retryLimit: 2,
  async handle(deps) {
    const now = deps.clock.now();
    const made = await ensureLogPartitions(deps.db, now, MONTHS_AHEAD);
    const dropped = await dropExpiredLogs(deps.db, now, deps.config.usageLog.retentionSeconds);
    if (made.length > 0 || dropped.length > 0) log.info({ made, dropped }, "usage log: partitions made and dropped");
  },
};

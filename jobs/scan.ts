// The security scanner's jobs (server/domain/scanning/indexing.ts): `security-scan` indexes one
// pushed manifest (a failed try queues the next itself, held back, so pg-boss's own retry only
// covers a worker that died mid-scan), and `security-scan-backfill` queues every ten minutes the
// scans pushes did not (manifests from before scanning existed, an older indexer's scans).
import { backfillScans, runScanJob, SCAN_QUEUE, type ScanJob } from "../server/domain/scanning/indexing.ts";
import { log } from "../server/observability/log.ts";
import type { JobDefinition } from "./index.ts";

export const securityScan: JobDefinition = {
  queue: SCAN_QUEUE,
  // Reading a few gigabytes of layers takes a minute or two on a small machine.
  expireInSeconds: 30 * 60,
  retryLimit: 2,
  async handle(deps, data) {
    await runScanJob(deps, data as ScanJob);
  },
};

export const securityScanBackfill: JobDefinition = {
  queue: "security-scan-backfill",
  cron: "*/10 * * * *",
  // The next tick does the same work: a lost one is not worth a retry.
  expireInSeconds: 300,
  retryLimit: 0,
  async handle(deps) {
    const queued = await backfillScans(deps);
    if (queued > 0) log.info({ queued }, "jobs: queued security scans the pushes had not");
  },
};

// pg-boss in the same Postgres: registers every queue, its schedule and (on worker roles) its
// handler. One file per queue beside this one.
import { once } from "node:events";
import type { EventEmitter } from "node:events";
import PgBoss from "pg-boss";
import type { Database } from "../db/client.ts";
import type { AppDeps } from "../server/deps.ts";
import { log } from "../server/observability/log.ts";
import { jobFailures, watchQueueDepths } from "../server/observability/metrics.ts";
import { uploadCleanup } from "./upload-cleanup.ts";
import { tagExpiry } from "./tag-expiry.ts";
import { garbageCollection } from "./garbage-collection.ts";
import { logExport } from "./log-export.ts";
import { logRetention } from "./log-retention.ts";
import { notificationDelivery } from "./notification-delivery.ts";
import { imageExpiryNotifications } from "./image-expiry-notifications.ts";
import { vulnerabilityRefresh } from "./vulnerability-refresh.ts";
import { securityScan, securityScanBackfill } from "./scan.ts";
import { organizationMirror } from "./organization-mirror.ts";
import { repositoryMirror } from "./repository-mirror.ts";

export interface JobDefinition {
  queue: string;
  /** Cron expression (UTC) for recurring jobs. */
  cron?: string;
  /**
   * How long a job may stay active before pg-boss's maintenance counts it failed (its worker
   * died, or hangs) and, within `retryLimit`, hands it to the next worker to poll. A worker
   * still running it is not stopped: handlers must tolerate a second copy.
   */
  expireInSeconds: number;
  retryLimit: number;
  /** Jobs of this queue one node runs at once (default 1): each is a pg-boss worker polling it. */
  workers?: number;
  handle(deps: AppDeps, data: unknown): Promise<void>;
}

const definitions: JobDefinition[] = [
  uploadCleanup,
  tagExpiry,
  garbageCollection,
  logExport,
  logRetention,
  notificationDelivery,
  imageExpiryNotifications,
  securityScan,
  securityScanBackfill,
  vulnerabilityRefresh,
  repositoryMirror,
  organizationMirror,
];

export interface Jobs {
  boss: PgBoss;
  stop(): Promise<void>;
}

/**
 * pg-boss's stop() ends its node-postgres pool, whose end() resolves once its connections are
 * asked to close, not once they have: Postgres stopped right after still found them open and
 * cut them off ("terminating connection due to administrator command"). So every connection
 * the pool opens is tracked (its `onConnect` hook) and stopping waits for each to end.
 */
function connectionTracker() {
  const open = new Set<EventEmitter>();
  return {
    onConnect(connection: EventEmitter) {
      open.add(connection);
      connection.once("end", () => open.delete(connection));
    },
    allClosed: () => Promise.all([...open].map((connection) => once(connection, "end"))),
  };
}

export async function startJobs(deps: AppDeps, database: Database, options: { work: boolean }): Promise<Jobs> {
  const connections = connectionTracker();
  const poolOptions = { connectionString: database.url, max: 4, onConnect: connections.onConnect };
  const boss = new PgBoss({ ...poolOptions, schedule: options.work, supervise: options.work });
  boss.on("error", (err) => log.error({ err }, "jobs: pg-boss error"));
  await boss.start();
  deps.jobs = boss;
  for (const job of definitions) {
    const policy = { name: job.queue, expireInSeconds: job.expireInSeconds, retryLimit: job.retryLimit };
    await boss.createQueue(job.queue, policy);
    // createQueue keeps an existing queue's settings: installations made before take these too.
    await boss.updateQueue(job.queue, policy);
    if (job.cron) await boss.schedule(job.queue, job.cron);
    for (let worker = 0; options.work && worker < (job.workers ?? 1); worker++) {
      await boss.work(job.queue, async (batch) => {
        try {
          for (const item of batch) await job.handle(deps, item.data);
        } catch (err) {
          // pg-boss records the failure and retries; the count is for alerting.
          jobFailures.inc({ queue: job.queue });
          log.error({ err, queue: job.queue }, "job failed");
          throw err;
        }
      });
    }
  }
  watchQueueDepths(async () => {
    const sizes = await Promise.all(definitions.map((job) => boss.getQueueSize(job.queue)));
    return new Map(definitions.map((job, i) => [job.queue, sizes[i]!]));
  });
  return {
    boss,
    async stop() {
      watchQueueDepths(undefined);
      await boss.stop({ graceful: true, wait: true, timeout: 10_000 });
      await connections.allClosed();
    },
  };
}

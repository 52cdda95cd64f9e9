// pg-boss in the same Postgres: registers every queue, its schedule and (on worker roles) its
// handler. One file per queue beside this one.
import PgBoss from "pg-boss";
import type { Database } from "../db/client.ts";
import type { AppDeps } from "../server/deps.ts";
import { uploadCleanup } from "./upload-cleanup.ts";

export interface JobDefinition {
  queue: string;
  /** Cron expression (UTC) for recurring jobs. */
  cron?: string;
  handle(deps: AppDeps, data: unknown): Promise<void>;
}

const definitions: JobDefinition[] = [uploadCleanup];

export interface Jobs {
  boss: PgBoss;
  stop(): Promise<void>;
}

export async function startJobs(deps: AppDeps, database: Database, options: { work: boolean }): Promise<Jobs> {
  const boss = new PgBoss({ connectionString: database.url, max: 4, schedule: options.work, supervise: options.work });
  boss.on("error", (err) => console.error("jobs:", err.message));
  await boss.start();
  for (const job of definitions) {
    await boss.createQueue(job.queue);
    if (job.cron) await boss.schedule(job.queue, job.cron);
    if (options.work) {
      await boss.work(job.queue, async (batch) => {
        for (const item of batch) await job.handle(deps, item.data);
      });
    }
  }
  return { boss, stop: () => boss.stop({ graceful: true, wait: true, timeout: 10_000 }) };
}

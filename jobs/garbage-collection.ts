// Online garbage collection every ten minutes (domain/content/garbage-collection.ts). A run that
// outlasts the interval is left to its worker: the next job finds it alive and returns; a run
// whose worker died is resumed from its cursors.
import { collectGarbage } from "../server/domain/content/garbage-collection.ts";
import { LostRunError, STALE_RUN_MS } from "../server/domain/content/gc-runs.ts";
import type { JobDefinition } from "./index.ts";

export const garbageCollection: JobDefinition = {
  queue: "garbage-collection",
  cron: "*/10 * * * *",
  // A run heartbeats after every batch; once its job expires, the retry goes to whichever worker
  // polls first. Expiring after the run counts as stale lets that retry resume it (sooner would
  // find it 'alive' and leave it to the next cron tick); a live run's retry just returns.
  expireInSeconds: STALE_RUN_MS / 1000 + 60,
  retryLimit: 3,
  async handle(deps) {
    // A run taken over by another worker (this one looked dead) is that worker's to finish.
    const run = await collectGarbage(deps, { graceSeconds: deps.config.gc.graceSeconds }).catch((err: unknown) => {
      if (err instanceof LostRunError) return undefined;
      throw err;
    });
    if (run && (run.manifestsDeleted > 0 || run.blobsDeleted > 0)) {
      console.log(
        `jobs: garbage collection deleted ${run.manifestsDeleted} manifest(s), ${run.blobsDeleted} blob(s), ${run.bytesReclaimed} bytes`,
      );
    }
  },
};

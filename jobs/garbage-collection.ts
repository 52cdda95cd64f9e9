// Online garbage collection every ten minutes (domain/content/garbage-collection.ts). A run that
// outlasts the interval is left to its worker: the next job finds it alive and returns; a run
// whose worker died is resumed from its cursors.
import { collectGarbage } from "../server/domain/content/garbage-collection.ts";
import { LostRunError } from "../server/domain/content/gc-runs.ts";
import type { JobDefinition } from "./index.ts";

export const garbageCollection: JobDefinition = {
  queue: "garbage-collection",
  cron: "*/10 * * * *",
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

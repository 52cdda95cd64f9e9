// Online garbage collection every ten minutes (domain/content/garbage-collection.ts). A run that
// outlasts the interval is left to its worker: the next job finds it alive and returns; a run
// whose worker died is resumed from its cursors.
import { collectGarbage } from "../server/domain/content/garbage-collection.ts";
import type { JobDefinition } from "./index.ts";

export const garbageCollection: JobDefinition = {
  queue: "garbage-collection",
  cron: "*/10 * * * *",
  async handle(deps) {
    const run = await collectGarbage(deps, { graceSeconds: deps.config.gc.graceSeconds });
    if (run && (run.manifestsDeleted > 0 || run.blobsDeleted > 0)) {
      console.log(
        `jobs: garbage collection deleted ${run.manifestsDeleted} manifest(s), ${run.blobsDeleted} blob(s), ${run.bytesReclaimed} bytes`,
      );
    }
  },
};

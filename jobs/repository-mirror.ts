// Repository mirroring: every minute (and at once after "sync now"), claims due mirrors and syncs
// them one after another (server/domain/mirroring/repository-sync.ts). Two workers per node, so
// one long sync does not hold up the others; a worker that dies leaves its claim to lapse, and the
// next run resumes the sync, skipping what was stored.
import { REPOSITORY_MIRROR_QUEUE, syncDueMirrors } from "../server/domain/mirroring/repository-sync.ts";
import type { JobDefinition } from "./index.ts";

export const repositoryMirror: JobDefinition = {
  queue: REPOSITORY_MIRROR_QUEUE,
  cron: "* * * * *",
  // A sync of many tags runs long; its claim (renewed while it runs) is what guards against two
  // workers, so pg-boss's expiry only needs to free a dead worker's job eventually.
  expireInSeconds: 6 * 3600,
  // The next minute's run picks up whatever is still due.
  retryLimit: 0,
  workers: 2,
  async handle(deps) {
    await syncDueMirrors(deps);
  },
};

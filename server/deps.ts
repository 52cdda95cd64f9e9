// What every door's handlers and every job receive, built once in runtime.ts. A leaf module:
// doors and jobs import their dependencies from here, never from app.ts, which mounts them.
// The registry door needs the most today; a door that needs more grows AppDeps here.
import type { JobQueue } from "./domain/job-queue.ts";
import type { RegistryDeps } from "./registry/deps.ts";

export interface AppDeps extends RegistryDeps {
  /** The job queue (pg-boss), once jobs have started (jobs/index.ts); in-process tests have none. */
  jobs?: JobQueue;
}

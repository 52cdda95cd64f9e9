// The job queue as the domain sees it (pg-boss in jobs/index.ts): doors and domain functions that
// hand work to a job depend on this, not on pg-boss.
export interface JobQueue {
  /** Queues a job; `startAfter` (seconds) holds it back that long. */
  send(queue: string, data: object, options?: { startAfter?: number }): Promise<unknown>;
}

// What domain operations need: the database, blob storage, the clock, the cache of hot registry
// reads and the failed-login limits.
import type { Db } from "../../db/client.ts";
import type { BlobStore } from "../storage/blob-store.ts";
import type { Clock } from "./clock.ts";
import type { ContentCache } from "./content/content-cache.ts";
import type { LoginThrottle } from "./accounts/login-throttle.ts";
import type { PullLog } from "./activity/pull-log.ts";

export interface Services {
  db: Db;
  store: BlobStore;
  clock: Clock;
  cache: ContentCache;
  logins: LoginThrottle;
  /** Pulls waiting to be written to the usage log and pull statistics (flushed within a second). */
  pulls: PullLog;
}

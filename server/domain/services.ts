// What domain operations on content need: the database, blob storage, the clock and the cache
// of hot registry reads.
import type { Db } from "../../db/client.ts";
import type { BlobStore } from "../storage/blob-store.ts";
import type { Clock } from "./clock.ts";
import type { ContentCache } from "./content-cache.ts";

export interface Services {
  db: Db;
  store: BlobStore;
  clock: Clock;
  cache: ContentCache;
}

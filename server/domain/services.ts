// What domain operations on content need: the database, blob storage and the clock.
import type { Db } from "../../db/client.ts";
import type { BlobStore } from "../storage/blob-store.ts";
import type { Clock } from "./clock.ts";

export interface Services {
  db: Db;
  store: BlobStore;
  clock: Clock;
}

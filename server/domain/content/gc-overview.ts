// What the superuser's garbage-collection page and API show: the runs' status, the grace
// period, and (when asked about a digest) why that blob is kept. One place for both doors.
import type { Services } from "../services.ts";
import { type BlobExplanation, explainBlob } from "./gc-explain.ts";
import { type GcStatus, gcStatus } from "./gc-runs.ts";

export interface GcOverview {
  status: GcStatus;
  graceSeconds: number;
  blob?: BlobExplanation;
}

export async function gcOverview(svc: Services, graceSeconds: number, digest?: string): Promise<GcOverview> {
  const now = svc.clock.now();
  const [status, blob] = await Promise.all([
    gcStatus(svc.db, now),
    digest ? explainBlob(svc.db, digest, { now, graceSeconds }) : undefined,
  ]);
  return { status, graceSeconds, blob };
}

// The garbage collector for superusers (Quayside's own; Quay has no such endpoint):
// `GET /api/v1/superuser/gc` its status (the latest and last finished runs, whether one is
// running now), with `?digest=` also why that blob is kept; `POST` starts a run now (202).
// Superusers only, refused in Quay's error shape like the rest of the superuser API.
import type { Hono } from "hono";
import { startGarbageCollection } from "../domain/content/garbage-collection.ts";
import type { BlobExplanation } from "../domain/content/gc-explain.ts";
import type { GcRun } from "../domain/content/gc-runs.ts";
import { gcOverview } from "../domain/content/gc-overview.ts";
import { invalidRequest } from "./errors.ts";
import type { ApiEnv, ApiRequest, ApiRoute } from "./request.ts";
import { requireSuperuser } from "./superuser.ts";

const seconds = (date: Date | null) => (date ? Math.floor(date.getTime() / 1000) : null);

function runView(run: GcRun | undefined) {
  if (!run) return null;
  return {
    id: run.id,
    started: seconds(run.startedAt),
    heartbeat: seconds(run.heartbeatAt),
    finished: seconds(run.finishedAt),
    phase: run.phase,
    manifests_examined: run.manifestsExamined,
    manifests_deleted: run.manifestsDeleted,
    blobs_examined: run.blobsExamined,
    blobs_deleted: run.blobsDeleted,
    uploads_deleted: run.uploadsDeleted,
    bytes_reclaimed: run.bytesReclaimed,
    error: run.error,
  };
}

function explanationView(e: BlobExplanation) {
  return {
    digest: e.digest,
    stored: e.stored,
    size: e.size,
    kept: e.kept,
    manifests: e.manifests.map((m) => ({
      repository: m.repository,
      digest: m.digest,
      reasons: m.reasons.map((r) => ({
        kind: r.kind,
        repository: r.repository,
        manifest_digest: r.manifest,
        ...("tag" in r ? { tag: r.tag } : {}),
        ...("until" in r ? { until: seconds(r.until) } : {}),
      })),
    })),
    links: e.links.map((l) => ({ repository: l.repository, linked: seconds(l.linkedAt), keeps_until: seconds(l.keepsUntil) })),
  };
}

async function status(r: ApiRequest): Promise<Response> {
  requireSuperuser(r);
  const digest = r.c.req.query("digest");
  if (digest !== undefined && !/^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/.test(digest)) {
    throw invalidRequest("Invalid digest");
  }
  const overview = await gcOverview(r.deps, r.deps.config.gc.graceSeconds, digest);
  return r.c.json({
    running: overview.status.running,
    grace_seconds: overview.graceSeconds,
    latest_run: runView(overview.status.latest),
    last_finished_run: runView(overview.status.lastFinished),
    ...(overview.blob ? { blob: explanationView(overview.blob) } : {}),
  });
}

async function runNow(r: ApiRequest): Promise<Response> {
  requireSuperuser(r);
  const run = await startGarbageCollection(r.deps, { graceSeconds: r.deps.config.gc.graceSeconds });
  return r.c.json({ started: run !== undefined, run: runView(run) }, 202);
}

export function mountGarbageCollectionRoutes(api: Hono<ApiEnv>, route: ApiRoute, notAllowed: () => never): void {
  api.get("/superuser/gc", route(status));
  api.post("/superuser/gc", route(runNow));
  api.all("/superuser/gc", notAllowed);
}

// Quay's pull statistics (§33): `GET …/tag/{tag}/pull_statistics` and
// `GET …/manifest/{digest}/pull_statistics`, counts and last pull times kept by the pull log.
// Dates are ISO 8601 in UTC to the second, as Quay's pull statistics give them.
import type { RepoRef } from "../domain/names.ts";
import { manifestPullStatistics, tagPullStatistics } from "../domain/activity/pull-statistics.ts";
import { authorizeExistingRepository } from "./auth.ts";
import { notFound } from "./errors.ts";
import type { ApiRequest } from "./request.ts";

const iso = (date: Date | null) => (date ? `${date.toISOString().slice(0, 19)}Z` : null);

export async function tagPullStatisticsHandler(r: ApiRequest, ref: RepoRef, [tag]: string[]): Promise<Response> {
  const { repo } = await authorizeExistingRepository(r.deps, r.caller, ref, "read");
  const stats = await tagPullStatistics(r.deps.db, repo.id, tag!, r.deps.clock.now());
  if (!stats) throw notFound();
  return r.c.json({
    tag_name: stats.tag,
    tag_pull_count: stats.count,
    last_tag_pull_date: iso(stats.lastPulledAt),
    current_manifest_digest: stats.manifest.digest,
    manifest_pull_count: stats.manifest.count,
    last_manifest_pull_date: iso(stats.manifest.lastPulledAt),
  });
}

export async function manifestPullStatisticsHandler(r: ApiRequest, ref: RepoRef, [digest]: string[]): Promise<Response> {
  const { repo } = await authorizeExistingRepository(r.deps, r.caller, ref, "read");
  const stats = await manifestPullStatistics(r.deps.db, repo.id, digest!);
  if (!stats) throw notFound();
  return r.c.json({ manifest_digest: stats.digest, manifest_pull_count: stats.count, last_manifest_pull_date: iso(stats.lastPulledAt) });
}

// Repository records by full name, served from the content cache when hot (every change to a
// repository or its grants, on any node, drops its record there).
import { parseRepoPath } from "../names.ts";
import { findRepository, type Repository } from "./repositories.ts";
import type { Services } from "../services.ts";

/** The cached record of `name`, else what `load` finds (remembered unless a change raced it). */
export async function cachedRepository(
  svc: Pick<Services, "cache">,
  name: string,
  load: () => Promise<Repository | undefined>,
): Promise<Repository | undefined> {
  const cached = svc.cache.repository(name);
  if (cached) return cached;
  const readAt = svc.cache.version;
  const repo = await load();
  if (repo) svc.cache.rememberRepository(name, repo, readAt);
  return repo;
}

/** The repository `name` (`namespace/name`) names, if it exists. */
export function knownRepository(svc: Pick<Services, "db" | "cache">, name: string): Promise<Repository | undefined> {
  return cachedRepository(svc, name, () => findRepository(svc.db, parseRepoPath(name)));
}

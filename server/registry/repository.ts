// Finding the repository a /v2 request names, after access has been checked. Hot repositories
// come from the content cache, which every change to them (on any node) invalidates.
import { DomainError } from "../domain/errors.ts";
import { parseRepoPath } from "../domain/names.ts";
import type { Actor } from "../domain/principal.ts";
import { findRepository, type Repository, repositoryForPush } from "../domain/repositories.ts";
import type { RegistryDeps } from "./deps.ts";

async function cachedRepository(
  deps: RegistryDeps,
  name: string,
  load: () => Promise<Repository | undefined>,
): Promise<Repository | undefined> {
  const cached = deps.cache.repository(name);
  if (cached) return cached;
  const readAt = deps.cache.version;
  const repo = await load();
  if (repo) deps.cache.rememberRepository(name, repo, readAt);
  return repo;
}

/** The repository `name` names, if it exists. */
export function knownRepository(deps: RegistryDeps, name: string): Promise<Repository | undefined> {
  return cachedRepository(deps, name, () => findRepository(deps.db, parseRepoPath(name)));
}

export async function existingRepository(deps: RegistryDeps, name: string): Promise<Repository> {
  const repo = await knownRepository(deps, name);
  if (!repo) throw new DomainError("NAME_UNKNOWN", "repository name not known to registry", { name });
  return repo;
}

/** The repository a push goes to, created (private) on first push. */
export async function pushTarget(deps: RegistryDeps, actor: Actor, name: string): Promise<Repository> {
  return (await cachedRepository(deps, name, () => repositoryForPush(deps.db, actor, parseRepoPath(name))))!;
}

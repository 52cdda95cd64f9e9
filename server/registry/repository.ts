// Finding the repository a /v2 request names, after access has been checked.
import { DomainError } from "../domain/errors.ts";
import { parseRepoPath } from "../domain/names.ts";
import type { Actor } from "../domain/principal.ts";
import { findRepository, type Repository, repositoryForPush } from "../domain/repositories.ts";
import type { RegistryDeps } from "./deps.ts";

export async function existingRepository(deps: RegistryDeps, name: string): Promise<Repository> {
  const repo = await findRepository(deps.db, parseRepoPath(name));
  if (!repo) throw new DomainError("NAME_UNKNOWN", "repository name not known to registry", { name });
  return repo;
}

/** The id of an existing repository, from memory when it is hot (manifest and blob reads). */
export async function existingRepositoryId(deps: RegistryDeps, name: string): Promise<number> {
  const cached = deps.cache.repositoryId(name);
  if (cached !== undefined) return cached;
  const readAt = deps.cache.version;
  const repo = await existingRepository(deps, name);
  deps.cache.rememberRepositoryId(name, repo.id, readAt);
  return repo.id;
}

export function pushTarget(deps: RegistryDeps, actor: Actor, name: string): Promise<Repository> {
  return repositoryForPush(deps.db, actor, parseRepoPath(name));
}

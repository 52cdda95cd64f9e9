// Finding the repository a /v2 request names, after access has been checked. Hot repositories
// come from the content cache, which every change to them (on any node) invalidates.
import { cachedRepository, knownRepository } from "../domain/repositories/cached-repositories.ts";
import { DomainError } from "../domain/errors.ts";
import { parseRepoPath } from "../domain/names.ts";
import type { Actor } from "../domain/access/principal.ts";
import { type Repository, repositoryForPush } from "../domain/repositories/repositories.ts";
import type { RegistryDeps } from "./deps.ts";

export { knownRepository };

export async function existingRepository(deps: RegistryDeps, name: string): Promise<Repository> {
  const repo = await knownRepository(deps, name);
  if (!repo) throw new DomainError("NAME_UNKNOWN", "repository name not known to registry", { name });
  return repo;
}

/** The repository a push goes to, created (private) on first push. */
export async function pushTarget(deps: RegistryDeps, actor: Actor, name: string): Promise<Repository> {
  return (await cachedRepository(deps, name, () => repositoryForPush(deps.db, actor, parseRepoPath(name))))!;
}

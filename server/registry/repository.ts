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

export function pushTarget(deps: RegistryDeps, actor: Actor, name: string): Promise<Repository> {
  return repositoryForPush(deps.db, actor, parseRepoPath(name));
}
